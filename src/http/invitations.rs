//! Inviting someone into a scope, and accepting an invitation.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use territory_codes::TerritoryCode;
use utoipa::ToSchema;

use crate::accounts::invitations::{self, InvitationError};
use crate::accounts::{AccountError, Role, User, sessions};
use crate::audit;
use crate::http::error::{ApiError, Error, PageError};
use crate::http::{
    Access, AppState, ClientIp, CsrfToken, CurrentUser, INVITERS, Layout, Route, cookies, render,
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/invitations",
            Access::signed(INVITERS),
            get(show_invitation_form),
        ),
        Route::new(
            Method::POST,
            "/invitations",
            Access::signed(INVITERS),
            post(create_invitation_page),
        ),
        Route::new(
            Method::POST,
            "/api/v1/invitations",
            Access::signed(INVITERS),
            post(create_invitation),
        ),
        Route::new(
            Method::GET,
            "/invitation/{token}",
            Access::Public,
            get(show_invitation),
        ),
        Route::new(
            Method::POST,
            "/invitation/{token}",
            Access::Public,
            post(accept_invitation),
        ),
    ]
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
    /// Canonical territory code; empty or absent means the inviter's own scope.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationLink {
    /// The link to send to the invitee; it is shown only once.
    pub url: String,
}

fn invitation_error(e: InvitationError) -> Error {
    match e {
        InvitationError::RoleNotAllowed(role) => {
            Error::Forbidden(format!("votre rôle ne permet pas d'inviter un {role}"))
        }
        InvitationError::OutsideScope(code) => Error::Forbidden(format!(
            "le territoire {code} est en dehors de votre périmètre"
        )),
        InvitationError::Invalid => {
            Error::NotFound("invitation inconnue, déjà utilisée ou expirée".into())
        }
        InvitationError::Account(AccountError::InvalidEmail(email)) => {
            Error::BadRequest(format!("adresse électronique invalide : {email}"))
        }
        InvitationError::Account(AccountError::UnknownTerritory(code)) => {
            Error::BadRequest(format!("territoire inconnu : {code}"))
        }
        InvitationError::Account(AccountError::EmailTaken(email)) => {
            Error::BadRequest(format!("un compte existe déjà pour {email}"))
        }
        InvitationError::Account(AccountError::WeakPassword) => Error::BadRequest(format!(
            "le mot de passe doit compter au moins {} caractères",
            crate::accounts::password::MIN_LENGTH
        )),
        InvitationError::Account(e) => Error::Internal(e.into()),
    }
}

async fn invite(
    state: &AppState,
    inviter: &User,
    ip: &str,
    invitation: &NewInvitation,
) -> Result<String, Error> {
    let scope = match invitation.scope.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            TerritoryCode::parse(code)
                .map_err(|_| Error::BadRequest(format!("territoire inconnu : {code}")))?
                .to_string(),
        ),
    };
    let pool = state.store.pool();
    let token = invitations::create(
        pool,
        inviter,
        &invitation.email,
        invitation.role,
        scope.as_deref(),
    )
    .await
    .map_err(invitation_error)?;
    let target = format!(
        "{} ({}, {})",
        invitation.email.trim(),
        invitation.role.as_str(),
        scope.as_deref().unwrap_or("national")
    );
    audit::record(pool, Some(inviter), "invitation", &target, Some(ip)).await?;
    Ok(format!(
        "{}/invitation/{token}",
        state.config.public_url.trim_end_matches('/')
    ))
}

/// Invites someone into a scope inside the caller's own.
#[utoipa::path(
    post,
    path = "/api/v1/invitations",
    request_body = NewInvitation,
    responses(
        (status = 200, body = InvitationLink),
        (status = 400, body = crate::http::error::ErrorEnvelope),
        (status = 403, body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "comptes"
)]
pub async fn create_invitation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    payload: Result<Json<NewInvitation>, JsonRejection>,
) -> Result<Json<InvitationLink>, ApiError> {
    let Json(invitation) = payload.map_err(|e| Error::BadRequest(e.body_text()))?;
    let url = invite(&state, &user, &ip, &invitation).await?;
    Ok(Json(InvitationLink { url }))
}

#[derive(askama::Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    layout: Layout,
    roles: Vec<Role>,
    link: Option<String>,
    error: Option<String>,
}

async fn show_invitation_form(
    user: CurrentUser,
    csrf: CsrfToken,
) -> Result<impl IntoResponse, PageError> {
    render(&InvitationsPage {
        roles: user.0.role.may_invite().to_vec(),
        layout: Layout::new(Some(&user), &csrf),
        link: None,
        error: None,
    })
}

#[derive(Deserialize)]
struct InvitationForm {
    email: String,
    role: String,
    scope: String,
}

async fn create_invitation_page(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Form(form): Form<InvitationForm>,
) -> Result<Response, PageError> {
    let result = match Role::parse(&form.role) {
        None => Err(Error::BadRequest(format!("rôle inconnu : {}", form.role))),
        Some(role) => {
            let invitation = NewInvitation {
                email: form.email,
                role,
                scope: Some(form.scope),
            };
            invite(&state, &user.0, &ip, &invitation).await
        }
    };
    let (status, link, error) = match result {
        Ok(link) => (StatusCode::OK, Some(link), None),
        Err(Error::Internal(e)) => return Err(Error::Internal(e).into()),
        Err(e) => (e.status(), None, Some(e.to_string())),
    };
    let page = render(&InvitationsPage {
        roles: user.0.role.may_invite().to_vec(),
        layout: Layout::new(Some(&user), &csrf),
        link,
        error,
    })?;
    Ok((status, page).into_response())
}

#[derive(askama::Template)]
#[template(path = "invitation_accept.html")]
struct AcceptPage {
    layout: Layout,
    email: String,
    role: String,
    scope: String,
    error: Option<String>,
    min_length: usize,
}

async fn accept_page(
    state: &AppState,
    csrf: &CsrfToken,
    token: &str,
    error: Option<String>,
) -> Result<AcceptPage, Error> {
    let pool = state.store.pool();
    let invitation = invitations::find(pool, token)
        .await?
        .ok_or_else(|| invitation_error(InvitationError::Invalid))?;
    let scope = match &invitation.scope_code {
        Some(code) => crate::territories::find(pool, code)
            .await?
            .map(|t| t.name)
            .unwrap_or_else(|| code.clone()),
        None => "national".to_owned(),
    };
    Ok(AcceptPage {
        layout: Layout::new(None, csrf),
        role: Role::parse(&invitation.role)
            .map(Role::label)
            .unwrap_or_default()
            .to_owned(),
        email: invitation.email,
        scope,
        error,
        min_length: crate::accounts::password::MIN_LENGTH,
    })
}

async fn show_invitation(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    render(&accept_page(&state, &csrf, &token, None).await?)
}

#[derive(Deserialize)]
struct AcceptForm {
    display_name: String,
    password: String,
    confirmation: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    let pool = state.store.pool();
    let result = if form.password != form.confirmation {
        Err(Error::BadRequest("les deux mots de passe diffèrent".into()))
    } else {
        invitations::accept(pool, &token, &form.display_name, &form.password)
            .await
            .map_err(invitation_error)
    };
    let user = match result {
        Ok(user) => user,
        Err(Error::BadRequest(message)) => {
            let page = render(&accept_page(&state, &csrf, &token, Some(message)).await?)?;
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        pool,
        Some(&user),
        "acceptation d'invitation",
        &user.email,
        Some(&ip),
    )
    .await?;
    let session = sessions::create(pool, user.id).await?;
    let cookie = cookies::set(
        cookies::SESSION,
        &session.cookie_value,
        sessions::LIFETIME_SECONDS,
        state.config.secure_cookies(),
    );
    Ok((
        StatusCode::SEE_OTHER,
        [(LOCATION, "/".to_owned()), (SET_COOKIE, cookie)],
    )
        .into_response())
}
