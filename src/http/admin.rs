//! Administration: the list of users and the audit log. Both are reads of personal data, so
//! both are themselves audited.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::{self, User};
use crate::audit::{self, AuditEntry};
use crate::http::error::{ApiError, PageError};
use crate::http::{
    ADMINS, Access, AppState, ClientIp, CsrfToken, CurrentUser, Layout, Route, render,
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/admin/utilisateurs",
            Access::signed(ADMINS),
            get(list_users_page),
        ),
        Route::new(
            Method::GET,
            "/admin/journal",
            Access::signed(ADMINS),
            get(list_audit_page),
        ),
        Route::new(
            Method::GET,
            "/api/v1/users",
            Access::signed(ADMINS),
            get(list_users),
        ),
        Route::new(
            Method::GET,
            "/api/v1/audit",
            Access::signed(ADMINS),
            get(list_audit),
        ),
    ]
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<User>,
}

/// Every account (admins only; the read is audited).
#[utoipa::path(
    get,
    path = "/api/v1/users",
    responses((status = 200, body = UserList), (status = 403, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "administration"
)]
pub async fn list_users(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<Json<UserList>, ApiError> {
    let pool = state.store.pool();
    audit::record(
        pool,
        Some(&user),
        "lecture de la liste des comptes",
        "",
        Some(&ip),
    )
    .await?;
    Ok(Json(UserList {
        users: accounts::list_users(pool).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
}

/// The latest 500 audit entries, newest first (admins only; the read is audited).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    responses((status = 200, body = AuditLog), (status = 403, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "administration"
)]
pub async fn list_audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
) -> Result<Json<AuditLog>, ApiError> {
    let pool = state.store.pool();
    audit::record(
        pool,
        Some(&user),
        "lecture du journal d'audit",
        "",
        Some(&ip),
    )
    .await?;
    Ok(Json(AuditLog {
        entries: audit::list(pool, 500).await?,
    }))
}

#[derive(askama::Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<User>,
}

async fn list_users_page(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
) -> Result<impl IntoResponse, PageError> {
    let pool = state.store.pool();
    audit::record(
        pool,
        Some(&user.0),
        "lecture de la liste des comptes",
        "",
        Some(&ip),
    )
    .await?;
    render(&UsersPage {
        users: accounts::list_users(pool).await?,
        layout: Layout::new(Some(&user), &csrf),
    })
}

#[derive(askama::Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditEntry>,
}

async fn list_audit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
) -> Result<impl IntoResponse, PageError> {
    let pool = state.store.pool();
    audit::record(
        pool,
        Some(&user.0),
        "lecture du journal d'audit",
        "",
        Some(&ip),
    )
    .await?;
    render(&AuditPage {
        entries: audit::list(pool, 500).await?,
        layout: Layout::new(Some(&user), &csrf),
    })
}
