//! The OpenAPI document of the JSON API, generated from the handlers' annotations.

use axum::Json;
use axum::http::Method;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::{Access, Route};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tribun API",
        description = "API de Tribun. Authentification : `Authorization: Bearer <jeton personnel>`. \
            Toute erreur a la forme `{\"errors\":[{\"status\":403,\"detail\":\"…\"}]}`."
    ),
    paths(
        crate::http::territories::search_territories,
        crate::http::territories::find_territory,
        crate::http::elections::list_elections,
        crate::http::elections::find_results,
        crate::http::maps::draw_map,
        crate::http::targeting::list_targets,
        crate::http::targeting::find_settings,
        crate::http::targeting::update_settings,
        crate::http::targeting::list_nuances,
        crate::http::targeting::update_nuance,
        crate::http::fiches::print_fiche,
        crate::http::account::find_me,
        crate::http::invitations::create_invitation,
        crate::http::admin::list_users,
        crate::http::admin::list_audit,
    ),
    components(schemas(crate::http::error::ErrorEnvelope, crate::http::error::ErrorDetail)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/api/v1/openapi.json",
        Access::Public,
        get(|| async { Json(ApiDoc::openapi()) }),
    )]
}
