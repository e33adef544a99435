//! Maps: the values of an indicator for every territory of a level inside a scope, drawn as an
//! SVG choropleth (`render`) in Lambert-93 (`projection`). The same SVG is served to the
//! browser, exported as PNG and placed in PDFs.

mod projection;
pub mod render;

use std::collections::HashMap;

use sqlx::AnyPool;

use crate::elections::indicators::{Figures, Indicator, figures_by_kind};
use crate::targeting;
use crate::territories::Kind;

pub use render::{Classes, MapError, MapSpec, Palette, Shape, Unit};

/// The sources and licences every map prints.
pub const SOURCE: &str = "Sources : ministère de l'Intérieur (résultats), IGN Admin Express et \
    découpage électoral 2012 (contours) — Licence Ouverte / Etalab 2.0, ODbL";

/// What to map.
#[derive(Debug, Clone)]
pub struct MapRequest {
    pub kind: Kind,
    /// `None` for the whole country.
    pub scope: Option<String>,
    pub election: String,
    pub round: i64,
    pub indicator: Indicator,
    /// The earlier election for evolutions and the score's volatility.
    pub versus: Option<String>,
    pub classes: Classes,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Map(#[from] MapError),
    #[error("l'indicateur {0} demande une élection de comparaison (versus=…)")]
    NeedsVersus(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The value of the indicator for each territory of the request, by code.
pub async fn values(
    pool: &AnyPool,
    request: &MapRequest,
) -> Result<(Vec<Figures>, HashMap<String, f64>), Error> {
    let scope = request.scope.as_deref();
    let current =
        figures_by_kind(pool, &request.election, request.round, request.kind, scope).await?;
    let previous = match &request.versus {
        // The earlier election's first round, where blocs show their strength.
        Some(versus) => figures_by_kind(pool, versus, 1, request.kind, scope).await?,
        None => Vec::new(),
    };
    let values = match &request.indicator {
        Indicator::Score => {
            let settings = targeting::settings(pool).await?;
            targeting::rank(&current, &previous, &settings)
                .into_iter()
                .map(|t| (t.code, t.score))
                .collect()
        }
        Indicator::Evolution(inner) => {
            if request.versus.is_none() {
                return Err(Error::NeedsVersus(request.indicator.key()));
            }
            let before: HashMap<&str, &Figures> =
                previous.iter().map(|f| (f.code.as_str(), f)).collect();
            current
                .iter()
                .filter_map(|f| {
                    let now = inner.value(f)?;
                    let then = inner.value(before.get(f.code.as_str())?)?;
                    Some((f.code.clone(), now - then))
                })
                .collect()
        }
        indicator => current
            .iter()
            .filter_map(|f| indicator.value(f).map(|v| (f.code.clone(), v)))
            .collect(),
    };
    Ok((current, values))
}

/// The boundaries of every territory of `kind` inside `scope` that has one.
pub async fn boundaries(
    pool: &AnyPool,
    kind: Kind,
    scope: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "WITH RECURSIVE below(code) AS ( \
             SELECT $2 UNION \
             SELECT l.child_code FROM territory_links l JOIN below b ON l.parent_code = b.code) \
         SELECT code, name, geometry FROM territories \
         WHERE kind = $1 AND geometry IS NOT NULL \
           AND ($2 = '' OR code IN (SELECT code FROM below)) \
         ORDER BY code",
    )
    .bind(kind.as_str())
    .bind(scope.unwrap_or_default())
    .fetch_all(pool)
    .await
}

/// The map of the request, as SVG.
pub async fn choropleth(
    pool: &AnyPool,
    request: &MapRequest,
    title: &str,
) -> Result<String, Error> {
    let (_, values) = values(pool, request).await?;
    let shapes: Vec<Shape> = boundaries(pool, request.kind, request.scope.as_deref())
        .await?
        .into_iter()
        .map(|(code, name, geometry)| Shape {
            value: values.get(&code).copied(),
            code,
            name,
            geometry,
        })
        .collect();
    let (unit, palette) = match &request.indicator {
        Indicator::Evolution(_) => (Unit::Points, Palette::Diverging),
        Indicator::Margin => (Unit::Points, Palette::Sequential),
        Indicator::Score => (Unit::Score, Palette::Sequential),
        _ => (Unit::Percent, Palette::Sequential),
    };
    let spec = MapSpec {
        title: title.to_owned(),
        unit,
        classes: request.classes.clone(),
        palette,
        source: SOURCE.to_owned(),
        link_prefix: Some("/territoires/".to_owned()),
    };
    Ok(render::render(&shapes, &spec)?)
}
