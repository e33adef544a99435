//! The home page: the campaign dashboard shell, with the capabilities to come.

use axum::extract::State;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::http::error::PageError;
use crate::http::{Access, AppState, CsrfToken, CurrentUser, EVERYONE, Layout, Route, render};
use crate::territories::{self, Territory};

pub fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/",
        Access::signed(EVERYONE),
        get(show_home),
    )]
}

/// A capability of PRODUCT.md, shown on the dashboard.
pub struct Capability {
    pub title: &'static str,
    pub summary: &'static str,
    /// Where it lives, once built.
    pub href: Option<&'static str>,
}

pub const CAPABILITIES: &[Capability] = &[
    Capability {
        title: "Territoires",
        summary: "Régions, départements, circonscriptions, communes : identité, population, découpages.",
        href: Some("/territoires"),
    },
    Capability {
        title: "Cartographie et ciblage",
        summary: "Résultats officiels, indicateurs, score de priorité, cartes.",
        href: Some("/elections"),
    },
    Capability {
        title: "Fiches territoriales",
        summary: "Une fiche par circonscription, commune ou département, à l'écran et en PDF.",
        href: None,
    },
    Capability {
        title: "Pôle idées",
        summary: "Études, articles, notes et sondages, recherche en français.",
        href: None,
    },
    Capability {
        title: "Veille territoriale",
        summary: "La presse locale, classée par territoire et par thème, avec alertes.",
        href: None,
    },
    Capability {
        title: "Argumentaires et tracts",
        summary: "Un mot-clé, un argumentaire sourcé ; une actualité locale, un tract.",
        href: None,
    },
    Capability {
        title: "Riposte",
        summary: "Attaques et infox : réponse sourcée, validée, diffusée.",
        href: None,
    },
    Capability {
        title: "Terrain",
        summary: "Militants, groupes, actions, remontées et mesure de l'impact.",
        href: None,
    },
];

#[derive(askama::Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    scope: Option<Territory>,
    capabilities: &'static [Capability],
}

async fn show_home(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
) -> Result<impl IntoResponse, PageError> {
    let scope = match &user.0.scope_code {
        Some(code) => territories::find(state.store.pool(), code).await?,
        None => None,
    };
    render(&HomePage {
        layout: Layout::new(Some(&user), &csrf),
        scope,
        capabilities: CAPABILITIES,
    })
}
