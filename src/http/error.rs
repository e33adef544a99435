//! The one HTTP error type, rendered as the JSON envelope for the API and as a page otherwise.
//!
//! API errors have the shape `{"errors":[{"status":403,"detail":"…"}]}`; database and internal
//! errors are logged and become an opaque 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("connexion requise")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("erreur interne")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<askama::Error> for Error {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let Error::Internal(e) = self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
    }

    pub fn out_of_scope() -> Self {
        Error::Forbidden("ce territoire est en dehors de votre périmètre".to_owned())
    }

    pub fn role_not_allowed() -> Self {
        Error::Forbidden("votre rôle ne donne pas accès à cette page".to_owned())
    }
}

/// The documented error envelope of the JSON API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub errors: Vec<ErrorDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    pub detail: String,
}

/// An error from a JSON API route.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let body = ErrorEnvelope {
            errors: vec![ErrorDetail {
                status: status.as_u16(),
                detail: self.0.to_string(),
            }],
        };
        (status, Json(body)).into_response()
    }
}

/// An error from a page route: a French page with a way back.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    detail: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let title = match &self.0 {
            Error::Unauthorized => "Connexion requise",
            Error::Forbidden(_) => "Accès refusé",
            Error::NotFound(_) => "Introuvable",
            Error::BadRequest(_) => "Requête invalide",
            Error::TooManyRequests(_) => "Trop de tentatives",
            Error::Internal(_) => "Erreur interne",
        };
        let page = ErrorPage {
            title,
            detail: self.0.to_string(),
        };
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title.to_owned()).into_response(),
        }
    }
}
