//! The HTTP layer: one module per resource, each listing its routes with the access they need.
//!
//! Invariants: every route is declared with an [`Access`] in [`routes`], and [`authorize`]
//! is the one place where sign-in, role, territorial scope and CSRF are checked. A route cannot
//! exist without an entry in that table, and the authorization test walks the table.

pub mod account;
pub mod admin;
pub mod api_docs;
mod cookies;
pub mod elections;
pub mod error;
pub mod fiches;
mod home;
pub mod invitations;
pub mod maps;
mod metrics;
mod session;
mod system;
pub mod targeting;
pub mod territories;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::{RequestExt, Router};
use territory_codes::TerritoryCode;

use crate::accounts::{Role, User, random_secret, sessions, tokens};
use crate::config::Config;
use crate::http::error::{ApiError, Error, PageError};
use crate::store::Store;

pub use metrics::Metrics;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// The PDF and PNG engine, with its fonts loaded once.
    pub printer: Arc<tribun_print::Printer>,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, health, assets).
    Public,
    /// A signed-in user with one of `roles`; when `territory` names a path or query parameter,
    /// the territory it holds must lie inside the user's scope (none given means national).
    Signed {
        roles: &'static [Role],
        territory: Option<&'static str>,
    },
}

pub const EVERYONE: &[Role] = &Role::ALL;
pub const INVITERS: &[Role] = &[Role::Admin, Role::Coordinateur];
pub const ADMINS: &[Role] = &[Role::Admin];

impl Access {
    pub const fn signed(roles: &'static [Role]) -> Self {
        Access::Signed {
            roles,
            territory: None,
        }
    }

    pub const fn in_territory(roles: &'static [Role], parameter: &'static str) -> Self {
        Access::Signed {
            roles,
            territory: Some(parameter),
        }
    }
}

/// A route as declared by its module.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

impl Route {
    pub fn new(
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
        Self {
            method,
            path,
            access,
            handler,
        }
    }

    fn is_api(&self) -> bool {
        self.path.starts_with("/api/") || self.path == "/metrics"
    }
}

/// Every route of the application with its access rule.
pub fn routes() -> Vec<Route> {
    [
        system::routes(),
        session::routes(),
        home::routes(),
        territories::routes(),
        elections::routes(),
        maps::routes(),
        targeting::routes(),
        fiches::routes(),
        account::routes(),
        invitations::routes(),
        admin::routes(),
        api_docs::routes(),
        metrics::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in routes() {
        let guard = Guard {
            state: state.clone(),
            access: route.access,
            api: route.is_api(),
        };
        let handler = route
            .handler
            .layer(middleware::from_fn_with_state(guard, authorize));
        router = router.route(route.path, handler);
    }
    router
        .fallback(|| async { PageError(Error::NotFound("cette page n'existe pas".into())) })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::observe,
        ))
        .with_state(state)
}

#[derive(Clone)]
struct Guard {
    state: AppState,
    access: Access,
    api: bool,
}

/// The signed-in user, put in the request by [`authorize`].
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// The CSRF token to put in this page's forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// The client's IP address, for rate limits and the audit log.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

macro_rules! from_extension {
    ($($ty:ty),*) => {$(
        impl<S: Send + Sync> FromRequestParts<S> for $ty {
            type Rejection = Error;

            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
                parts.extensions.get::<$ty>().cloned().ok_or(Error::Unauthorized)
            }
        }
    )*};
}
from_extension!(CurrentUser, CsrfToken, ClientIp);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        PageError(self).into_response()
    }
}

/// Checks sign-in, role, territorial scope and CSRF for one route.
async fn authorize(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let api = guard.api;
    match guard.check(request).await {
        Ok((request, set_cookie)) => {
            let mut response = next.run(request).await;
            if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            response
        }
        Err(Error::Unauthorized) if !api => {
            (StatusCode::SEE_OTHER, [(LOCATION, "/connexion")]).into_response()
        }
        Err(error) if api => ApiError(error).into_response(),
        Err(error) => PageError(error).into_response(),
    }
}

impl Guard {
    async fn check(&self, mut request: Request) -> Result<(Request, Option<String>), Error> {
        let pool = self.state.store.pool();
        let secure = self.state.config.secure_cookies();
        let ip = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "inconnue".to_owned());
        let bearer = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::to_owned);

        let mut user = None;
        let mut csrf = None;
        let mut set_cookie = None;
        if let Some(token) = &bearer {
            user = Some(
                tokens::authenticate(pool, token.trim())
                    .await?
                    .ok_or(Error::Unauthorized)?,
            );
        } else {
            if let Some(cookie) = cookies::get(request.headers(), cookies::SESSION)
                && let Some((found, token)) = sessions::find(pool, &cookie).await?
            {
                user = Some(found);
                csrf = Some(token);
            }
            if csrf.is_none() {
                csrf = cookies::get(request.headers(), cookies::CSRF).filter(|c| c.len() >= 32);
            }
            if csrf.is_none() {
                let token = random_secret();
                set_cookie = Some(cookies::set(cookies::CSRF, &token, 24 * 3600, secure));
                csrf = Some(token);
            }
        }

        if let Access::Signed { roles, territory } = self.access {
            let user = user.as_ref().ok_or(Error::Unauthorized)?;
            if !roles.contains(&user.role) {
                return Err(Error::role_not_allowed());
            }
            if let Some(parameter) = territory {
                // The territory is a path parameter, or else a query parameter; a route that
                // names one but gets none is about the whole country.
                let params = request
                    .extract_parts::<RawPathParams>()
                    .await
                    .map_err(|_| Error::NotFound("territoire inconnu".into()))?;
                let from_path = params
                    .iter()
                    .find(|(name, _)| *name == parameter)
                    .map(|(_, value)| value.to_owned());
                let raw = from_path
                    .or_else(|| {
                        form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
                            .find(|(name, _)| name == parameter)
                            .map(|(_, value)| value.into_owned())
                    })
                    .filter(|value| !value.trim().is_empty())
                    // A file name such as `34-01.pdf` names its territory before the
                    // extension (no territory code holds a dot).
                    .map(|value| match value.split_once('.') {
                        Some((code, _)) => code.to_owned(),
                        None => value,
                    });
                let within = match raw {
                    Some(raw) => {
                        let code = TerritoryCode::parse(&raw)
                            .map_err(|_| Error::NotFound(format!("territoire inconnu : {raw}")))?
                            .to_string();
                        crate::territories::is_within(pool, &code, user.scope_code.as_deref())
                            .await?
                    }
                    None => user.scope_code.is_none(),
                };
                if !within {
                    return Err(Error::out_of_scope());
                }
            }
        }

        if !request.method().is_safe() && bearer.is_none() {
            // A token minted for this very request cannot have been sent with it.
            let expected = if set_cookie.is_some() {
                String::new()
            } else {
                csrf.clone().unwrap_or_default()
            };
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, 1024 * 1024)
                .await
                .map_err(|_| Error::BadRequest("requête trop volumineuse".into()))?;
            let provided = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| {
                    let is_form = parts
                        .headers
                        .get(CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
                    is_form
                        .then(|| {
                            form_urlencoded::parse(&bytes)
                                .find(|(key, _)| key == "csrf_token")
                                .map(|(_, value)| value.into_owned())
                        })
                        .flatten()
                });
            let valid = !expected.is_empty()
                && provided.is_some_and(|p| constant_time_eq(p.as_bytes(), expected.as_bytes()));
            if !valid {
                return Err(Error::Forbidden(
                    "jeton CSRF manquant ou invalide : rechargez la page et recommencez".into(),
                ));
            }
            request = Request::from_parts(parts, Body::from(bytes));
        }

        if let Some(user) = user {
            request.extensions_mut().insert(CurrentUser(user));
        }
        request
            .extensions_mut()
            .insert(CsrfToken(csrf.unwrap_or_default()));
        request.extensions_mut().insert(ClientIp(ip));
        Ok((request, set_cookie))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The canonical code of a territory the caller names, or a 404 naming what was given.
pub fn canonical_territory(raw: &str) -> Result<String, Error> {
    TerritoryCode::parse(raw)
        .map(|code| code.to_string())
        .map_err(|_| Error::NotFound(format!("territoire inconnu : {raw}")))
}

/// An optional territory parameter: blank means none.
pub fn territory_parameter(raw: Option<&str>) -> Result<Option<String>, Error> {
    raw.filter(|t| !t.trim().is_empty())
        .map(canonical_territory)
        .transpose()
}

/// What the shared page layout needs: who is signed in and the CSRF token for the sign-out form.
pub struct Layout {
    pub user: Option<User>,
    pub csrf: String,
}

impl Layout {
    pub fn new(user: Option<&CurrentUser>, csrf: &CsrfToken) -> Self {
        Self {
            user: user.map(|u| u.0.clone()),
            csrf: csrf.0.clone(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }

    pub fn may_target(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| targeting::PLANNERS.contains(&u.role))
    }

    pub fn may_invite(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| !u.role.may_invite().is_empty())
    }
}

/// Renders an askama page into a response.
pub fn render(page: &impl askama::Template) -> Result<axum::response::Html<String>, PageError> {
    Ok(axum::response::Html(page.render()?))
}

/// A Unix timestamp as `2026-12-03 21:39` (UTC), for tables.
pub fn format_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_format_as_utc_dates() {
        assert_eq!(super::format_time(0), "1970-01-01 00:00");
        assert_eq!(super::format_time(1_796_333_940), "2026-12-03 21:39");
    }
}
