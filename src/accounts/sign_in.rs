//! Signing in: password check with rate limits per account and per IP address.
//!
//! Attempts are counted in the database rather than in memory, so the limits hold across
//! several app servers.

use sqlx::{AnyPool, AssertSqlSafe};

use crate::accounts::{USER_COLUMNS, User, UserRow, password};
use crate::store::now;

/// Failed attempts allowed per account within [`WINDOW_SECONDS`].
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed attempts allowed per IP address within [`WINDOW_SECONDS`].
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const WINDOW_SECONDS: i64 = 15 * 60;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("too many failed attempts")]
    TooManyAttempts,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub async fn sign_in(
    pool: &AnyPool,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<User, SignInError> {
    let email = email.trim().to_lowercase();
    let since = now() - WINDOW_SECONDS;
    let account_failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND succeeded = 0 AND at > $2",
    )
    .bind(&email)
    .bind(since)
    .fetch_one(pool)
    .await?;
    let ip_failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sign_in_attempts WHERE ip = $1 AND succeeded = 0 AND at > $2",
    )
    .bind(ip)
    .bind(since)
    .fetch_one(pool)
    .await?;
    if account_failures >= MAX_FAILURES_PER_ACCOUNT || ip_failures >= MAX_FAILURES_PER_IP {
        return Err(SignInError::TooManyAttempts);
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1"
    )))
    .bind(&email)
    .fetch_optional(pool)
    .await?;
    let (user, hash) = match row {
        Some(row) => (Some(row.user), Some(row.password_hash)),
        None => (None, None),
    };
    let succeeded = password::verify(password, hash).await;
    sqlx::query("INSERT INTO sign_in_attempts (email, ip, succeeded, at) VALUES ($1, $2, $3, $4)")
        .bind(&email)
        .bind(ip)
        .bind(i64::from(succeeded))
        .bind(now())
        .execute(pool)
        .await?;
    match user {
        Some(user) if succeeded => Ok(user.into_user()),
        _ => Err(SignInError::WrongCredentials),
    }
}
