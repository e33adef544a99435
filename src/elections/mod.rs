//! Elections and their official results: what was imported, per territory and per candidate,
//! and the nuance → bloc table.
//!
//! Invariants: results are stored as the files give them (one result set per imported file);
//! aggregates are computed from them, never stored over them; a result set is identified by
//! its election, round, level and the SHA-256 of its file, so importing a file twice is a no-op.

pub mod import;
pub mod indicators;
pub mod nuances;

use serde::Serialize;
use sqlx::{AnyPool, AssertSqlSafe};
use utoipa::ToSchema;

use crate::elections::indicators::{TOTALS, TotalsRow, VOTES, VoteRow, assemble, percent};

/// The kinds of French elections, as used in election ids (`legislatives-2022`).
pub const KINDS: &[(&str, &str)] = &[
    ("presidentielle", "Élection présidentielle"),
    ("legislatives", "Élections législatives"),
    ("europeennes", "Élections européennes"),
    ("municipales", "Élections municipales"),
    ("regionales", "Élections régionales"),
    ("departementales", "Élections départementales"),
];

/// An election id such as `legislatives-2022`: a kind and a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionId {
    pub kind: &'static str,
    pub year: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "invalid election {0:?}: expected KIND-YEAR with KIND one of presidentielle, legislatives, europeennes, municipales, regionales, departementales"
)]
pub struct InvalidElection(pub String);

impl ElectionId {
    pub fn parse(input: &str) -> Result<Self, InvalidElection> {
        let invalid = || InvalidElection(input.to_owned());
        let (kind, year) = input.trim().rsplit_once('-').ok_or_else(invalid)?;
        let kind = KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(k, _)| *k)
            .ok_or_else(invalid)?;
        let year: i64 = year.parse().map_err(|_| invalid())?;
        if !(1958..=2100).contains(&year) {
            return Err(invalid());
        }
        Ok(Self { kind, year })
    }

    pub fn id(&self) -> String {
        format!("{}-{}", self.kind, self.year)
    }

    pub fn name(&self) -> String {
        let label = KINDS
            .iter()
            .find(|(k, _)| *k == self.kind)
            .map(|(_, l)| *l)
            .unwrap_or_default();
        format!("{label} {}", self.year)
    }
}

/// An election with the rounds and levels imported for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Election {
    pub id: String,
    pub kind: String,
    pub year: i64,
    pub name: String,
    pub result_sets: Vec<ResultSet>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ResultSet {
    pub id: i64,
    pub round: i64,
    pub level: String,
    pub layout: String,
    pub source_name: String,
    pub imported_at: i64,
}

pub async fn list(pool: &AnyPool) -> sqlx::Result<Vec<Election>> {
    let elections: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT id, kind, year, name FROM elections ORDER BY year DESC, id")
            .fetch_all(pool)
            .await?;
    let mut result = Vec::with_capacity(elections.len());
    for (id, kind, year, name) in elections {
        let result_sets = sqlx::query_as(
            "SELECT id, round, level, layout, source_name, imported_at FROM result_sets \
             WHERE election_id = $1 ORDER BY round, level",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?;
        result.push(Election {
            id,
            kind,
            year,
            name,
            result_sets,
        });
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::ElectionId;

    #[test]
    fn election_ids_name_a_kind_and_a_year() {
        let id = ElectionId::parse("legislatives-2022").expect("valid");
        assert_eq!(id.id(), "legislatives-2022");
        assert_eq!(id.name(), "Élections législatives 2022");
        for bad in [
            "legislatives",
            "legislative-2022",
            "legislatives-22",
            "-2022",
            "presidentielle-abc",
        ] {
            assert!(ElectionId::parse(bad).is_err(), "{bad}");
        }
    }
}

/// A territory's results in one election and round, with shares computed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outcome {
    pub election: String,
    pub round: i64,
    /// `None` for the whole country.
    pub territory: Option<String>,
    /// The level of the stored results these figures come from (summed when below the
    /// territory's own level).
    pub from_level: String,
    pub summed_rows: i64,
    pub inscrits: i64,
    pub abstentions: i64,
    pub votants: i64,
    pub blancs: Option<i64>,
    pub nuls: Option<i64>,
    pub exprimes: i64,
    /// Votants / inscrits, in percent.
    pub participation: f64,
    pub candidates: Vec<CandidateOutcome>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateOutcome {
    pub last_name: String,
    pub first_name: String,
    pub nuance: Option<String>,
    pub bloc: Option<String>,
    pub votes: i64,
    /// Percent of exprimés, rounded to two decimals as the ministry publishes.
    pub share_of_exprimes: f64,
    pub share_of_inscrits: f64,
    pub elected: Option<bool>,
}

/// Two decimals, as the ministry publishes percentages.
pub fn rounded(percent: f64) -> f64 {
    (percent * 100.0).round() / 100.0
}

/// Levels from coarsest to finest: a territory's figures come from the coarsest level that
/// covers it.
const LEVELS: [&str; 6] = [
    "national",
    "region",
    "departement",
    "circonscription",
    "commune",
    "bureau",
];

/// The results of `territory` (or of the whole country), from the coarsest stored level that
/// has it or its sub-territories. Sub-territories are reached through whole links only: a
/// commune split across circonscriptions counts in each through its own bureaux.
pub async fn outcome(
    pool: &AnyPool,
    election: &str,
    round: i64,
    territory: Option<&str>,
) -> sqlx::Result<Option<Outcome>> {
    let scope = match territory {
        Some(_) => {
            "WITH RECURSIVE below(code) AS (SELECT $4 \
                 UNION SELECT l.child_code FROM territory_links l \
                 JOIN below b ON l.parent_code = b.code WHERE l.partial = 0) "
        }
        None => "",
    };
    let filter = match territory {
        Some(_) => "AND tr.territory_code IN (SELECT code FROM below)",
        None => "AND $4 = ''",
    };
    for level in LEVELS {
        let totals: TotalsRow = sqlx::query_as(AssertSqlSafe(format!(
            "{scope}SELECT '' AS code, '' AS name, COUNT(*) AS rows_summed, {TOTALS} \
             FROM territory_results tr JOIN result_sets rs ON rs.id = tr.result_set_id \
             WHERE rs.election_id = $1 AND rs.round = $2 AND rs.level = $3 {filter}"
        )))
        .bind(election)
        .bind(round)
        .bind(level)
        .bind(territory.unwrap_or_default())
        .fetch_one(pool)
        .await?;
        if totals.rows_summed == 0 {
            continue;
        }
        let summed_rows = totals.rows_summed;
        let votes: Vec<VoteRow> = sqlx::query_as(AssertSqlSafe(format!(
            "{scope}SELECT '' AS code, {VOTES} FROM candidate_results c \
             JOIN result_sets rs ON rs.id = c.result_set_id \
             JOIN territory_results tr ON tr.result_set_id = c.result_set_id \
                 AND tr.territory_code = c.territory_code \
             LEFT JOIN nuance_blocs nb ON nb.nuance = c.nuance \
             WHERE rs.election_id = $1 AND rs.round = $2 AND rs.level = $3 {filter} \
             GROUP BY c.last_name, c.first_name, c.nuance, nb.bloc \
             ORDER BY votes DESC, c.last_name"
        )))
        .bind(election)
        .bind(round)
        .bind(level)
        .bind(territory.unwrap_or_default())
        .fetch_all(pool)
        .await?;
        let Some(figures) = assemble(vec![totals], votes).pop() else {
            continue;
        };
        return Ok(Some(Outcome {
            election: election.to_owned(),
            round,
            territory: territory.map(str::to_owned),
            from_level: level.to_owned(),
            summed_rows,
            inscrits: figures.inscrits,
            abstentions: figures.abstentions,
            votants: figures.votants,
            blancs: figures.blancs,
            nuls: figures.nuls,
            exprimes: figures.exprimes,
            participation: rounded(percent(figures.votants, figures.inscrits)),
            candidates: figures
                .candidates
                .into_iter()
                .map(|c| CandidateOutcome {
                    share_of_exprimes: rounded(percent(c.votes, figures.exprimes)),
                    share_of_inscrits: rounded(percent(c.votes, figures.inscrits)),
                    last_name: c.last_name,
                    first_name: c.first_name,
                    nuance: c.nuance,
                    bloc: c.bloc,
                    votes: c.votes,
                    elected: c.elected,
                })
                .collect(),
        }));
    }
    Ok(None)
}
