//! Fiches on screen (`/territoires/{code}/fiche`) and as PDF (`/api/v1/fiches/{code}.pdf`).

use axum::extract::{Path, State};
use axum::http::Method;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::fiches::{self, Fiche};
use crate::http::error::{ApiError, Error, PageError};
use crate::http::{
    Access, AppState, CsrfToken, CurrentUser, EVERYONE, Layout, Route, canonical_territory, render,
};
use crate::store::now;

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/territoires/{code}/fiche",
            Access::in_territory(EVERYONE, "code"),
            get(show_fiche),
        ),
        Route::new(
            Method::GET,
            "/api/v1/fiches/{file}",
            Access::in_territory(EVERYONE, "file"),
            get(print_fiche),
        ),
    ]
}

async fn load(state: &AppState, raw: &str) -> Result<Fiche, Error> {
    let code = canonical_territory(raw)?;
    fiches::assemble(state.store.pool(), &code, &crate::french::date(now()))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .ok_or_else(|| Error::NotFound(format!("territoire inconnu : {code}")))
}

#[derive(askama::Template)]
#[template(path = "fiche.html")]
struct FichePage {
    layout: Layout,
    fiche: Fiche,
}

async fn show_fiche(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    let fiche = load(&state, &code).await?;
    render(&FichePage {
        layout: Layout::new(Some(&user), &csrf),
        fiche,
    })
}

/// The print-ready A4 fiche of a circonscription, commune, département or région.
#[utoipa::path(
    get,
    path = "/api/v1/fiches/{file}",
    params(("file" = String, Path, description = "34-01.pdf, 34172.pdf, 34.pdf…")),
    responses(
        (status = 200, description = "An A4 PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 403, body = crate::http::error::ErrorEnvelope),
        (status = 404, body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "fiches"
)]
pub async fn print_fiche(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let code = file
        .strip_suffix(".pdf")
        .ok_or_else(|| Error::NotFound(format!("fiche inconnue : {file} (attendu : 34-01.pdf)")))?;
    let fiche = load(&state, code).await?;
    let printer = state.printer.clone();
    let name = format!("fiche-{}.pdf", fiche.code);
    let pdf = tokio::task::spawn_blocking(move || fiches::pdf(&printer, &fiche))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(e.into()))?;
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
            (CACHE_CONTROL, "private, max-age=60".to_owned()),
        ],
        pdf,
    )
        .into_response())
}
