//! French territories: régions, départements, circonscriptions, EPCI, communes, bureaux de vote.
//!
//! Invariants: codes are stored only in their canonical form from `territory_codes`; links are
//! parent → child and a child may have several parents (a commune split across
//! circonscriptions, a commune in an EPCI and a département). Whether a territory lies inside a
//! user's scope is decided here, by [`is_within`], and nowhere else.

pub mod import;
mod search;

use serde::Serialize;
use sqlx::{AnyPool, AssertSqlSafe};
use utoipa::ToSchema;

pub use search::{SearchHit, normalise_name, search};

/// What kind of territory a code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Region,
    Departement,
    Collectivite,
    Circonscription,
    Epci,
    Commune,
    ArrondissementMunicipal,
    Bureau,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Region,
        Kind::Departement,
        Kind::Collectivite,
        Kind::Circonscription,
        Kind::Epci,
        Kind::Commune,
        Kind::ArrondissementMunicipal,
        Kind::Bureau,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Region => "region",
            Kind::Departement => "departement",
            Kind::Collectivite => "collectivite",
            Kind::Circonscription => "circonscription",
            Kind::Epci => "epci",
            Kind::Commune => "commune",
            Kind::ArrondissementMunicipal => "arrondissement_municipal",
            Kind::Bureau => "bureau",
        }
    }

    pub fn parse(kind: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// The French label shown in the interface.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Region => "Région",
            Kind::Departement => "Département",
            Kind::Collectivite => "Collectivité d'outre-mer",
            Kind::Circonscription => "Circonscription législative",
            Kind::Epci => "Intercommunalité (EPCI)",
            Kind::Commune => "Commune",
            Kind::ArrondissementMunicipal => "Arrondissement municipal",
            Kind::Bureau => "Bureau de vote",
        }
    }

    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Region => "Régions",
            Kind::Departement => "Départements",
            Kind::Collectivite => "Collectivités d'outre-mer",
            Kind::Circonscription => "Circonscriptions législatives",
            Kind::Epci => "Intercommunalités",
            Kind::Commune => "Communes",
            Kind::ArrondissementMunicipal => "Arrondissements municipaux",
            Kind::Bureau => "Bureaux de vote",
        }
    }
}

/// A territory with what the interface shows of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Territory {
    /// Canonical code: `R76`, `34`, `34-01`, `34172`, `243400017`, `34172_0001`.
    pub code: String,
    pub kind: Kind,
    pub name: String,
    pub population: Option<i64>,
    /// The département (or overseas collectivity) it lies in, to tell homonyms apart.
    pub departement_code: Option<String>,
    pub departement_name: Option<String>,
    pub postcodes: Vec<String>,
}

/// A parent or child, with whether the link covers only part of the child (INSEE "partiel").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Related {
    #[serde(flatten)]
    pub territory: Territory,
    pub partial: bool,
}

#[derive(sqlx::FromRow)]
struct TerritoryRow {
    code: String,
    kind: String,
    name: String,
    population: Option<i64>,
    departement_code: Option<String>,
    departement_name: Option<String>,
    postcodes: String,
    partial: i64,
}

impl TerritoryRow {
    fn into_related(self) -> Related {
        let partial = self.partial != 0;
        Related {
            partial,
            territory: Territory {
                kind: Kind::parse(&self.kind).unwrap_or(Kind::Commune),
                code: self.code,
                name: self.name,
                population: self.population,
                departement_code: self.departement_code,
                departement_name: self.departement_name,
                postcodes: self
                    .postcodes
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
            },
        }
    }
}

const SELECT_TERRITORY: &str = "SELECT t.code, t.kind, t.name, t.population, t.departement_code, \
     d.name AS departement_name, t.postcodes";

/// Finds one territory by its canonical code.
pub async fn find(pool: &AnyPool, code: &str) -> sqlx::Result<Option<Territory>> {
    let sql = format!(
        "{SELECT_TERRITORY}, 0 AS partial FROM territories t \
         LEFT JOIN territories d ON d.code = t.departement_code WHERE t.code = $1"
    );
    let row: Option<TerritoryRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.into_related().territory))
}

/// The territories directly above `code`.
pub async fn parents(pool: &AnyPool, code: &str) -> sqlx::Result<Vec<Related>> {
    let sql = format!(
        "{SELECT_TERRITORY}, l.partial FROM territory_links l \
         JOIN territories t ON t.code = l.parent_code \
         LEFT JOIN territories d ON d.code = t.departement_code \
         WHERE l.child_code = $1 ORDER BY t.kind, t.code"
    );
    let rows: Vec<TerritoryRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(code)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(TerritoryRow::into_related).collect())
}

/// The territories directly below `code`, largest first within each kind.
pub async fn children(pool: &AnyPool, code: &str) -> sqlx::Result<Vec<Related>> {
    let sql = format!(
        "{SELECT_TERRITORY}, l.partial FROM territory_links l \
         JOIN territories t ON t.code = l.child_code \
         LEFT JOIN territories d ON d.code = t.departement_code \
         WHERE l.parent_code = $1 ORDER BY t.kind, t.code"
    );
    let rows: Vec<TerritoryRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(code)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(TerritoryRow::into_related).collect())
}

/// Whether `code` is `scope` itself or lies below it. `None` is the national scope.
pub async fn is_within(pool: &AnyPool, code: &str, scope: Option<&str>) -> sqlx::Result<bool> {
    let Some(scope) = scope else {
        return Ok(true);
    };
    if code == scope {
        return Ok(true);
    }
    let found: Option<i64> = sqlx::query_scalar(
        "WITH RECURSIVE ancestors(code) AS ( \
             SELECT parent_code FROM territory_links WHERE child_code = $1 \
             UNION SELECT l.parent_code FROM territory_links l \
                 JOIN ancestors a ON l.child_code = a.code) \
         SELECT 1 FROM ancestors WHERE code = $2 LIMIT 1",
    )
    .bind(code)
    .bind(scope)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// How many territories of each kind are stored.
pub async fn count_by_kind(pool: &AnyPool) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT kind, COUNT(*) FROM territories GROUP BY kind ORDER BY kind")
        .fetch_all(pool)
        .await
}

impl Territory {
    /// "173 136 habitants", with French digit grouping.
    pub fn population_label(&self) -> String {
        match self.population {
            None => "population inconnue".to_owned(),
            Some(population) => {
                let digits = population.to_string();
                let mut grouped = String::new();
                for (index, digit) in digits.chars().enumerate() {
                    if index > 0 && (digits.len() - index) % 3 == 0 {
                        grouped.push('\u{202f}');
                    }
                    grouped.push(digit);
                }
                format!("{grouped} habitants")
            }
        }
    }
}
