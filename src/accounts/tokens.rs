//! Personal API tokens for scripts and integrations: `Authorization: Bearer trb_…` acts with
//! the role and scope of the user who created it.

use serde::Serialize;
use sqlx::{AnyPool, AssertSqlSafe};
use utoipa::ToSchema;

use crate::accounts::{USER_COLUMNS, User, UserRow, digest, random_secret};
use crate::store::now;

const PREFIX: &str = "trb_";

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Creates a token and returns it in clear: this is the only time it is shown.
pub async fn create(pool: &AnyPool, user_id: i64, name: &str) -> sqlx::Result<String> {
    let token = format!("{PREFIX}{}", random_secret());
    let name = match name.trim() {
        "" => "jeton",
        name => name,
    };
    sqlx::query(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(name)
    .bind(digest(&token))
    .bind(now())
    .execute(pool)
    .await?;
    Ok(token)
}

/// The user a bearer token acts for.
pub async fn authenticate(pool: &AnyPool, token: &str) -> sqlx::Result<Option<User>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = digest(token);
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1"
    )))
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    if row.is_some() {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now())
            .bind(&hash)
            .execute(pool)
            .await?;
    }
    Ok(row.map(UserRow::into_user))
}

pub async fn list(pool: &AnyPool, user_id: i64) -> sqlx::Result<Vec<ApiToken>> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// Revokes one of the user's own tokens; returns whether it existed.
pub async fn revoke(pool: &AnyPool, user_id: i64, token_id: i64) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(token_id)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(result.rows_affected() > 0)
}

impl ApiToken {
    pub fn last_used_label(&self) -> String {
        self.last_used_at
            .map(crate::http::format_time)
            .unwrap_or_else(|| "jamais".to_owned())
    }
}
