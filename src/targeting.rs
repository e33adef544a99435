//! Targeting: a transparent priority score per territory, and ranked target lists.
//!
//! For the bloc the campaign works for (`bloc`), in a reference election E (first round) and an
//! earlier one P, each territory t of a list gets three components:
//!
//! - **réserve favorable** R = abstention(t, E) × share of the bloc(t, E) / 100, in points of
//!   inscrits: abstainers where the bloc is strong;
//! - **persuadables** V = ½ Σ over blocs |share(t, E) − share(t, P)|, the Pedersen volatility
//!   index in points: how much the electorate moved between P and E;
//! - **taille** S = inscrits(t, E).
//!
//! Each component becomes its percentile rank p ∈ [0, 1] within the list (ties share their
//! mean rank; a territory missing from P gets 0.5 for V), and
//! score = 100 × (w_R·p_R + w_V·p_V + w_S·p_S) / (w_R + w_V + w_S)
//! with weights an admin edits (default 50 / 30 / 20). The score ranks territories against each
//! other inside one list: it is not comparable between lists.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use utoipa::ToSchema;

use crate::elections::indicators::{Figures, figures_by_kind};
use crate::territories::Kind;

/// The editable settings of the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Settings {
    /// The bloc the campaign works for: extreme_gauche, gauche, ecologistes, centre, droite,
    /// extreme_droite, divers.
    pub bloc: String,
    pub weight_reserve: i64,
    pub weight_persuadables: i64,
    pub weight_size: i64,
}

pub const BLOCS: &[(&str, &str)] = &[
    ("extreme_gauche", "Extrême gauche"),
    ("gauche", "Gauche"),
    ("ecologistes", "Écologistes"),
    ("centre", "Centre"),
    ("droite", "Droite"),
    ("extreme_droite", "Extrême droite"),
    ("divers", "Divers"),
];

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("bloc inconnu : {0}")]
    UnknownBloc(String),
    #[error("les poids doivent être entre 0 et 100, et au moins un positif")]
    Weights,
}

impl Settings {
    pub fn validate(&self) -> Result<(), SettingsError> {
        if !BLOCS.iter().any(|(b, _)| *b == self.bloc) {
            return Err(SettingsError::UnknownBloc(self.bloc.clone()));
        }
        let weights = [
            self.weight_reserve,
            self.weight_persuadables,
            self.weight_size,
        ];
        if weights.iter().any(|w| !(0..=100).contains(w)) || weights.iter().sum::<i64>() == 0 {
            return Err(SettingsError::Weights);
        }
        Ok(())
    }
}

pub async fn settings(pool: &AnyPool) -> sqlx::Result<Settings> {
    sqlx::query_as(
        "SELECT bloc, weight_reserve, weight_persuadables, weight_size FROM targeting_settings \
         WHERE id = 1",
    )
    .fetch_one(pool)
    .await
}

pub async fn save_settings(pool: &AnyPool, settings: &Settings) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE targeting_settings SET bloc = $1, weight_reserve = $2, \
         weight_persuadables = $3, weight_size = $4 WHERE id = 1",
    )
    .bind(&settings.bloc)
    .bind(settings.weight_reserve)
    .bind(settings.weight_persuadables)
    .bind(settings.weight_size)
    .execute(pool)
    .await?;
    Ok(())
}

/// One territory of a target list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Target {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub inscrits: i64,
    pub participation: f64,
    pub bloc_share: f64,
    /// R, in points of inscrits.
    pub reserve: f64,
    /// V, in points; `None` when the territory is missing from the earlier election.
    pub volatility: Option<f64>,
    pub score: f64,
}

/// Percentile ranks in [0, 1], ties sharing their mean rank.
fn percentile_ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n <= 1 {
        return vec![1.0; n];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0;
        for &k in &order[i..=j] {
            ranks[k] = mean / (n - 1) as f64;
        }
        i = j + 1;
    }
    ranks
}

/// Pedersen volatility between two results of the same territory, in points.
pub fn volatility(current: &Figures, previous: &Figures) -> f64 {
    let now = current.bloc_shares();
    let before = previous.bloc_shares();
    let mut blocs: Vec<&String> = now.keys().chain(before.keys()).collect();
    blocs.sort();
    blocs.dedup();
    blocs
        .into_iter()
        .map(|b| (now.get(b).unwrap_or(&0.0) - before.get(b).unwrap_or(&0.0)).abs())
        .sum::<f64>()
        / 2.0
}

/// The ranked target list of `current` (with `previous`, the same territories in an earlier
/// election, for volatility).
pub fn rank(current: &[Figures], previous: &[Figures], settings: &Settings) -> Vec<Target> {
    let previous: HashMap<&str, &Figures> = previous.iter().map(|f| (f.code.as_str(), f)).collect();
    let reserve: Vec<f64> = current
        .iter()
        .map(|f| f.abstention() * f.bloc_share(&settings.bloc) / 100.0)
        .collect();
    let volatility: Vec<Option<f64>> = current
        .iter()
        .map(|f| previous.get(f.code.as_str()).map(|p| volatility(f, p)))
        .collect();
    let size: Vec<f64> = current.iter().map(|f| f.inscrits as f64).collect();
    let p_reserve = percentile_ranks(&reserve);
    let known: Vec<f64> = volatility.iter().flatten().copied().collect();
    let known_ranks = percentile_ranks(&known);
    let mut known_ranks = known_ranks.into_iter();
    let p_volatility: Vec<f64> = volatility
        .iter()
        .map(|v| match v {
            Some(_) => known_ranks.next().unwrap_or(0.5),
            None => 0.5,
        })
        .collect();
    let p_size = percentile_ranks(&size);
    let weights = [
        settings.weight_reserve as f64,
        settings.weight_persuadables as f64,
        settings.weight_size as f64,
    ];
    let total: f64 = weights.iter().sum::<f64>().max(1.0);
    let mut targets: Vec<Target> = current
        .iter()
        .enumerate()
        .map(|(i, f)| Target {
            rank: 0,
            code: f.code.clone(),
            name: f.name.clone(),
            inscrits: f.inscrits,
            participation: f.participation(),
            bloc_share: f.bloc_share(&settings.bloc),
            reserve: reserve[i],
            volatility: volatility[i],
            score: 100.0
                * (weights[0] * p_reserve[i]
                    + weights[1] * p_volatility[i]
                    + weights[2] * p_size[i])
                / total,
        })
        .collect();
    targets.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.code.cmp(&b.code))
    });
    for (i, target) in targets.iter_mut().enumerate() {
        target.rank = i + 1;
    }
    targets
}

/// The ranked list of every territory of `kind` inside `scope` (the whole country when `None`),
/// scored on the first round of `election` against the first round of `versus`.
pub async fn list(
    pool: &AnyPool,
    election: &str,
    versus: Option<&str>,
    kind: Kind,
    scope: Option<&str>,
) -> sqlx::Result<Vec<Target>> {
    let current = figures_by_kind(pool, election, 1, kind, scope).await?;
    let previous = match versus {
        Some(versus) => figures_by_kind(pool, versus, 1, kind, scope).await?,
        None => Vec::new(),
    };
    Ok(rank(&current, &previous, &settings(pool).await?))
}

/// The list as an XLSX workbook, numbers stored as numbers.
pub fn to_xlsx(targets: &[Target]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Cibles")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let decimal = rust_xlsxwriter::Format::new().set_num_format("0.00");
    for (column, header) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &bold)?;
    }
    for (i, t) in targets.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, t.rank as f64)?;
        sheet.write_string(row, 1, &t.code)?;
        sheet.write_string(row, 2, &t.name)?;
        sheet.write_number(row, 3, t.inscrits as f64)?;
        sheet.write_number_with_format(row, 4, t.participation, &decimal)?;
        sheet.write_number_with_format(row, 5, t.bloc_share, &decimal)?;
        sheet.write_number_with_format(row, 6, t.reserve, &decimal)?;
        if let Some(volatility) = t.volatility {
            sheet.write_number_with_format(row, 7, volatility, &decimal)?;
        }
        sheet.write_number_with_format(row, 8, t.score, &decimal)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

/// The list as CSV (UTF-8, ';' and decimal commas, as French spreadsheets expect).
pub fn to_csv(targets: &[Target]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let french = |v: f64| format!("{v:.2}").replace('.', ",");
    let _ = writer.write_record(HEADERS);
    for t in targets {
        let _ = writer.write_record([
            t.rank.to_string(),
            t.code.clone(),
            t.name.clone(),
            t.inscrits.to_string(),
            french(t.participation),
            french(t.bloc_share),
            french(t.reserve),
            t.volatility.map(french).unwrap_or_default(),
            french(t.score),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

pub const HEADERS: [&str; 9] = [
    "Rang",
    "Code",
    "Territoire",
    "Inscrits",
    "Participation (%)",
    "Part du bloc (% exprimés)",
    "Réserve favorable (pts d'inscrits)",
    "Volatilité (pts)",
    "Score de priorité",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elections::indicators::CandidateVotes;

    fn figures(code: &str, inscrits: i64, votants: i64, gauche: i64, droite: i64) -> Figures {
        let candidate = |bloc: &str, votes| CandidateVotes {
            last_name: bloc.to_uppercase(),
            first_name: String::new(),
            nuance: None,
            bloc: Some(bloc.to_owned()),
            votes,
            elected: None,
        };
        Figures {
            code: code.into(),
            name: code.into(),
            inscrits,
            abstentions: inscrits - votants,
            votants,
            blancs: Some(0),
            nuls: Some(0),
            exprimes: gauche + droite,
            candidates: vec![candidate("gauche", gauche), candidate("droite", droite)],
        }
    }

    fn settings(reserve: i64, persuadables: i64, size: i64) -> Settings {
        Settings {
            bloc: "gauche".into(),
            weight_reserve: reserve,
            weight_persuadables: persuadables,
            weight_size: size,
        }
    }

    #[test]
    fn percentile_ranks_share_ties() {
        assert_eq!(percentile_ranks(&[10.0, 30.0, 20.0]), vec![0.0, 1.0, 0.5]);
        assert_eq!(percentile_ranks(&[5.0, 5.0, 9.0]), vec![0.25, 0.25, 1.0]);
        assert_eq!(percentile_ranks(&[7.0]), vec![1.0]);
    }

    #[test]
    fn volatility_is_half_the_sum_of_bloc_moves() {
        let now = figures("a", 100, 50, 30, 20);
        let before = figures("a", 100, 50, 20, 30);
        assert!((volatility(&now, &before) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn the_reserve_ranks_first_where_abstainers_meet_a_strong_bloc() {
        let current = vec![
            // Low turnout, strong left: a big favourable reserve.
            figures("a", 1000, 400, 300, 100),
            // High turnout, weak left.
            figures("b", 1000, 800, 200, 600),
            figures("c", 1000, 600, 300, 300),
        ];
        let list = rank(&current, &[], &settings(100, 0, 0));
        let order: Vec<&str> = list.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(order, vec!["a", "c", "b"]);
        assert_eq!(list[0].rank, 1);
        assert!((list[0].score - 100.0).abs() < 1e-9);
        assert!((list[0].reserve - 45.0).abs() < 1e-9, "{}", list[0].reserve);
        assert!(list.iter().all(|t| t.volatility.is_none()));
        let by_size = rank(
            &[figures("a", 10, 5, 3, 2), figures("b", 20, 5, 3, 2)],
            &[],
            &settings(0, 0, 1),
        );
        assert_eq!(by_size[0].code, "b");
    }

    #[test]
    fn the_xlsx_is_a_zip_workbook() {
        let list = rank(
            &[figures("34-01", 1000, 400, 300, 100)],
            &[],
            &settings(50, 30, 20),
        );
        let bytes = to_xlsx(&list).expect("workbook");
        assert!(bytes.starts_with(b"PK"), "an xlsx file is a zip archive");
    }

    #[test]
    fn settings_are_validated() {
        assert!(settings(50, 30, 20).validate().is_ok());
        assert!(settings(0, 0, 0).validate().is_err());
        assert!(settings(101, 0, 0).validate().is_err());
        let mut unknown = settings(1, 1, 1);
        unknown.bloc = "violet".into();
        assert!(unknown.validate().is_err());
    }

    #[test]
    fn the_csv_uses_french_conventions() {
        let list = rank(
            &[figures("34-01", 1000, 400, 300, 100)],
            &[],
            &settings(50, 30, 20),
        );
        let csv = String::from_utf8(to_csv(&list)).expect("UTF-8");
        assert!(csv.starts_with("Rang;Code;Territoire;"), "{csv}");
        assert!(
            csv.contains("1;34-01;34-01;1000;40,00;75,00;45,00;;"),
            "{csv}"
        );
    }
}
