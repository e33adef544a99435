//! Server-side sessions: the cookie holds a random id, the database its digest and the
//! session's CSRF token. Sessions live in the database so any app server can serve any request.

use sqlx::{AnyPool, AssertSqlSafe};

use crate::accounts::{USER_COLUMNS, User, UserRow, digest, random_secret};
use crate::store::now;

/// How long a session lasts without signing in again: activists stay signed in on their phone.
pub const LIFETIME_SECONDS: i64 = 30 * 24 * 3600;

pub struct NewSession {
    /// The cookie value; only its digest is stored.
    pub cookie_value: String,
    pub csrf_token: String,
}

pub async fn create(pool: &AnyPool, user_id: i64) -> sqlx::Result<NewSession> {
    let cookie_value = random_secret();
    let csrf_token = random_secret();
    let now = now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(digest(&cookie_value))
    .bind(user_id)
    .bind(&csrf_token)
    .bind(now)
    .bind(now + LIFETIME_SECONDS)
    .execute(pool)
    .await?;
    Ok(NewSession {
        cookie_value,
        csrf_token,
    })
}

/// The user and CSRF token of a live session.
pub async fn find(pool: &AnyPool, cookie_value: &str) -> sqlx::Result<Option<(User, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        csrf_token: String,
    }
    let row: Option<Row> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2"
    )))
    .bind(digest(cookie_value))
    .bind(now())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| (row.user.into_user(), row.csrf_token)))
}

pub async fn delete(pool: &AnyPool, cookie_value: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1 OR expires_at <= $2")
        .bind(digest(cookie_value))
        .bind(now())
        .execute(pool)
        .await?;
    Ok(())
}
