//! The signed-in user's own account: who am I, password change, personal API tokens.

use axum::extract::{Path, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::Deserialize;

use crate::accounts::sign_in::{SignInError, sign_in};
use crate::accounts::tokens::{self, ApiToken};
use crate::accounts::{self, AccountError, User};
use crate::audit;
use crate::http::error::{ApiError, Error, PageError};
use crate::http::{
    Access, AppState, ClientIp, CsrfToken, CurrentUser, EVERYONE, Layout, Route, cookies, render,
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/api/v1/me",
            Access::signed(EVERYONE),
            get(find_me),
        ),
        Route::new(
            Method::GET,
            "/compte/mot-de-passe",
            Access::signed(EVERYONE),
            get(show_password_form),
        ),
        Route::new(
            Method::POST,
            "/compte/mot-de-passe",
            Access::signed(EVERYONE),
            post(update_password),
        ),
        Route::new(
            Method::GET,
            "/compte/jetons",
            Access::signed(EVERYONE),
            get(list_tokens),
        ),
        Route::new(
            Method::POST,
            "/compte/jetons",
            Access::signed(EVERYONE),
            post(create_token),
        ),
        Route::new(
            Method::POST,
            "/compte/jetons/{id}/revoquer",
            Access::signed(EVERYONE),
            post(revoke_token),
        ),
    ]
}

/// The caller's own account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    responses((status = 200, body = User), (status = 401, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "comptes"
)]
pub async fn find_me(CurrentUser(user): CurrentUser) -> Result<Json<User>, ApiError> {
    Ok(Json(user))
}

#[derive(askama::Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    error: Option<String>,
    min_length: usize,
}

async fn show_password_form(
    user: CurrentUser,
    csrf: CsrfToken,
) -> Result<impl IntoResponse, PageError> {
    render(&PasswordPage {
        layout: Layout::new(Some(&user), &csrf),
        error: None,
        min_length: accounts::password::MIN_LENGTH,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirmation: String,
}

async fn update_password(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let pool = state.store.pool();
    let error = if form.new_password != form.confirmation {
        Some("Les deux nouveaux mots de passe diffèrent.".to_owned())
    } else {
        match sign_in(pool, &user.0.email, &form.current_password, &ip).await {
            Err(SignInError::WrongCredentials) => Some("Mot de passe actuel incorrect.".to_owned()),
            Err(SignInError::TooManyAttempts) => {
                Some("Trop de tentatives échouées : réessayez dans quinze minutes.".to_owned())
            }
            Err(SignInError::Database(e)) => return Err(e.into()),
            Ok(_) => match accounts::set_password(pool, user.0.id, &form.new_password).await {
                Err(AccountError::WeakPassword) => Some(format!(
                    "Le nouveau mot de passe doit compter au moins {} caractères.",
                    accounts::password::MIN_LENGTH
                )),
                Err(e) => return Err(Error::Internal(e.into()).into()),
                Ok(()) => None,
            },
        }
    };
    if let Some(error) = error {
        let page = render(&PasswordPage {
            layout: Layout::new(Some(&user), &csrf),
            error: Some(error),
            min_length: accounts::password::MIN_LENGTH,
        })?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    audit::record(
        pool,
        Some(&user.0),
        "changement de mot de passe",
        &user.0.email,
        Some(&ip),
    )
    .await?;
    // Changing the password ends every session, this one included.
    let cookie = cookies::clear(cookies::SESSION, state.config.secure_cookies());
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/connexion?message=mot-de-passe".to_owned()),
            (SET_COOKIE, cookie),
        ],
    )
        .into_response())
}

#[derive(askama::Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
}

async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
) -> Result<impl IntoResponse, PageError> {
    render(&TokensPage {
        tokens: tokens::list(state.store.pool(), user.0.id).await?,
        layout: Layout::new(Some(&user), &csrf),
        new_token: None,
    })
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Form(form): Form<TokenForm>,
) -> Result<impl IntoResponse, PageError> {
    let pool = state.store.pool();
    let token = tokens::create(pool, user.0.id, &form.name).await?;
    audit::record(
        pool,
        Some(&user.0),
        "création de jeton d'API",
        form.name.trim(),
        Some(&ip),
    )
    .await?;
    render(&TokensPage {
        tokens: tokens::list(pool, user.0.id).await?,
        layout: Layout::new(Some(&user), &csrf),
        new_token: Some(token),
    })
}

async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let pool = state.store.pool();
    if !tokens::revoke(pool, user.id, id).await? {
        return Err(Error::NotFound("jeton inconnu".into()).into());
    }
    audit::record(
        pool,
        Some(&user),
        "révocation de jeton d'API",
        &id.to_string(),
        Some(&ip),
    )
    .await?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/compte/jetons")]).into_response())
}
