//! Indicators for many territories at once: the figures of every territory of one kind inside
//! a scope, summed from the finest stored level when the election was imported below it, and
//! the rates, shares, blocs, winner and margin computed from them.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{AnyPool, AssertSqlSafe};
use utoipa::ToSchema;

use crate::territories::Kind;

/// Stored levels from finest to coarsest.
const FINEST_FIRST: [&str; 6] = [
    "bureau",
    "commune",
    "circonscription",
    "departement",
    "region",
    "national",
];

/// A territory's figures in one election and round.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub code: String,
    pub name: String,
    pub inscrits: i64,
    pub abstentions: i64,
    pub votants: i64,
    pub blancs: Option<i64>,
    pub nuls: Option<i64>,
    pub exprimes: i64,
    /// Best first.
    pub candidates: Vec<CandidateVotes>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateVotes {
    pub last_name: String,
    pub first_name: String,
    pub nuance: Option<String>,
    pub bloc: Option<String>,
    pub votes: i64,
    pub elected: Option<bool>,
}

/// In percent of the whole; 0 when the whole is 0.
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

impl Figures {
    pub fn participation(&self) -> f64 {
        percent(self.votants, self.inscrits)
    }

    pub fn abstention(&self) -> f64 {
        percent(self.abstentions, self.inscrits)
    }

    pub fn blancs_share(&self) -> Option<f64> {
        self.blancs.map(|b| percent(b, self.votants))
    }

    pub fn nuls_share(&self) -> Option<f64> {
        self.nuls.map(|n| percent(n, self.votants))
    }

    /// Share of exprimés of every bloc, in percent.
    pub fn bloc_shares(&self) -> HashMap<String, f64> {
        let mut votes: HashMap<String, i64> = HashMap::new();
        for candidate in &self.candidates {
            let bloc = candidate
                .bloc
                .clone()
                .unwrap_or_else(|| "non_classe".into());
            *votes.entry(bloc).or_default() += candidate.votes;
        }
        votes
            .into_iter()
            .map(|(bloc, v)| (bloc, percent(v, self.exprimes)))
            .collect()
    }

    pub fn bloc_share(&self, bloc: &str) -> f64 {
        let votes: i64 = self
            .candidates
            .iter()
            .filter(|c| c.bloc.as_deref() == Some(bloc))
            .map(|c| c.votes)
            .sum();
        percent(votes, self.exprimes)
    }

    pub fn nuance_share(&self, nuance: &str) -> f64 {
        let votes: i64 = self
            .candidates
            .iter()
            .filter(|c| c.nuance.as_deref() == Some(nuance))
            .map(|c| c.votes)
            .sum();
        percent(votes, self.exprimes)
    }

    /// The first candidate and the lead over the second, in points of exprimés.
    pub fn winner(&self) -> Option<(&CandidateVotes, f64)> {
        let first = self.candidates.first()?;
        let second = self.candidates.get(1).map_or(0, |c| c.votes);
        Some((first, percent(first.votes - second, self.exprimes)))
    }
}

/// The figures of every territory of `kind` inside `scope` (the whole country when `None`),
/// from the finest stored level of the election and round that reaches them. Territories are
/// reached through whole links only, so a commune split across circonscriptions counts in each
/// through its own bureaux.
pub async fn figures_by_kind(
    pool: &AnyPool,
    election: &str,
    round: i64,
    kind: Kind,
    scope: Option<&str>,
) -> sqlx::Result<Vec<Figures>> {
    let target = kind.as_str();
    let start = FINEST_FIRST
        .iter()
        .position(|level| *level == target)
        .unwrap_or(0);
    // The target's own level first, then finer ones: official figures beat sums.
    let mut levels: Vec<&str> = vec![FINEST_FIRST[start]];
    levels.extend(FINEST_FIRST[..start].iter().rev());
    for level in levels {
        let sets: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM result_sets WHERE election_id = $1 AND round = $2 AND level = $3 \
             ORDER BY id DESC",
        )
        .bind(election)
        .bind(round)
        .bind(level)
        .fetch_all(pool)
        .await?;
        let Some(&set) = sets.first() else { continue };
        let figures = sum_set(pool, set, target, scope).await?;
        if !figures.is_empty() {
            return Ok(figures);
        }
    }
    Ok(Vec::new())
}

/// Sums one result set up to the territories of `kind` inside `scope`.
async fn sum_set(
    pool: &AnyPool,
    set: i64,
    kind: &str,
    scope: Option<&str>,
) -> sqlx::Result<Vec<Figures>> {
    // A result row counts when the scope is among its whole-link ancestors: a commune split
    // across circonscriptions counts in one of them through its bureaux there only.
    let mapping = "WITH RECURSIVE up(code, ancestor) AS ( \
             SELECT territory_code, territory_code FROM territory_results WHERE result_set_id = $1 \
             UNION \
             SELECT up.code, l.parent_code FROM up \
             JOIN territory_links l ON l.child_code = up.ancestor WHERE l.partial = 0), \
         inside(code) AS (SELECT code FROM up WHERE ancestor = $3), \
         mapped(code, ancestor, name) AS ( \
             SELECT up.code, up.ancestor, t.name FROM up \
             JOIN territories t ON t.code = up.ancestor AND t.kind = $2 \
             WHERE $3 = '' OR up.code IN (SELECT code FROM inside)) ";
    let totals: Vec<TotalsRow> = sqlx::query_as(AssertSqlSafe(format!(
        "{mapping}SELECT m.ancestor AS code, m.name AS name, COUNT(*) AS rows_summed, \
             {TOTALS} FROM mapped m JOIN territory_results tr \
             ON tr.result_set_id = $1 AND tr.territory_code = m.code \
         GROUP BY m.ancestor, m.name ORDER BY m.ancestor"
    )))
    .bind(set)
    .bind(kind)
    .bind(scope.unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let votes: Vec<VoteRow> = sqlx::query_as(AssertSqlSafe(format!(
        "{mapping}SELECT m.ancestor AS code, {VOTES} FROM mapped m JOIN candidate_results c \
             ON c.result_set_id = $1 AND c.territory_code = m.code \
         LEFT JOIN nuance_blocs nb ON nb.nuance = c.nuance \
         GROUP BY m.ancestor, c.last_name, c.first_name, c.nuance, nb.bloc \
         ORDER BY m.ancestor, votes DESC, c.last_name"
    )))
    .bind(set)
    .bind(kind)
    .bind(scope.unwrap_or_default())
    .fetch_all(pool)
    .await?;
    Ok(assemble(totals, votes))
}

/// The sums selected over `territory_results tr`, named as [`TotalsRow`] expects.
pub(crate) const TOTALS: &str = "CAST(SUM(tr.inscrits) AS BIGINT) AS inscrits, \
    CAST(SUM(tr.abstentions) AS BIGINT) AS abstentions, \
    CAST(SUM(tr.votants) AS BIGINT) AS votants, CAST(SUM(tr.blancs) AS BIGINT) AS blancs, \
    CAST(SUM(tr.nuls) AS BIGINT) AS nuls, CAST(SUM(tr.exprimes) AS BIGINT) AS exprimes";

/// The sums selected over `candidate_results c` and `nuance_blocs nb`, as [`VoteRow`] expects.
pub(crate) const VOTES: &str = "c.last_name AS last_name, c.first_name AS first_name, \
    c.nuance AS nuance, nb.bloc AS bloc, CAST(SUM(c.votes) AS BIGINT) AS votes, \
    MAX(c.elected) AS elected";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TotalsRow {
    pub code: String,
    pub name: String,
    pub rows_summed: i64,
    pub inscrits: Option<i64>,
    pub abstentions: Option<i64>,
    pub votants: Option<i64>,
    pub blancs: Option<i64>,
    pub nuls: Option<i64>,
    pub exprimes: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct VoteRow {
    pub code: String,
    pub last_name: String,
    pub first_name: String,
    pub nuance: Option<String>,
    pub bloc: Option<String>,
    pub votes: i64,
    pub elected: Option<i64>,
}

/// Figures from their totals and their candidates' votes (both ordered by code, votes best
/// first).
pub(crate) fn assemble(totals: Vec<TotalsRow>, votes: Vec<VoteRow>) -> Vec<Figures> {
    let mut figures: Vec<Figures> = totals
        .into_iter()
        .map(|row| Figures {
            code: row.code,
            name: row.name,
            inscrits: row.inscrits.unwrap_or(0),
            abstentions: row.abstentions.unwrap_or(0),
            votants: row.votants.unwrap_or(0),
            blancs: row.blancs,
            nuls: row.nuls,
            exprimes: row.exprimes.unwrap_or(0),
            candidates: Vec::new(),
        })
        .collect();
    let index: HashMap<String, usize> = figures
        .iter()
        .enumerate()
        .map(|(i, f)| (f.code.clone(), i))
        .collect();
    for vote in votes {
        if let Some(&i) = index.get(&vote.code) {
            figures[i].candidates.push(CandidateVotes {
                last_name: vote.last_name,
                first_name: vote.first_name,
                nuance: vote.nuance,
                bloc: vote.bloc,
                votes: vote.votes,
                elected: vote.elected.map(|e| e != 0),
            });
        }
    }
    figures
}

/// What a map or a list shows for each territory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Indicator {
    /// Votants / inscrits.
    Participation,
    /// Abstentions / inscrits.
    Abstention,
    /// Blancs / votants.
    Blancs,
    /// Nuls / votants.
    Nuls,
    /// A bloc's share of exprimés.
    Bloc(String),
    /// A nuance's share of exprimés.
    Nuance(String),
    /// The lead of the first over the second, in points of exprimés.
    Margin,
    /// The priority score of `targeting`.
    Score,
    /// The change of an indicator since another election, in points.
    Evolution(Box<Indicator>),
}

impl Indicator {
    /// `participation`, `abstention`, `blancs`, `nuls`, `bloc:gauche`, `nuance:RN`, `marge`,
    /// `score`, `evolution:participation`, `evolution:bloc:gauche`…
    pub fn parse(text: &str) -> Result<Indicator, String> {
        let text = text.trim();
        Ok(match text {
            "participation" => Indicator::Participation,
            "abstention" => Indicator::Abstention,
            "blancs" => Indicator::Blancs,
            "nuls" => Indicator::Nuls,
            "marge" => Indicator::Margin,
            "score" => Indicator::Score,
            _ => match text.split_once(':') {
                Some(("bloc", bloc)) if !bloc.is_empty() => Indicator::Bloc(bloc.to_owned()),
                Some(("nuance", nuance)) if !nuance.is_empty() => {
                    Indicator::Nuance(nuance.to_uppercase())
                }
                Some(("evolution", inner)) => {
                    let inner = Indicator::parse(inner)?;
                    if matches!(inner, Indicator::Evolution(_) | Indicator::Score) {
                        return Err(format!("indicateur inconnu : {text}"));
                    }
                    Indicator::Evolution(Box::new(inner))
                }
                _ => {
                    return Err(format!(
                        "indicateur inconnu : {text} (participation, abstention, blancs, nuls, \
                         bloc:…, nuance:…, marge, score, evolution:…)"
                    ));
                }
            },
        })
    }

    pub fn key(&self) -> String {
        match self {
            Indicator::Participation => "participation".into(),
            Indicator::Abstention => "abstention".into(),
            Indicator::Blancs => "blancs".into(),
            Indicator::Nuls => "nuls".into(),
            Indicator::Bloc(bloc) => format!("bloc:{bloc}"),
            Indicator::Nuance(nuance) => format!("nuance:{nuance}"),
            Indicator::Margin => "marge".into(),
            Indicator::Score => "score".into(),
            Indicator::Evolution(inner) => format!("evolution:{}", inner.key()),
        }
    }

    /// The French label.
    pub fn label(&self) -> String {
        match self {
            Indicator::Participation => "Participation".into(),
            Indicator::Abstention => "Abstention".into(),
            Indicator::Blancs => "Votes blancs (% des votants)".into(),
            Indicator::Nuls => "Votes nuls (% des votants)".into(),
            Indicator::Bloc(bloc) => format!("Bloc {} (% des exprimés)", bloc_label(bloc)),
            Indicator::Nuance(nuance) => format!("Nuance {nuance} (% des exprimés)"),
            Indicator::Margin => "Avance du premier sur le second (points)".into(),
            Indicator::Score => "Score de priorité".into(),
            Indicator::Evolution(inner) => format!("Évolution : {}", inner.label()),
        }
    }

    /// The value for one territory, for every indicator but the score and evolutions (which
    /// need the whole list or another election).
    pub fn value(&self, figures: &Figures) -> Option<f64> {
        match self {
            Indicator::Participation => Some(figures.participation()),
            Indicator::Abstention => Some(figures.abstention()),
            Indicator::Blancs => figures.blancs_share(),
            Indicator::Nuls => figures.nuls_share(),
            Indicator::Bloc(bloc) => Some(figures.bloc_share(bloc)),
            Indicator::Nuance(nuance) => Some(figures.nuance_share(nuance)),
            Indicator::Margin => figures.winner().map(|(_, margin)| margin),
            Indicator::Score | Indicator::Evolution(_) => None,
        }
    }
}

/// The French name of a bloc.
pub fn bloc_label(bloc: &str) -> &str {
    crate::targeting::BLOCS
        .iter()
        .find(|(b, _)| *b == bloc)
        .map_or(bloc, |(_, label)| label)
}
