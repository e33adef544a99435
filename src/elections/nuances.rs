//! The editable table from the ministry's nuance codes (ENS, RN, UG, NUP…) to political blocs,
//! which every bloc indicator and the priority score read.

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use utoipa::ToSchema;

use crate::targeting::BLOCS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct NuanceBloc {
    /// The ministry's code, upper case: `ENS`, `RN`, `UG`…
    pub nuance: String,
    /// extreme_gauche, gauche, ecologistes, centre, droite, extreme_droite, divers.
    pub bloc: String,
    pub label: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bloc inconnu : {0}")]
    UnknownBloc(String),
    #[error("code de nuance invalide : {0:?} (lettres et chiffres, 1 à 10 caractères)")]
    InvalidNuance(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub async fn list(pool: &AnyPool) -> sqlx::Result<Vec<NuanceBloc>> {
    sqlx::query_as("SELECT nuance, bloc, label FROM nuance_blocs ORDER BY bloc, nuance")
        .fetch_all(pool)
        .await
}

/// Puts a nuance in a bloc, adding the nuance when it is new; `label` keeps the stored one
/// when empty.
pub async fn set(
    pool: &AnyPool,
    nuance: &str,
    bloc: &str,
    label: &str,
) -> Result<NuanceBloc, Error> {
    let nuance = nuance.trim().to_uppercase();
    if nuance.is_empty() || nuance.len() > 10 || !nuance.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(Error::InvalidNuance(nuance));
    }
    if !BLOCS.iter().any(|(b, _)| *b == bloc) {
        return Err(Error::UnknownBloc(bloc.to_owned()));
    }
    let label = label.trim();
    Ok(sqlx::query_as(
        "INSERT INTO nuance_blocs (nuance, bloc, label) VALUES ($1, $2, $3) \
         ON CONFLICT (nuance) DO UPDATE SET bloc = excluded.bloc, \
         label = CASE WHEN excluded.label = '' THEN nuance_blocs.label ELSE excluded.label END \
         RETURNING nuance, bloc, label",
    )
    .bind(&nuance)
    .bind(bloc)
    .bind(label)
    .fetch_one(pool)
    .await?)
}
