//! Targeting: the ranked target list of a scope (page, JSON, CSV and XLSX) and the score's
//! settings, which only admins edit.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::Role;
use crate::audit;
use crate::elections::nuances::{self, NuanceBloc};
use crate::elections::{self, Election, ElectionId};
use crate::french::number;
use crate::http::error::{ApiError, Error, PageError};
use crate::http::maps::parse_level;
use crate::http::{
    ADMINS, Access, AppState, ClientIp, CsrfToken, CurrentUser, Layout, Route, render,
    territory_parameter,
};
use crate::targeting::{self, BLOCS, Settings, Target};
use crate::territories::{self, Kind};

/// Targeting is for those who plan the campaign; activists get their instructions from it.
pub const PLANNERS: &[Role] = &[
    Role::Admin,
    Role::Direction,
    Role::Communication,
    Role::Coordinateur,
];

pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::GET,
            "/ciblage",
            Access::in_territory(PLANNERS, "territoire"),
            get(show_targets),
        ),
        Route::new(
            Method::POST,
            "/ciblage/reglages",
            Access::signed(ADMINS),
            post(update_settings_form),
        ),
        Route::new(
            Method::GET,
            "/api/v1/targets",
            Access::in_territory(PLANNERS, "territory"),
            get(list_targets),
        ),
        Route::new(
            Method::POST,
            "/ciblage/nuances",
            Access::signed(ADMINS),
            post(update_nuance_form),
        ),
        Route::new(
            Method::GET,
            "/api/v1/nuances",
            Access::signed(PLANNERS),
            get(list_nuances),
        ),
        Route::new(
            Method::PUT,
            "/api/v1/nuances/{nuance}",
            Access::signed(ADMINS),
            axum::routing::put(update_nuance),
        ),
        Route::new(
            Method::GET,
            "/api/v1/targeting/settings",
            Access::signed(PLANNERS),
            get(find_settings),
        ),
        Route::new(
            Method::PUT,
            "/api/v1/targeting/settings",
            Access::signed(ADMINS),
            axum::routing::put(update_settings),
        ),
    ]
}

/// The level listed below a scope when none is asked for.
pub fn default_level(scope: Option<Kind>) -> Kind {
    match scope {
        Some(Kind::Circonscription) => Kind::Commune,
        Some(Kind::Commune | Kind::ArrondissementMunicipal) => Kind::Bureau,
        _ => Kind::Circonscription,
    }
}

/// What one list is about, resolved from a query.
struct ListRequest {
    /// Every imported election, newest first, as (id, name).
    choices: Vec<(String, String)>,
    election: Election,
    versus: Option<String>,
    kind: Kind,
    scope: Option<territories::Territory>,
}

/// Resolves the election (newest by default), the comparison (the next older one by
/// default; "aucune" for none), the level and the scope (the whole country by default, which
/// `authorize` only lets national users reach).
async fn resolve(
    state: &AppState,
    election: Option<&str>,
    versus: Option<&str>,
    level: Option<&str>,
    territory: Option<&str>,
) -> Result<ListRequest, Error> {
    let pool = state.store.pool();
    let mut all = elections::list(pool).await?;
    let position = match election.filter(|e| !e.is_empty()) {
        Some(id) => {
            let id = ElectionId::parse(id)
                .map_err(|e| Error::BadRequest(e.to_string()))?
                .id();
            all.iter()
                .position(|e| e.id == id)
                .ok_or_else(|| Error::NotFound(format!("aucun résultat importé pour {id}")))?
        }
        None if all.is_empty() => {
            return Err(Error::NotFound(
                "aucune élection importée : importez des résultats d'abord".into(),
            ));
        }
        None => 0,
    };
    let versus = match versus.map(str::trim) {
        Some("aucune") => None,
        Some(id) if !id.is_empty() => Some(
            ElectionId::parse(id)
                .map_err(|e| Error::BadRequest(e.to_string()))?
                .id(),
        ),
        _ => all.get(position + 1).map(|e| e.id.clone()),
    };
    let scope_code = territory_parameter(territory)?;
    let scope = match scope_code {
        Some(code) => Some(
            territories::find(pool, &code)
                .await?
                .ok_or_else(|| Error::NotFound(format!("territoire inconnu : {code}")))?,
        ),
        None => None,
    };
    let kind = match level.filter(|l| !l.is_empty()) {
        Some(level) => parse_level(level)
            .ok_or_else(|| Error::BadRequest(format!("niveau inconnu : {level}")))?,
        None => default_level(scope.as_ref().map(|t| t.kind)),
    };
    Ok(ListRequest {
        choices: all.iter().map(|e| (e.id.clone(), e.name.clone())).collect(),
        election: all.swap_remove(position),
        versus,
        kind,
        scope,
    })
}

impl ListRequest {
    async fn targets(&self, state: &AppState) -> Result<Vec<Target>, Error> {
        Ok(targeting::list(
            state.store.pool(),
            &self.election.id,
            self.versus.as_deref(),
            self.kind,
            self.scope.as_ref().map(|t| t.code.as_str()),
        )
        .await?)
    }

    fn file_stem(&self) -> String {
        format!(
            "cibles-{}-{}-{}",
            self.scope.as_ref().map_or("france", |t| t.code.as_str()),
            self.kind.as_str(),
            self.election.id
        )
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TargetsQuery {
    /// The reference election (first round), the newest imported by default.
    pub election: Option<String>,
    /// The earlier election for volatility, the next older one by default; `aucune` for none.
    pub versus: Option<String>,
    /// circonscription, commune, bureau… (one level below the scope by default).
    pub level: Option<String>,
    /// The scope; the whole country by default (national users only).
    pub territory: Option<String>,
    /// json (default), csv or xlsx.
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetList {
    pub election: String,
    pub versus: Option<String>,
    pub level: String,
    pub territory: Option<String>,
    pub settings: Settings,
    /// Best first.
    pub targets: Vec<Target>,
}

/// The ranked target list of a scope, as JSON, CSV (`;`, decimal commas) or XLSX.
#[utoipa::path(
    get,
    path = "/api/v1/targets",
    params(TargetsQuery),
    responses(
        (status = 200, body = TargetList, description = "JSON, or a CSV / XLSX file with format=csv|xlsx"),
        (status = 403, body = crate::http::error::ErrorEnvelope),
        (status = 404, body = crate::http::error::ErrorEnvelope),
    ),
    security(("bearer" = [])),
    tag = "ciblage"
)]
pub async fn list_targets(
    State(state): State<AppState>,
    query: Result<Query<TargetsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let request = resolve(
        &state,
        query.election.as_deref(),
        query.versus.as_deref(),
        query.level.as_deref(),
        query.territory.as_deref(),
    )
    .await?;
    let targets = request.targets(&state).await?;
    let attachment = |extension: &str| {
        format!(
            "attachment; filename=\"{}.{extension}\"",
            request.file_stem()
        )
    };
    Ok(match query.format.as_deref().unwrap_or("json") {
        "json" => Json(TargetList {
            election: request.election.id.clone(),
            versus: request.versus.clone(),
            level: request.kind.as_str().to_owned(),
            territory: request.scope.as_ref().map(|t| t.code.clone()),
            settings: targeting::settings(state.store.pool()).await?,
            targets,
        })
        .into_response(),
        "csv" => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (CONTENT_DISPOSITION, attachment("csv")),
            ],
            targeting::to_csv(&targets),
        )
            .into_response(),
        "xlsx" => (
            [
                (
                    CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (CONTENT_DISPOSITION, attachment("xlsx")),
            ],
            targeting::to_xlsx(&targets).map_err(|e| Error::Internal(e.into()))?,
        )
            .into_response(),
        other => {
            return Err(
                Error::BadRequest(format!("format inconnu : {other} (json, csv, xlsx)")).into(),
            );
        }
    })
}

/// The score's settings: the campaign's bloc and the weights of its three components.
#[utoipa::path(
    get,
    path = "/api/v1/targeting/settings",
    responses((status = 200, body = Settings), (status = 403, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "ciblage"
)]
pub async fn find_settings(State(state): State<AppState>) -> Result<Json<Settings>, ApiError> {
    Ok(Json(targeting::settings(state.store.pool()).await?))
}

/// Changes the score's settings (admins only; audited).
#[utoipa::path(
    put,
    path = "/api/v1/targeting/settings",
    request_body = Settings,
    responses((status = 200, body = Settings), (status = 400, body = crate::http::error::ErrorEnvelope), (status = 403, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "ciblage"
)]
pub async fn update_settings(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    body: Result<Json<Settings>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Settings>, ApiError> {
    let Json(settings) = body.map_err(|e| Error::BadRequest(e.body_text()))?;
    save(&state, &user, &ip, &settings).await?;
    Ok(Json(settings))
}

async fn save(
    state: &AppState,
    user: &crate::accounts::User,
    ip: &str,
    settings: &Settings,
) -> Result<(), Error> {
    settings
        .validate()
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    let pool = state.store.pool();
    targeting::save_settings(pool, settings).await?;
    audit::record(
        pool,
        Some(user),
        "réglage du score de priorité",
        &format!(
            "bloc {} ; poids {}/{}/{}",
            settings.bloc,
            settings.weight_reserve,
            settings.weight_persuadables,
            settings.weight_size
        ),
        Some(ip),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NuanceList {
    pub nuances: Vec<NuanceBloc>,
}

/// The table from the ministry's nuance codes to blocs, which bloc indicators and the score
/// read.
#[utoipa::path(
    get,
    path = "/api/v1/nuances",
    responses((status = 200, body = NuanceList), (status = 403, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "ciblage"
)]
pub async fn list_nuances(State(state): State<AppState>) -> Result<Json<NuanceList>, ApiError> {
    Ok(Json(NuanceList {
        nuances: nuances::list(state.store.pool()).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NuanceUpdate {
    pub bloc: String,
    /// Kept as stored when absent or empty.
    pub label: Option<String>,
}

/// Puts a nuance (new or known) in a bloc (admins only; audited).
#[utoipa::path(
    put,
    path = "/api/v1/nuances/{nuance}",
    params(("nuance" = String, Path, description = "ENS, RN, UG…")),
    request_body = NuanceUpdate,
    responses((status = 200, body = NuanceBloc), (status = 400, body = crate::http::error::ErrorEnvelope), (status = 403, body = crate::http::error::ErrorEnvelope)),
    security(("bearer" = [])),
    tag = "ciblage"
)]
pub async fn update_nuance(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(nuance): Path<String>,
    body: Result<Json<NuanceUpdate>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<NuanceBloc>, ApiError> {
    let Json(update) = body.map_err(|e| Error::BadRequest(e.body_text()))?;
    let saved = save_nuance(
        &state,
        &user,
        &ip,
        &nuance,
        &update.bloc,
        update.label.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(saved))
}

async fn save_nuance(
    state: &AppState,
    user: &crate::accounts::User,
    ip: &str,
    nuance: &str,
    bloc: &str,
    label: &str,
) -> Result<NuanceBloc, Error> {
    let pool = state.store.pool();
    let saved = nuances::set(pool, nuance, bloc, label)
        .await
        .map_err(|e| match e {
            nuances::Error::Database(e) => Error::from(e),
            other => Error::BadRequest(other.to_string()),
        })?;
    audit::record(
        pool,
        Some(user),
        "classement d'une nuance",
        &format!("{} → {}", saved.nuance, saved.bloc),
        Some(ip),
    )
    .await?;
    Ok(saved)
}

#[derive(Debug, Deserialize)]
struct NuanceForm {
    nuance: String,
    bloc: String,
}

async fn update_nuance_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<NuanceForm>,
) -> Result<Response, PageError> {
    save_nuance(&state, &user, &ip, &form.nuance, &form.bloc, "").await?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/ciblage")]).into_response())
}

#[derive(Debug, Deserialize)]
struct SettingsForm {
    bloc: String,
    weight_reserve: i64,
    weight_persuadables: i64,
    weight_size: i64,
}

async fn update_settings_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    form: Result<Form<SettingsForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| {
        Error::BadRequest("les poids doivent être des nombres entiers entre 0 et 100".into())
    })?;
    let settings = Settings {
        bloc: form.bloc,
        weight_reserve: form.weight_reserve,
        weight_persuadables: form.weight_persuadables,
        weight_size: form.weight_size,
    };
    save(&state, &user, &ip, &settings).await?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, "/ciblage")]).into_response())
}

#[derive(Debug, Deserialize)]
struct TargetsPageQuery {
    election: Option<String>,
    versus: Option<String>,
    niveau: Option<String>,
    territoire: Option<String>,
}

/// One row of the page's table, formatted in French.
struct TargetRow {
    rank: usize,
    code: String,
    name: String,
    inscrits: String,
    participation: String,
    bloc_share: String,
    reserve: String,
    volatility: String,
    score: String,
}

#[derive(askama::Template)]
#[template(path = "targeting.html")]
struct TargetsPage {
    layout: Layout,
    settings: Settings,
    bloc_label: String,
    blocs: &'static [(&'static str, &'static str)],
    elections: Vec<(String, String)>,
    election: String,
    election_name: String,
    versus: String,
    levels: Vec<(&'static str, &'static str)>,
    level: &'static str,
    scope_code: String,
    scope_name: String,
    rows: Vec<TargetRow>,
    export: String,
    nuances: Vec<NuanceBloc>,
}

async fn show_targets(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: CsrfToken,
    query: Result<Query<TargetsPageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let pool = state.store.pool();
    let request = resolve(
        &state,
        query.election.as_deref(),
        query.versus.as_deref(),
        query.niveau.as_deref(),
        query.territoire.as_deref(),
    )
    .await?;
    let targets = request.targets(&state).await?;
    let settings = targeting::settings(pool).await?;
    let rows = targets
        .iter()
        .take(200)
        .map(|t| TargetRow {
            rank: t.rank,
            code: t.code.clone(),
            name: t.name.clone(),
            inscrits: crate::french::count(t.inscrits),
            participation: number(t.participation, 1),
            bloc_share: number(t.bloc_share, 1),
            reserve: number(t.reserve, 1),
            volatility: t
                .volatility
                .map(|v| number(v, 1))
                .unwrap_or_else(|| "—".into()),
            score: number(t.score, 1),
        })
        .collect();
    let scope_code = request
        .scope
        .as_ref()
        .map(|t| t.code.clone())
        .unwrap_or_default();
    let export = format!(
        "/api/v1/targets?election={}&versus={}&level={}&territory={}",
        request.election.id,
        request.versus.as_deref().unwrap_or("aucune"),
        request.kind.as_str(),
        scope_code
    );
    render(&TargetsPage {
        layout: Layout::new(Some(&user), &csrf),
        bloc_label: crate::elections::indicators::bloc_label(&settings.bloc).to_owned(),
        settings,
        blocs: BLOCS,
        elections: request.choices.clone(),
        election: request.election.id.clone(),
        election_name: request.election.name.clone(),
        versus: request.versus.clone().unwrap_or_else(|| "aucune".into()),
        levels: [
            Kind::Region,
            Kind::Departement,
            Kind::Circonscription,
            Kind::Commune,
            Kind::Bureau,
        ]
        .into_iter()
        .map(|k| (k.as_str(), k.plural_label()))
        .collect(),
        level: request.kind.as_str(),
        scope_name: request
            .scope
            .as_ref()
            .map_or_else(|| "France entière".to_owned(), |t| t.name.clone()),
        scope_code,
        rows,
        export,
        nuances: nuances::list(pool).await?,
    })
    .map(IntoResponse::into_response)
}
