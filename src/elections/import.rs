//! Importing one official results file: parse it (crate `results-import`), store it as one
//! result set in one transaction, and check it against the other levels of the same election.

use std::collections::HashSet;

use results_import::{ResultsFile, TerritoryKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

use crate::elections::ElectionId;
use crate::store::{Value, insert_batched, now};
use crate::territories::{Kind, normalise_name};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Parse(#[from] results_import::ParseError),
    #[error("failed to store the results: {0}")]
    Database(#[from] sqlx::Error),
}

/// What the import recognised and did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub source: String,
    pub format: String,
    pub encoding: String,
    pub layout: String,
    pub level: String,
    pub election: String,
    pub round: i64,
    pub territories: usize,
    pub candidates: usize,
    pub inscrits: i64,
    pub votants: i64,
    pub exprimes: i64,
    /// Territories of the file that the territorial reference does not know.
    pub unknown_territories: Vec<String>,
    /// The same file was imported before: nothing was written.
    pub already_imported: bool,
    pub dry_run: bool,
    /// Differences with the other levels of the same election and round.
    pub differences: Vec<Difference>,
}

/// A circonscription whose bureaux do not add up to its own official figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub territory: String,
    pub measure: &'static str,
    pub from_bureaux: i64,
    pub official: i64,
}

impl Report {
    /// The report printed by `tribun import results`, in French.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "fichier : {}\nformat : {} ({}) ; disposition : {}\nniveau : {} ; élection : {} ; tour : {}\n\
             {} territoires, {} lignes candidat ; inscrits {}, votants {}, exprimés {}\n",
            self.source,
            self.format,
            self.encoding,
            self.layout,
            self.level,
            self.election,
            self.round,
            self.territories,
            self.candidates,
            self.inscrits,
            self.votants,
            self.exprimes
        );
        if !self.unknown_territories.is_empty() {
            let sample: Vec<&str> = self
                .unknown_territories
                .iter()
                .take(10)
                .map(String::as_str)
                .collect();
            text += &format!(
                "{} territoires absents du référentiel (ex. {})\n",
                self.unknown_territories.len(),
                sample.join(", ")
            );
        }
        text += if self.dry_run {
            "essai à blanc : rien n'a été écrit\n"
        } else if self.already_imported {
            "fichier déjà importé : rien n'a changé\n"
        } else {
            "importé\n"
        };
        if self.differences.is_empty() {
            text += "cohérence bureaux / circonscriptions : aucune différence\n";
        }
        for difference in &self.differences {
            text += &format!(
                "écart {} : {} {} d'après les bureaux, {} d'après le fichier de la circonscription ({:+})\n",
                difference.territory,
                difference.measure,
                difference.from_bureaux,
                difference.official,
                difference.from_bureaux - difference.official
            );
        }
        text
    }
}

fn territory_code(key: &TerritoryKey) -> String {
    key.to_string()
}

pub struct Request<'a> {
    pub election: &'a ElectionId,
    pub round: i64,
    pub source_name: &'a str,
    pub bytes: &'a [u8],
    pub dry_run: bool,
    /// Called with (rows written, rows to write) while storing.
    pub on_progress: &'a (dyn Fn(usize, usize) + Sync),
}

/// Parses and stores one file; with `dry_run`, only parses and reports.
pub async fn import(pool: &AnyPool, request: Request<'_>) -> Result<Report, Error> {
    let file = results_import::parse_bytes(request.source_name, request.bytes)?;
    let digest = format!("{:x}", Sha256::digest(request.bytes));
    let level = file.level.as_str();
    let totals = file.totals();
    let known: HashSet<String> = sqlx::query_scalar("SELECT code FROM territories")
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
    let unknown_territories: Vec<String> = file
        .territories
        .iter()
        .map(|t| territory_code(&t.territory))
        .filter(|code| !known.contains(code))
        .collect();
    let mut report = Report {
        source: request.source_name.to_owned(),
        format: file.format.to_string(),
        encoding: file.encoding.to_string(),
        layout: file.layout.to_string(),
        level: level.to_owned(),
        election: request.election.id(),
        round: request.round,
        territories: file.territories.len(),
        candidates: file.candidate_count(),
        inscrits: totals.inscrits,
        votants: totals.votants,
        exprimes: totals.exprimes,
        unknown_territories,
        already_imported: false,
        dry_run: request.dry_run,
        differences: Vec::new(),
    };
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM result_sets WHERE election_id = $1 AND round = $2 AND level = $3 \
         AND source_sha256 = $4",
    )
    .bind(request.election.id())
    .bind(request.round)
    .bind(level)
    .bind(&digest)
    .fetch_optional(pool)
    .await?;
    report.already_imported = existing.is_some();
    if !request.dry_run && existing.is_none() {
        store(pool, &request, &file, &digest).await?;
    }
    report.differences = differences(pool, &request.election.id(), request.round).await?;
    Ok(report)
}

async fn store(
    pool: &AnyPool,
    request: &Request<'_>,
    file: &ResultsFile,
    digest: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO elections (id, kind, year, name) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(request.election.id())
    .bind(request.election.kind)
    .bind(request.election.year)
    .bind(request.election.name())
    .execute(&mut *tx)
    .await?;
    let set_id: i64 = sqlx::query_scalar(
        "INSERT INTO result_sets (election_id, round, level, layout, source_name, source_sha256, \
         imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(request.election.id())
    .bind(request.round)
    .bind(file.level.as_str())
    .bind(file.layout.to_string())
    .bind(request.source_name)
    .bind(digest)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;

    // The eleven circonscriptions of French residents abroad (99-01 … 99-11) are in no
    // territorial reference: the national results files bring them.
    for result in &file.territories {
        let code = territory_code(&result.territory);
        let Some(number) = code.strip_prefix("99-").and_then(|n| n.parse::<u8>().ok()) else {
            continue;
        };
        let ordinal = if number == 1 {
            "1re".to_owned()
        } else {
            format!("{number}e")
        };
        let name = format!("{ordinal} circonscription des Français établis hors de France");
        sqlx::query(
            "INSERT INTO territories (code, kind, name, search_name, population, \
             departement_code, postcodes, geometry) VALUES ($1, $2, $3, $4, NULL, NULL, '', NULL) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&code)
        .bind(Kind::Circonscription.as_str())
        .bind(&name)
        .bind(normalise_name(&name))
        .execute(&mut *tx)
        .await?;
    }

    let mut territory_rows = Vec::with_capacity(file.territories.len());
    let mut candidate_rows = Vec::with_capacity(file.candidate_count());
    for result in &file.territories {
        let code = territory_code(&result.territory);
        territory_rows.push(vec![
            Value::Int(Some(set_id)),
            Value::Text(code.clone()),
            Value::OptText(result.circonscription.as_ref().map(ToString::to_string)),
            Value::Int(Some(result.line as i64)),
            Value::Int(Some(result.inscrits)),
            Value::Int(Some(result.abstentions)),
            Value::Int(Some(result.votants)),
            Value::Int(result.blancs),
            Value::Int(result.nuls),
            Value::Int(Some(result.exprimes)),
        ]);
        for (position, candidate) in result.candidates.iter().enumerate() {
            candidate_rows.push(vec![
                Value::Int(Some(set_id)),
                Value::Text(code.clone()),
                Value::Int(Some(position as i64)),
                Value::Int(candidate.panel.map(i64::from)),
                Value::OptText(candidate.sex.clone()),
                Value::Text(candidate.last_name.clone()),
                Value::Text(candidate.first_name.clone()),
                Value::OptText(candidate.nuance.clone()),
                Value::Int(Some(candidate.votes)),
                Value::Int(candidate.elected.map(i64::from)),
            ]);
        }
    }
    // Written in slices so that a long file reports its progress.
    const SLICE: usize = 5_000;
    let total = territory_rows.len() + candidate_rows.len();
    let mut done = 0;
    for (head, mut rows) in [
        (
            "INSERT INTO territory_results (result_set_id, territory_code, \
             circonscription_code, line, inscrits, abstentions, votants, blancs, nuls, \
             exprimes) VALUES ",
            territory_rows,
        ),
        (
            "INSERT INTO candidate_results (result_set_id, territory_code, position, panel, \
             sex, last_name, first_name, nuance, votes, elected) VALUES ",
            candidate_rows,
        ),
    ] {
        while !rows.is_empty() {
            let slice: Vec<Vec<Value>> = rows.drain(..rows.len().min(SLICE)).collect();
            done += slice.len();
            insert_batched(&mut tx, head, "", slice).await?;
            (request.on_progress)(done, total);
        }
    }
    tx.commit().await
}

/// Compares, per circonscription, the sum of its bureaux with the circonscription-level
/// figures of the same election and round. Every difference is reported.
pub async fn differences(
    pool: &AnyPool,
    election: &str,
    round: i64,
) -> Result<Vec<Difference>, sqlx::Error> {
    let rows: Vec<(String, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "WITH bureaux AS ( \
             SELECT COALESCE(tr.circonscription_code, l.parent_code) AS circo, \
                    CAST(SUM(tr.inscrits) AS BIGINT) AS inscrits, \
                    CAST(SUM(tr.votants) AS BIGINT) AS votants, \
                    CAST(SUM(tr.exprimes) AS BIGINT) AS exprimes \
             FROM territory_results tr \
             JOIN result_sets rs ON rs.id = tr.result_set_id \
             LEFT JOIN territory_links l ON l.child_code = tr.territory_code \
                 AND l.parent_code LIKE '%-%' \
             WHERE rs.election_id = $1 AND rs.round = $2 AND rs.level = 'bureau' \
             GROUP BY COALESCE(tr.circonscription_code, l.parent_code)) \
         SELECT c.territory_code, b.inscrits, c.inscrits, b.votants, c.votants, \
                b.exprimes, c.exprimes \
         FROM bureaux b \
         JOIN territory_results c ON c.territory_code = b.circo \
         JOIN result_sets cs ON cs.id = c.result_set_id \
         WHERE cs.election_id = $1 AND cs.round = $2 AND cs.level = 'circonscription' \
         ORDER BY c.territory_code",
    )
    .bind(election)
    .bind(round)
    .fetch_all(pool)
    .await?;
    let mut differences = Vec::new();
    for (
        territory,
        inscrits,
        official_inscrits,
        votants,
        official_votants,
        exprimes,
        official_exprimes,
    ) in rows
    {
        for (measure, from_bureaux, official) in [
            ("inscrits", inscrits, official_inscrits),
            ("votants", votants, official_votants),
            ("exprimes", exprimes, official_exprimes),
        ] {
            if from_bureaux != official {
                differences.push(Difference {
                    territory: territory.clone(),
                    measure,
                    from_bureaux,
                    official,
                });
            }
        }
    }
    Ok(differences)
}
