//! Name search over territories: accent-, case-, apostrophe- and hyphen-insensitive, ranked by
//! match quality then population, scoped to the user's territory.

use serde::Serialize;
use sqlx::{AnyPool, AssertSqlSafe};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use utoipa::ToSchema;

use crate::territories::{Territory, TerritoryRow};

/// Folds a name or a query to the form stored in `search_name`: lower-case ASCII words separated
/// by single spaces, with "st"/"ste" spelled out ("St-Étienne" and "saint etienne" meet).
pub fn normalise_name(name: &str) -> String {
    let folded: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'œ' => 'o',
            'æ' => 'a',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded
        .split_whitespace()
        .map(|word| match word {
            "st" => "saint",
            "ste" => "sainte",
            word => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A search result: a territory, or a former commune pointing to its successor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub territory: Territory,
    /// Set when the name matched a former commune (merged, déléguée or associée).
    pub former_name: Option<String>,
}

/// Finds territories whose name contains `query`, best matches first, then former communes
/// whose name starts with it. `scope` limits the results to a territory and what lies below it
/// (`None` is national).
pub async fn search(
    pool: &AnyPool,
    query: &str,
    scope: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<SearchHit>> {
    let needle = normalise_name(query);
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let code = query.trim().to_ascii_uppercase();
    // Parameter $1 is always the scope so that both variants number the others alike; the
    // scope clause is the same recursive walk as `is_within`, downwards.
    let (cte, scope_filter) = match scope {
        Some(_) => (
            "WITH RECURSIVE in_scope(code) AS ( \
                 SELECT code FROM territories WHERE code = $1 \
                 UNION SELECT l.child_code FROM territory_links l \
                     JOIN in_scope s ON l.parent_code = s.code) ",
            "AND t.code IN (SELECT code FROM in_scope)",
        ),
        None => ("", "AND $1 = ''"),
    };
    let sql = format!(
        "{cte}SELECT t.code, t.kind, t.name, t.population, t.departement_code, \
             d.name AS departement_name, t.postcodes, 0 AS partial, \
             CASE WHEN t.code = $2 OR t.search_name = $3 THEN 0 \
                  WHEN t.search_name LIKE $4 THEN 1 ELSE 2 END AS match_rank \
         FROM territories t LEFT JOIN territories d ON d.code = t.departement_code \
         WHERE (t.code = $2 OR t.search_name LIKE $5) AND t.kind <> 'bureau' {scope_filter} \
         ORDER BY match_rank, t.population DESC, t.name LIMIT $6"
    );
    let rows: Vec<TerritoryRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(scope.unwrap_or_default())
        .bind(&code)
        .bind(&needle)
        .bind(format!("{needle}%"))
        .bind(format!("%{needle}%"))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    let mut hits: Vec<SearchHit> = rows
        .into_iter()
        .map(|row| SearchHit {
            territory: row.into_related().territory,
            former_name: None,
        })
        .collect();

    let remaining = limit - hits.len() as i64;
    if remaining > 0 {
        let sql = format!(
            "{cte}SELECT t.code, t.kind, t.name, t.population, t.departement_code, \
                 d.name AS departement_name, t.postcodes, 0 AS partial, f.name AS former_name \
             FROM former_communes f JOIN territories t ON t.code = f.successor_code \
             LEFT JOIN territories d ON d.code = t.departement_code \
             WHERE f.search_name LIKE $2 AND f.name <> t.name {scope_filter} \
             ORDER BY t.population DESC LIMIT $3"
        );
        let former: Vec<FormerRow> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(scope.unwrap_or_default())
            .bind(format!("{needle}%"))
            .bind(remaining)
            .fetch_all(pool)
            .await?;
        hits.extend(former.into_iter().map(|row| SearchHit {
            territory: row.territory.into_related().territory,
            former_name: Some(row.former_name),
        }));
    }
    Ok(hits)
}

#[derive(sqlx::FromRow)]
struct FormerRow {
    #[sqlx(flatten)]
    territory: TerritoryRow,
    former_name: String,
}

#[cfg(test)]
mod tests {
    use super::normalise_name;

    #[test]
    fn names_fold_accents_case_apostrophes_and_hyphens() {
        assert_eq!(normalise_name("Saint-Étienne"), "saint etienne");
        assert_eq!(normalise_name("  saint   etienne "), "saint etienne");
        assert_eq!(
            normalise_name("St-Étienne-du-Rouvray"),
            "saint etienne du rouvray"
        );
        assert_eq!(normalise_name("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(normalise_name("Val-d’Oise"), "val d oise");
        assert_eq!(normalise_name("Œuilly"), "ouilly");
        assert_eq!(normalise_name("!!!"), "");
    }
}
