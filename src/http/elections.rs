//! Elections and their results in the JSON API.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::elections::import::{Difference, differences};
use crate::elections::indicators::Indicator;
use crate::elections::{self, Election, ElectionId, Outcome};
use crate::french::percent;
use crate::http::error::{ApiError, Error, PageError};
use crate::http::maps::{MapBlock, map_block};
use crate::http::targeting::default_level;
use crate::http::{
    Access, AppState, CsrfToken, CurrentUser, EVERYONE, Layout, Route, render, territory_parameter,
};
use crate::territories;

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/elections",
            Access::signed(EVERYONE),
            get(list_elections_page),
        ),
        Route::new(
            Method::GET,
            "/elections/{id}",
            Access::in_territory(EVERYONE, "territoire"),
            get(show_election),
        ),
        Route::new(
            Method::GET,
            "/api/v1/elections",
            Access::signed(EVERYONE),
            get(list_elections),
        ),
        Route::new(
            Method::GET,
            "/api/v1/elections/{id}/results",
            Access::in_territory(EVERYONE, "territory"),
            get(find_results),
        ),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ElectionList {
    pub elections: Vec<Election>,
}

/// Every election with results imported, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/elections",
    responses((status = 200, body = ElectionList), (status = 401, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "élections"
)]
pub async fn list_elections(State(state): State<AppState>) -> Result<Json<ElectionList>, ApiError> {
    Ok(Json(ElectionList {
        elections: elections::list(state.store.pool()).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ResultsQuery {
    /// Canonical territory code; absent means the whole country (national users only).
    territory: Option<String>,
    /// Round, 1 by default.
    round: Option<i64>,
}

/// A territory's results: inscrits, votants, exprimés, participation and each candidate's
/// votes and shares, summed from the finest stored level when needed.
#[utoipa::path(
    get,
    path = "/api/v1/elections/{id}/results",
    params(("id" = String, Path, description = "legislatives-2022, presidentielle-2022…"), ResultsQuery),
    responses(
        (status = 200, body = Outcome),
        (status = 403, description = "Territory outside the caller's scope", body = crate::http::error::ErrorEnvelope),
        (status = 404, body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "élections"
)]
pub async fn find_results(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<ResultsQuery>, QueryRejection>,
) -> Result<Json<Outcome>, ApiError> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let election = ElectionId::parse(&id).map_err(|e| Error::NotFound(e.to_string()))?;
    let territory = territory_parameter(query.territory.as_deref())?;
    let outcome = elections::outcome(
        state.store.pool(),
        &election.id(),
        query.round.unwrap_or(1),
        territory.as_deref(),
    )
    .await?
    .ok_or_else(|| {
        Error::NotFound(format!(
            "aucun résultat pour {} sur ce territoire",
            election.id()
        ))
    })?;
    Ok(Json(outcome))
}

#[derive(askama::Template)]
#[template(path = "elections.html")]
struct ElectionsPage {
    layout: Layout,
    elections: Vec<Election>,
    /// The query string that keeps a scoped user inside their territory.
    scope_query: String,
}

async fn list_elections_page(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
) -> Result<impl IntoResponse, PageError> {
    let scope_query = user
        .0
        .scope_code
        .as_ref()
        .map(|code| format!("?territoire={code}"))
        .unwrap_or_default();
    render(&ElectionsPage {
        layout: Layout::new(Some(&user), &csrf),
        elections: elections::list(state.store.pool()).await?,
        scope_query,
    })
}

#[derive(Debug, Deserialize)]
struct ElectionPageQuery {
    tour: Option<i64>,
    indicateur: Option<String>,
    territoire: Option<String>,
}

/// One line of an election's results table: a candidate, or a nuance when there are too many
/// candidates to list (législatives at national level).
struct ResultRow {
    label: String,
    nuance: String,
    votes: i64,
    share: String,
    elected: bool,
}

#[derive(askama::Template)]
#[template(path = "election.html")]
struct ElectionPage {
    layout: Layout,
    election: Election,
    rounds: Vec<i64>,
    round: i64,
    scope_code: String,
    scope_name: String,
    totals: Option<Outcome>,
    participation: String,
    grouped_by_nuance: bool,
    rows: Vec<ResultRow>,
    map: Option<MapBlock>,
    differences: Vec<Difference>,
}

/// Candidates beyond which the table groups them by nuance.
const MAX_LISTED_CANDIDATES: usize = 40;

async fn show_election(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    query: Result<Query<ElectionPageQuery>, QueryRejection>,
) -> Result<impl IntoResponse, PageError> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let pool = state.store.pool();
    let id = ElectionId::parse(&id)
        .map_err(|e| Error::NotFound(e.to_string()))?
        .id();
    let election = elections::list(pool)
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| Error::NotFound(format!("aucun résultat importé pour {id}")))?;
    let mut rounds: Vec<i64> = election.result_sets.iter().map(|s| s.round).collect();
    rounds.sort_unstable();
    rounds.dedup();
    let round = query
        .tour
        .filter(|r| rounds.contains(r))
        .or_else(|| rounds.first().copied())
        .unwrap_or(1);
    let scope = match territory_parameter(query.territoire.as_deref())? {
        Some(code) => Some(
            territories::find(pool, &code)
                .await?
                .ok_or_else(|| Error::NotFound(format!("territoire inconnu : {code}")))?,
        ),
        None => None,
    };
    let scope_code = scope.as_ref().map(|t| t.code.as_str());
    let totals = elections::outcome(pool, &id, round, scope_code).await?;
    let mut rows: Vec<ResultRow> = Vec::new();
    let mut grouped_by_nuance = false;
    if let Some(totals) = &totals {
        if totals.candidates.len() > MAX_LISTED_CANDIDATES {
            grouped_by_nuance = true;
            let mut by_nuance: Vec<(String, i64, usize)> = Vec::new();
            for candidate in &totals.candidates {
                let nuance = candidate.nuance.clone().unwrap_or_else(|| "—".into());
                match by_nuance.iter_mut().find(|(n, _, _)| *n == nuance) {
                    Some(entry) => {
                        entry.1 += candidate.votes;
                        entry.2 += usize::from(candidate.elected == Some(true));
                    }
                    None => by_nuance.push((
                        nuance,
                        candidate.votes,
                        usize::from(candidate.elected == Some(true)),
                    )),
                }
            }
            by_nuance.sort_by_key(|entry| std::cmp::Reverse(entry.1));
            rows = by_nuance
                .into_iter()
                .map(|(nuance, votes, elected)| ResultRow {
                    label: if elected > 0 {
                        format!("{elected} élu(s)")
                    } else {
                        String::new()
                    },
                    nuance,
                    votes,
                    share: percent(elections::rounded(crate::elections::indicators::percent(
                        votes,
                        totals.exprimes,
                    ))),
                    elected: false,
                })
                .collect();
        } else {
            rows = totals
                .candidates
                .iter()
                .map(|c| ResultRow {
                    label: format!("{} {}", c.first_name, c.last_name),
                    nuance: c.nuance.clone().unwrap_or_default(),
                    votes: c.votes,
                    share: percent(c.share_of_exprimes),
                    elected: c.elected == Some(true),
                })
                .collect();
        }
    }
    let level = default_level(scope.as_ref().map(|t| t.kind));
    let indicator = query
        .indicateur
        .as_deref()
        .and_then(|i| Indicator::parse(i).ok())
        .unwrap_or(Indicator::Participation);
    let map = map_block(&state, &election, round, level, scope.as_ref(), indicator).await?;
    render(&ElectionPage {
        layout: Layout::new(Some(&user), &csrf),
        participation: totals
            .as_ref()
            .map(|t| percent(t.participation))
            .unwrap_or_default(),
        differences: differences_within(pool, &id, round, scope_code).await?,
        election,
        rounds,
        round,
        scope_code: scope.as_ref().map(|t| t.code.clone()).unwrap_or_default(),
        scope_name: scope
            .as_ref()
            .map_or_else(|| "France entière".to_owned(), |t| t.name.clone()),
        totals,
        grouped_by_nuance,
        rows,
        map,
    })
}

/// The consistency differences of the election and round inside the scope.
async fn differences_within(
    pool: &sqlx::AnyPool,
    election: &str,
    round: i64,
    scope: Option<&str>,
) -> sqlx::Result<Vec<Difference>> {
    let mut within = Vec::new();
    for difference in differences(pool, election, round).await? {
        if territories::is_within(pool, &difference.territory, scope).await? {
            within.push(difference);
        }
    }
    Ok(within)
}
