//! Static assets compiled into the binary (no CDN: the browser fetches nothing elsewhere) and
//! the health check.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::http::{Access, Route};

const CSS: &str = include_str!("../../assets/tribun.css");
const ICON: &str = include_str!("../../assets/favicon.svg");
const MAP_SCRIPT: &str = include_str!("../../assets/map.js");

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/assets/{file}",
            Access::Public,
            get(serve_asset),
        ),
        Route::new(Method::GET, "/healthz", Access::Public, get(check_health)),
    ]
}

async fn serve_asset(Path(file): Path<String>) -> Response {
    let (content_type, body) = match file.as_str() {
        "tribun.css" => ("text/css; charset=utf-8", CSS),
        "favicon.svg" => ("image/svg+xml", ICON),
        "map.js" => ("text/javascript; charset=utf-8", MAP_SCRIPT),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Liveness and readiness: answers 200 once the database responds.
async fn check_health(
    axum::extract::State(state): axum::extract::State<crate::http::AppState>,
) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(state.store.pool())
        .await
    {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
