//! Elections and their results in the JSON API.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use territory_codes::TerritoryCode;
use utoipa::{IntoParams, ToSchema};

use crate::elections::{self, Election, ElectionId, Outcome};
use crate::http::error::{ApiError, Error};
use crate::http::{Access, AppState, EVERYONE, Route};

pub fn routes() -> Vec<Route> {
    vec![
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
    let territory = query
        .territory
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            TerritoryCode::parse(t)
                .map(|c| c.to_string())
                .map_err(|_| Error::NotFound(format!("territoire inconnu : {t}")))
        })
        .transpose()?;
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
