//! Choropleth maps in the JSON API: `GET /api/v1/maps/{level}.svg` or `.png` (rasterised by
//! the print crate), for any indicator, level and scope, and the map block of pages.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::elections::indicators::Indicator;
use crate::elections::{Election, ElectionId};
use crate::http::error::{ApiError, Error};
use crate::http::{Access, AppState, EVERYONE, Route, territory_parameter};
use crate::maps::{self, Classes, MapRequest};
use crate::targeting::BLOCS;
use crate::territories::{Kind, Territory};

pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/api/v1/maps/{file}",
        Access::in_territory(EVERYONE, "territory"),
        get(draw_map),
    )]
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MapQuery {
    /// legislatives-2022, presidentielle-2022…
    pub election: String,
    /// 1 by default.
    pub round: Option<i64>,
    /// participation (default), abstention, blancs, nuls, bloc:gauche, nuance:RN, marge,
    /// score, evolution:participation, evolution:bloc:gauche…
    pub indicator: Option<String>,
    /// The territory whose sub-territories are drawn; absent means the whole country.
    pub territory: Option<String>,
    /// The earlier election, for evolutions and the score.
    pub versus: Option<String>,
    /// Number of quantile classes, 5 by default (1 to 9).
    pub classes: Option<usize>,
    /// Chosen class breaks instead of quantiles: `40,50,60`.
    pub breaks: Option<String>,
}

/// Width of exported PNG maps, in pixels: sharp on a slide or a printed page.
const PNG_WIDTH: u32 = 2000;

/// Parses a map level: `circonscription`, `circonscriptions`, `bureaux`…
pub fn parse_level(level: &str) -> Option<Kind> {
    let singular = level
        .strip_suffix("aux")
        .map(|stem| format!("{stem}au"))
        .unwrap_or_else(|| level.trim_end_matches('s').to_owned());
    [
        Kind::Region,
        Kind::Departement,
        Kind::Circonscription,
        Kind::Commune,
        Kind::Bureau,
    ]
    .into_iter()
    .find(|kind| kind.as_str() == singular)
}

impl MapQuery {
    /// The map request of this query for `kind`.
    pub fn request(&self, kind: Kind) -> Result<MapRequest, Error> {
        let election = ElectionId::parse(&self.election)
            .map_err(|e| Error::BadRequest(e.to_string()))?
            .id();
        let versus = self
            .versus
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| ElectionId::parse(v).map(|e| e.id()))
            .transpose()
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        let indicator = Indicator::parse(self.indicator.as_deref().unwrap_or("participation"))
            .map_err(Error::BadRequest)?;
        let scope = territory_parameter(self.territory.as_deref())?;
        let classes = match self.breaks.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(breaks) => Classes::Breaks(
                breaks
                    .split(',')
                    .map(|b| b.trim().replace(',', ".").parse::<f64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        Error::BadRequest(format!(
                            "seuils invalides : {breaks} (attendu : 40,50,60)"
                        ))
                    })?,
            ),
            None => Classes::Quantiles(self.classes.unwrap_or(5).clamp(1, 9)),
        };
        Ok(MapRequest {
            kind,
            scope,
            election,
            round: self.round.unwrap_or(1),
            indicator,
            versus,
            classes,
        })
    }
}

/// The title of a map.
pub fn title(request: &MapRequest, scope_name: Option<&str>) -> String {
    let election = ElectionId::parse(&request.election)
        .map(|e| e.name())
        .unwrap_or_else(|_| request.election.clone());
    let mut title = format!(
        "{} — {election}, {} tour",
        request.indicator.label(),
        if request.round == 1 { "1er" } else { "2d" }
    );
    if let Some(versus) = &request.versus {
        title += &format!(" (comparé à {versus})");
    }
    if let Some(name) = scope_name {
        title += &format!(" — {name}");
    }
    title
}

/// A map on a page: the SVG, its download links, and the indicator choices of its form.
pub struct MapBlock {
    pub svg: String,
    /// The API addresses of the same map as SVG and as PNG.
    pub download: String,
    pub png: String,
    pub level_label: &'static str,
    /// (key, French label) of every indicator a page offers.
    pub indicators: Vec<(String, String)>,
    pub indicator: String,
}

/// The indicators offered in a page's map form (evolutions and nuances are in the API).
fn offered_indicators() -> Vec<(String, String)> {
    [
        Indicator::Participation,
        Indicator::Abstention,
        Indicator::Blancs,
        Indicator::Margin,
        Indicator::Score,
    ]
    .into_iter()
    .chain(
        BLOCS
            .iter()
            .map(|(bloc, _)| Indicator::Bloc((*bloc).to_owned())),
    )
    .map(|i| (i.key(), i.label()))
    .collect()
}

/// The map of `level` inside `scope` for one election and round; `None` when no boundary of
/// that level is stored there.
pub async fn map_block(
    state: &AppState,
    election: &Election,
    round: i64,
    level: Kind,
    scope: Option<&Territory>,
    indicator: Indicator,
) -> Result<Option<MapBlock>, Error> {
    // The score compares with the next older election, as the target list does.
    let versus = match indicator {
        Indicator::Score => crate::elections::list(state.store.pool())
            .await?
            .into_iter()
            .skip_while(|e| e.id != election.id)
            .nth(1)
            .map(|e| e.id),
        _ => None,
    };
    let request = MapRequest {
        kind: level,
        scope: scope.map(|t| t.code.clone()),
        election: election.id.clone(),
        round,
        indicator: indicator.clone(),
        versus: versus.clone(),
        classes: Classes::Quantiles(5),
    };
    let svg = match maps::choropleth(
        state.store.pool(),
        &request,
        &title(&request, scope.map(|t| t.name.as_str())),
    )
    .await
    {
        Ok(svg) => svg,
        Err(maps::Error::Map(maps::MapError::NoGeometry)) => return Ok(None),
        Err(e) => return Err(Error::Internal(e.into())),
    };
    let query = format!(
        "election={}&round={round}&indicator={}&territory={}&versus={}",
        election.id,
        indicator.key(),
        scope.map_or("", |t| t.code.as_str()),
        versus.unwrap_or_default(),
    );
    Ok(Some(MapBlock {
        svg,
        download: format!("/api/v1/maps/{}.svg?{query}", level.as_str()),
        png: format!("/api/v1/maps/{}.png?{query}", level.as_str()),
        level_label: level.plural_label(),
        indicators: offered_indicators(),
        indicator: indicator.key(),
    }))
}

/// A choropleth of one indicator for every territory of a level inside a scope.
#[utoipa::path(
    get,
    path = "/api/v1/maps/{file}",
    params(("file" = String, Path, description = "departement.svg, circonscription.svg, commune.png, bureau.svg…"), MapQuery),
    responses(
        (status = 200, description = "An SVG or PNG map", content_type = "image/svg+xml", body = String),
        (status = 400, body = crate::http::error::ErrorEnvelope),
        (status = 403, body = crate::http::error::ErrorEnvelope),
        (status = 404, body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "cartes"
)]
pub async fn draw_map(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<MapQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let (level, extension) = file
        .rsplit_once('.')
        .ok_or_else(|| Error::NotFound(format!("carte inconnue : {file}")))?;
    if extension != "svg" && extension != "png" {
        return Err(Error::NotFound(format!("format inconnu : {extension} (svg, png)")).into());
    }
    let kind =
        parse_level(level).ok_or_else(|| Error::NotFound(format!("niveau inconnu : {level}")))?;
    let request = query.request(kind)?;
    let pool = state.store.pool();
    let scope_name = match &request.scope {
        Some(code) => crate::territories::find(pool, code).await?.map(|t| t.name),
        None => None,
    };
    let svg = match maps::choropleth(pool, &request, &title(&request, scope_name.as_deref())).await
    {
        Ok(svg) => svg,
        Err(maps::Error::Map(maps::MapError::NoGeometry)) => {
            return Err(
                Error::NotFound("aucun contour pour ce niveau sur ce territoire".into()).into(),
            );
        }
        Err(maps::Error::NeedsVersus(key)) => {
            return Err(Error::BadRequest(format!("l'indicateur {key} demande versus=…")).into());
        }
        Err(e) => return Err(Error::Internal(e.into()).into()),
    };
    if extension == "png" {
        let printer = state.printer.clone();
        let png = tokio::task::spawn_blocking(move || printer.png(&svg, PNG_WIDTH))
            .await
            .map_err(|e| Error::Internal(e.into()))?
            .map_err(|e| Error::Internal(e.into()))?;
        return Ok((
            [
                (CONTENT_TYPE, "image/png"),
                (CACHE_CONTROL, "private, max-age=60"),
            ],
            png,
        )
            .into_response());
    }
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (CACHE_CONTROL, "private, max-age=60"),
        ],
        svg,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_level;
    use crate::territories::Kind;

    #[test]
    fn levels_are_singular_or_plural() {
        assert_eq!(parse_level("circonscriptions"), Some(Kind::Circonscription));
        assert_eq!(parse_level("circonscription"), Some(Kind::Circonscription));
        assert_eq!(parse_level("bureaux"), Some(Kind::Bureau));
        assert_eq!(parse_level("departements"), Some(Kind::Departement));
        assert_eq!(parse_level("epci"), None);
    }
}
