//! Fiches: the profile sheet of a circonscription, commune or département — identity, elected
//! deputy, results history, a map of its sub-territories by priority score, INSEE indicators
//! against the national average, top target zones — assembled once as a [`Fiche`] and shown
//! on screen (askama) or printed as an A4 PDF (`templates/fiche.typ` through `tribun-print`).
//!
//! Invariant: every figure is formatted here, in French, so the page and the PDF say the same
//! thing; the templates only lay out.

use serde::Serialize;
use sqlx::AnyPool;
use tribun_print::{PrintError, Printer};

use crate::elections::indicators::figures_by_kind;
use crate::elections::{self, Outcome};
use crate::french::{count, percent, points};
use crate::insee;
use crate::maps::{self, Classes, MapSpec, Palette, Shape, Unit};
use crate::targeting::{self, Target};
use crate::territories::{self, Kind};

/// The typst template of the printed fiche.
const TEMPLATE: &str = include_str!("../../templates/fiche.typ");

/// Target zones listed on a fiche.
const TOP_TARGETS: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct Fiche {
    pub title: String,
    pub kind: String,
    pub code: String,
    pub generated: String,
    pub identity: Vec<Fact>,
    pub deputy: Option<Deputy>,
    pub results: Vec<HistoryLine>,
    pub map: Option<MapRef>,
    pub indicators: Vec<IndicatorLine>,
    /// Where the indicators come from when not from the territory itself (a commune shows its
    /// circonscription's).
    pub indicators_note: Option<String>,
    pub targets: Vec<TargetLine>,
    /// Filled by the news watch (capability 4); the section is left out while empty.
    pub news: Vec<NewsLine>,
    /// Filled by field organising (capability 7); the section is left out while empty.
    pub field: Vec<Fact>,
    pub sources: Vec<String>,
    /// The map itself, handed to the PDF as a file and inlined in the page.
    #[serde(skip)]
    pub map_svg: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deputy {
    pub name: String,
    pub nuance: String,
    pub election: String,
    pub share: String,
}

/// One election and round of the results history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryLine {
    pub election: String,
    pub round: String,
    pub inscrits: String,
    pub participation: String,
    pub first: String,
    pub second: String,
    /// Participation against the previous election of the same kind and round, in points.
    pub evolution: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapRef {
    pub file: String,
    pub caption: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorLine {
    pub label: String,
    pub value: String,
    pub national: String,
    pub difference: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetLine {
    pub rank: String,
    pub name: String,
    pub code: String,
    pub inscrits: String,
    pub score: String,
    pub reserve: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewsLine {
    pub date: String,
    pub title: String,
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Map(#[from] maps::MapError),
    #[error(transparent)]
    Print(#[from] PrintError),
}

/// A gap to the national value: in points for rates, in the unit otherwise.
fn difference(unit: insee::Unit, gap: f64) -> String {
    match unit {
        insee::Unit::Percent | insee::Unit::PercentPerYear => points(gap),
        _ if gap > 0.0 => format!("+{}", unit.format(gap)),
        _ => unit.format(gap),
    }
}

fn round_label(round: i64) -> String {
    if round == 1 {
        "1er tour".into()
    } else {
        format!("{round}d tour")
    }
}

fn candidate_label(outcome: &Outcome, index: usize) -> String {
    outcome
        .candidates
        .get(index)
        .map(|c| {
            let nuance = c
                .nuance
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            format!(
                "{} {}{nuance} {}",
                c.first_name,
                c.last_name,
                percent(c.share_of_exprimes)
            )
            .trim()
            .to_owned()
        })
        .unwrap_or_default()
}

/// Every imported election and round that covers `code`, newest first, with the evolution of
/// participation since the previous election of the same kind and round.
pub async fn results_history(
    pool: &AnyPool,
    code: &str,
) -> sqlx::Result<Vec<(HistoryLine, Outcome)>> {
    let elections = elections::list(pool).await?;
    let mut lines: Vec<(String, HistoryLine, Outcome)> = Vec::new();
    for election in &elections {
        let mut rounds: Vec<i64> = election.result_sets.iter().map(|s| s.round).collect();
        rounds.sort_unstable();
        rounds.dedup();
        for round in rounds {
            let Some(outcome) = elections::outcome(pool, &election.id, round, Some(code)).await?
            else {
                continue;
            };
            lines.push((
                election.kind.clone(),
                HistoryLine {
                    election: election.name.clone(),
                    round: round_label(round),
                    inscrits: count(outcome.inscrits),
                    participation: percent(outcome.participation),
                    first: candidate_label(&outcome, 0),
                    second: candidate_label(&outcome, 1),
                    evolution: "—".into(),
                },
                outcome,
            ));
        }
    }
    // Newest first: the previous election of a line is the next one of the same kind and round.
    for i in 0..lines.len() {
        let (kind, _, outcome) = &lines[i];
        let earlier = lines[i + 1..]
            .iter()
            .find(|(k, _, o)| k == kind && o.round == outcome.round)
            .map(|(_, _, o)| o.participation);
        if let Some(earlier) = earlier {
            lines[i].1.evolution = points(lines[i].2.participation - earlier);
        }
    }
    Ok(lines.into_iter().map(|(_, line, o)| (line, o)).collect())
}

/// The deputy elected in the newest législatives that cover a circonscription.
async fn deputy(pool: &AnyPool, code: &str) -> sqlx::Result<Option<Deputy>> {
    for election in elections::list(pool).await? {
        if election.kind != "legislatives" {
            continue;
        }
        let mut rounds: Vec<i64> = election.result_sets.iter().map(|s| s.round).collect();
        rounds.sort_unstable_by(|a, b| b.cmp(a));
        rounds.dedup();
        for round in rounds {
            let Some(outcome) = elections::outcome(pool, &election.id, round, Some(code)).await?
            else {
                continue;
            };
            if let Some(elected) = outcome.candidates.iter().find(|c| c.elected == Some(true)) {
                return Ok(Some(Deputy {
                    name: format!("{} {}", elected.first_name, elected.last_name),
                    nuance: elected.nuance.clone().unwrap_or_default(),
                    election: format!("{}, {}", election.name, round_label(round)),
                    share: percent(elected.share_of_exprimes),
                }));
            }
        }
    }
    Ok(None)
}

/// The level a fiche (and a territory's page) maps and ranks.
pub fn sub_level(kind: Kind) -> Option<Kind> {
    match kind {
        Kind::Region => Some(Kind::Departement),
        Kind::Departement | Kind::Collectivite => Some(Kind::Circonscription),
        Kind::Circonscription => Some(Kind::Commune),
        Kind::Commune | Kind::ArrondissementMunicipal => Some(Kind::Bureau),
        Kind::Epci | Kind::Bureau => None,
    }
}

/// The target list of the sub-territories, from the newest election with results at that
/// level inside the territory, against the next older election.
async fn targets(
    pool: &AnyPool,
    level: Kind,
    code: &str,
) -> sqlx::Result<Option<(String, Vec<Target>)>> {
    let elections = elections::list(pool).await?;
    for (i, election) in elections.iter().enumerate() {
        let current = figures_by_kind(pool, &election.id, 1, level, Some(code)).await?;
        if current.is_empty() {
            continue;
        }
        let previous = match elections.get(i + 1) {
            Some(versus) => figures_by_kind(pool, &versus.id, 1, level, Some(code)).await?,
            None => Vec::new(),
        };
        let list = targeting::rank(&current, &previous, &targeting::settings(pool).await?);
        return Ok(Some((election.name.clone(), list)));
    }
    Ok(None)
}

/// The fiche of a territory, or `None` when the code is unknown.
pub async fn assemble(pool: &AnyPool, code: &str, generated: &str) -> Result<Option<Fiche>, Error> {
    let Some(territory) = territories::find(pool, code).await? else {
        return Ok(None);
    };
    let parents = territories::parents(pool, code).await?;
    let children = territories::children(pool, code).await?;
    let mut identity = vec![Fact {
        label: "Code".into(),
        value: territory.code.clone(),
    }];
    for parent in &parents {
        identity.push(Fact {
            label: parent.territory.kind.label().into(),
            value: format!(
                "{}{}",
                parent.territory.name,
                if parent.partial { " (en partie)" } else { "" }
            ),
        });
    }
    if let Some(population) = territory.population {
        identity.push(Fact {
            label: "Population".into(),
            value: format!("{} habitants", count(population)),
        });
    }
    let communes: Vec<String> = children
        .iter()
        .filter(|c| c.territory.kind == Kind::Commune)
        .map(|c| {
            format!(
                "{}{}",
                c.territory.name,
                if c.partial { " (en partie)" } else { "" }
            )
        })
        .collect();
    if !communes.is_empty() {
        identity.push(Fact {
            label: format!("Communes ({})", communes.len()),
            value: communes.join(", "),
        });
    }
    for kind in [Kind::Circonscription, Kind::Bureau] {
        let count = children.iter().filter(|c| c.territory.kind == kind).count();
        if count > 0 {
            identity.push(Fact {
                label: kind.plural_label().into(),
                value: count.to_string(),
            });
        }
    }
    if !territory.postcodes.is_empty() {
        identity.push(Fact {
            label: "Codes postaux".into(),
            value: territory.postcodes.join(", "),
        });
    }

    let deputy = match territory.kind {
        Kind::Circonscription => deputy(pool, code).await?,
        _ => None,
    };
    let results: Vec<HistoryLine> = results_history(pool, code)
        .await?
        .into_iter()
        .map(|(line, _)| line)
        .collect();

    let mut map = None;
    let mut map_svg = None;
    let mut target_lines = Vec::new();
    if let Some(level) = sub_level(territory.kind)
        && let Some((election_name, list)) = targets(pool, level, code).await?
    {
        target_lines = list
            .iter()
            .take(TOP_TARGETS)
            .map(|t| TargetLine {
                rank: t.rank.to_string(),
                name: t.name.clone(),
                code: t.code.clone(),
                inscrits: count(t.inscrits),
                score: crate::french::number(t.score, 1),
                reserve: points(t.reserve),
            })
            .collect();
        let boundaries = maps::boundaries(pool, level, Some(code)).await?;
        if !boundaries.is_empty() {
            let caption = format!(
                "{} par score de priorité ({election_name}, 1er tour)",
                level.plural_label()
            );
            let shapes: Vec<Shape> = boundaries
                .into_iter()
                .map(|(code, name, geometry)| Shape {
                    value: list.iter().find(|t| t.code == code).map(|t| t.score),
                    code,
                    name,
                    geometry,
                })
                .collect();
            map_svg = Some(maps::render::render(
                &shapes,
                &MapSpec {
                    title: format!("Score de priorité — {}", territory.name),
                    unit: Unit::Score,
                    classes: Classes::Quantiles(5),
                    palette: Palette::Sequential,
                    source: maps::SOURCE.to_owned(),
                    link_prefix: None,
                },
            )?);
            map = Some(MapRef {
                file: "map.svg".into(),
                caption,
            });
        }
    }

    let profile = insee::profile(pool, code).await?;
    let indicators_note = (profile.source_code != territory.code && !profile.lines.is_empty())
        .then(|| format!("Indicateurs de : {}", profile.source_name));
    let indicators = profile
        .lines
        .iter()
        .map(|line| IndicatorLine {
            label: line.label.to_owned(),
            value: line.unit.format(line.value),
            national: line.unit.format(line.national),
            difference: difference(line.unit, line.value - line.national),
        })
        .collect();

    let mut sources = vec![
        "Ministère de l'Intérieur, résultats électoraux — Licence Ouverte / Etalab 2.0".to_owned(),
        "Insee, code officiel géographique ; découpage électoral — Licence Ouverte / Etalab 2.0"
            .to_owned(),
    ];
    let unprefixed = |source: &str| {
        source
            .trim_start_matches("Sources : ")
            .trim_start_matches("Source : ")
            .to_owned()
    };
    if !profile.lines.is_empty() {
        sources.push(unprefixed(insee::SOURCE));
    }
    if map.is_some() {
        sources.push(unprefixed(maps::SOURCE));
    }
    Ok(Some(Fiche {
        title: territory.name.clone(),
        kind: territory.kind.label().to_owned(),
        code: territory.code.clone(),
        generated: generated.to_owned(),
        identity,
        deputy,
        results,
        map,
        indicators,
        indicators_note,
        targets: target_lines,
        news: Vec::new(),
        field: Vec::new(),
        sources,
        map_svg,
    }))
}

/// The fiche as an A4 PDF.
pub fn pdf(printer: &Printer, fiche: &Fiche) -> Result<Vec<u8>, PrintError> {
    let data = serde_json::to_value(fiche).unwrap_or_default();
    let files: Vec<(&str, &[u8])> = match &fiche.map_svg {
        Some(svg) => vec![("map.svg", svg.as_bytes())],
        None => Vec::new(),
    };
    printer.pdf(TEMPLATE, &data, &files)
}

/// Every circonscription's code, for `tribun fiches --all`.
pub async fn all_circonscriptions(pool: &AnyPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT code FROM territories WHERE kind = $1 ORDER BY code")
        .bind(Kind::Circonscription.as_str())
        .fetch_all(pool)
        .await
}
