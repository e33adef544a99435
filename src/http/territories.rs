//! Territory search and territory pages, in HTML and in the JSON API.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use territory_codes::TerritoryCode;
use utoipa::{IntoParams, ToSchema};

use crate::elections::{self, indicators::Indicator};
use crate::fiches::{self, HistoryLine};
use crate::http::error::{ApiError, Error, PageError};
use crate::http::maps::{MapBlock, map_block};
use crate::http::{Access, AppState, CsrfToken, CurrentUser, EVERYONE, Layout, Route, render};
use crate::territories::{self, Kind, Related, SearchHit, Territory};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/territoires",
            Access::signed(EVERYONE),
            get(search_territories_page),
        ),
        Route::new(
            Method::GET,
            "/territoires/{code}",
            Access::in_territory(EVERYONE, "code"),
            get(show_territory),
        ),
        Route::new(
            Method::GET,
            "/api/v1/territories",
            Access::signed(EVERYONE),
            get(search_territories),
        ),
        Route::new(
            Method::GET,
            "/api/v1/territories/{code}",
            Access::in_territory(EVERYONE, "code"),
            get(find_territory),
        ),
    ]
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Name or code; accents, case, apostrophes and hyphens do not matter.
    q: Option<String>,
    /// At most this many results (default 20, at most 100).
    limit: Option<i64>,
}

impl SearchQuery {
    fn text(&self) -> &str {
        self.q.as_deref().unwrap_or("").trim()
    }

    fn limit(&self) -> i64 {
        self.limit.unwrap_or(20).clamp(1, 100)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub results: Vec<SearchHit>,
}

/// Searches territories by name or code inside the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/territories",
    params(SearchQuery),
    responses(
        (status = 200, description = "Best matches first, then by population", body = SearchResults),
        (status = 401, description = "Not signed in", body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "territoires"
)]
pub async fn search_territories(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let results = territories::search(
        state.store.pool(),
        query.text(),
        user.scope_code.as_deref(),
        query.limit(),
    )
    .await?;
    Ok(Json(SearchResults { results }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TerritoryDetail {
    pub territory: Territory,
    pub parents: Vec<Related>,
    pub children: Vec<Related>,
}

async fn load_detail(state: &AppState, code: &str) -> Result<TerritoryDetail, Error> {
    let code = TerritoryCode::parse(code)
        .map_err(|_| Error::NotFound(format!("territoire inconnu : {code}")))?
        .to_string();
    let pool = state.store.pool();
    let territory = territories::find(pool, &code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("territoire inconnu : {code}")))?;
    Ok(TerritoryDetail {
        territory,
        parents: territories::parents(pool, &code).await?,
        children: territories::children(pool, &code).await?,
    })
}

/// A territory with its parents and children.
#[utoipa::path(
    get,
    path = "/api/v1/territories/{code}",
    params(("code" = String, Path, description = "Canonical code: R76, 34, 2A, 34-01, 34172, 243400017")),
    responses(
        (status = 200, body = TerritoryDetail),
        (status = 403, description = "Outside the caller's scope", body = crate::http::error::ErrorEnvelope),
        (status = 404, description = "Unknown territory", body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "territoires"
)]
pub async fn find_territory(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<TerritoryDetail>, ApiError> {
    Ok(Json(load_detail(&state, &code).await?))
}

#[derive(askama::Template)]
#[template(path = "territories.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    results: Vec<SearchHit>,
}

async fn search_territories_page(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    Query(query): Query<SearchQuery>,
) -> Result<impl IntoResponse, PageError> {
    let results = territories::search(
        state.store.pool(),
        query.text(),
        user.0.scope_code.as_deref(),
        query.limit(),
    )
    .await?;
    render(&SearchPage {
        layout: Layout::new(Some(&user), &csrf),
        query: query.text().to_owned(),
        results,
    })
}

/// Children of one kind, for one section of the territory page.
struct ChildGroup {
    label: &'static str,
    territories: Vec<Related>,
}

#[derive(askama::Template)]
#[template(path = "territory.html")]
struct TerritoryPage {
    layout: Layout,
    detail: TerritoryDetail,
    groups: Vec<ChildGroup>,
    results: Vec<HistoryLine>,
    map: Option<TerritoryMap>,
}

/// The map of a territory's sub-territories, the elections it may show (id, name), and the
/// one it shows.
struct TerritoryMap {
    block: MapBlock,
    elections: Vec<(String, String)>,
    election: String,
}

#[derive(Debug, Deserialize)]
struct TerritoryPageQuery {
    election: Option<String>,
    indicateur: Option<String>,
}

async fn territory_map(
    state: &AppState,
    territory: &Territory,
    query: &TerritoryPageQuery,
) -> Result<Option<TerritoryMap>, Error> {
    let Some(level) = fiches::sub_level(territory.kind) else {
        return Ok(None);
    };
    let elections = elections::list(state.store.pool()).await?;
    let Some(election) = query
        .election
        .as_deref()
        .and_then(|id| elections.iter().find(|e| e.id == id))
        .or(elections.first())
    else {
        return Ok(None);
    };
    let indicator = query
        .indicateur
        .as_deref()
        .and_then(|i| Indicator::parse(i).ok())
        .unwrap_or(Indicator::Participation);
    let Some(block) = map_block(state, election, 1, level, Some(territory), indicator).await?
    else {
        return Ok(None);
    };
    Ok(Some(TerritoryMap {
        block,
        election: election.id.clone(),
        elections: elections
            .iter()
            .map(|e| (e.id.clone(), e.name.clone()))
            .collect(),
    }))
}

async fn show_territory(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    Path(code): Path<String>,
    Query(query): Query<TerritoryPageQuery>,
) -> Result<impl IntoResponse, PageError> {
    let mut detail = load_detail(&state, &code).await?;
    let results = fiches::results_history(state.store.pool(), &detail.territory.code)
        .await?
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    let map = territory_map(&state, &detail.territory, &query).await?;
    let children = std::mem::take(&mut detail.children);
    let groups = Kind::ALL
        .into_iter()
        .map(|kind| ChildGroup {
            label: kind.plural_label(),
            territories: children
                .iter()
                .filter(|c| c.territory.kind == kind)
                .cloned()
                .collect(),
        })
        .filter(|group| !group.territories.is_empty())
        .collect();
    render(&TerritoryPage {
        layout: Layout::new(Some(&user), &csrf),
        detail,
        groups,
        results,
        map,
    })
}
