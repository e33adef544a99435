//! Signing in and out.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::accounts::sessions;
use crate::accounts::sign_in::{SignInError, sign_in};
use crate::audit;
use crate::http::error::PageError;
use crate::http::{
    Access, AppState, ClientIp, CsrfToken, CurrentUser, EVERYONE, Layout, Route, cookies, render,
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(Method::GET, "/connexion", Access::Public, get(show_sign_in)),
        Route::new(
            Method::POST,
            "/connexion",
            Access::Public,
            post(create_session),
        ),
        Route::new(
            Method::POST,
            "/deconnexion",
            Access::signed(EVERYONE),
            post(delete_session),
        ),
    ]
}

#[derive(askama::Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct SignInQuery {
    message: Option<String>,
}

async fn show_sign_in(
    csrf: CsrfToken,
    Query(query): Query<SignInQuery>,
) -> Result<impl IntoResponse, PageError> {
    let notice = match query.message.as_deref() {
        Some("deconnecte") => Some("Vous êtes déconnecté.".to_owned()),
        Some("mot-de-passe") => {
            Some("Mot de passe changé : reconnectez-vous avec le nouveau.".to_owned())
        }
        _ => None,
    };
    render(&SignInPage {
        layout: Layout::new(None, &csrf),
        email: String::new(),
        error: None,
        notice,
    })
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
}

async fn create_session(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let pool = state.store.pool();
    let error = match sign_in(pool, &form.email, &form.password, &ip).await {
        Ok(user) => {
            let session = sessions::create(pool, user.id).await?;
            audit::record(pool, Some(&user), "connexion", "", Some(&ip)).await?;
            tracing::info!(user_id = user.id, "signed in");
            let cookie = cookies::set(
                cookies::SESSION,
                &session.cookie_value,
                sessions::LIFETIME_SECONDS,
                state.config.secure_cookies(),
            );
            return Ok((
                StatusCode::SEE_OTHER,
                [(LOCATION, "/".to_owned()), (SET_COOKIE, cookie)],
            )
                .into_response());
        }
        Err(SignInError::WrongCredentials) => (
            StatusCode::UNAUTHORIZED,
            "Adresse électronique ou mot de passe incorrect.",
        ),
        Err(SignInError::TooManyAttempts) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Trop de tentatives échouées : réessayez dans quinze minutes.",
        ),
        Err(SignInError::Database(e)) => return Err(e.into()),
    };
    audit::record(
        pool,
        None,
        "connexion refusée",
        form.email.trim(),
        Some(&ip),
    )
    .await?;
    let page = render(&SignInPage {
        layout: Layout::new(None, &csrf),
        email: form.email,
        error: Some(error.1.to_owned()),
        notice: None,
    })?;
    Ok((error.0, page).into_response())
}

async fn delete_session(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let pool = state.store.pool();
    if let Some(cookie) = cookies::get(&headers, cookies::SESSION) {
        sessions::delete(pool, &cookie).await?;
    }
    audit::record(pool, Some(&user), "déconnexion", "", Some(&ip)).await?;
    let cookie = cookies::clear(cookies::SESSION, state.config.secure_cookies());
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/connexion?message=deconnecte".to_owned()),
            (SET_COOKIE, cookie),
        ],
    )
        .into_response())
}
