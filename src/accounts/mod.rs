//! Accounts: users with a role and a territorial scope, passwords, sessions, API tokens and
//! invitations.
//!
//! Invariants: passwords are stored only as Argon2id hashes; session ids, API tokens and
//! invitation tokens are stored only as SHA-256 digests, so a copy of the database opens no
//! account; nothing here writes a secret to the log.

pub mod invitations;
pub mod password;
pub mod sessions;
pub mod sign_in;
pub mod tokens;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, AssertSqlSafe};
use utoipa::ToSchema;

/// What a user may do, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Direction,
    Communication,
    Coordinateur,
    Militant,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Direction,
        Role::Communication,
        Role::Coordinateur,
        Role::Militant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Direction => "direction",
            Role::Communication => "communication",
            Role::Coordinateur => "coordinateur",
            Role::Militant => "militant",
        }
    }

    pub fn parse(role: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == role)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrateur",
            Role::Direction => "Direction de campagne",
            Role::Communication => "Communication / riposte",
            Role::Coordinateur => "Coordinateur",
            Role::Militant => "Militant",
        }
    }

    /// The roles this role may give when inviting someone.
    pub fn may_invite(self) -> &'static [Role] {
        match self {
            Role::Admin => &Role::ALL,
            Role::Coordinateur => &[Role::Coordinateur, Role::Militant],
            _ => &[],
        }
    }
}

/// A signed-in person as every handler sees them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The territory the user works in; `None` is national.
    pub scope_code: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    scope_code: Option<String>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            // The role column only ever receives `Role::as_str` values.
            role: Role::parse(&self.role).unwrap_or(Role::Militant),
            scope_code: self.scope_code,
        }
    }
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.role, u.scope_code";

/// Why an account could not be created or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account already exists for {0}")]
    EmailTaken(String),
    #[error("invalid email address {0:?}")]
    InvalidEmail(String),
    #[error("the password must have at least {min} characters", min = password::MIN_LENGTH)]
    WeakPassword,
    #[error("unknown territory {0}")]
    UnknownTerritory(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("failed to hash the password")]
    Hashing,
}

pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AccountError::InvalidEmail(email))
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub scope_code: Option<&'a str>,
}

/// Creates a user; the caller records the audit entry.
pub async fn create_user(pool: &AnyPool, new: NewUser<'_>) -> Result<User, AccountError> {
    let email = normalise_email(new.email)?;
    if let Some(scope) = new.scope_code
        && crate::territories::find(pool, scope).await?.is_none()
    {
        return Err(AccountError::UnknownTerritory(scope.to_owned()));
    }
    let hash = password::hash(new.password).await?;
    let display_name = match new.display_name.trim() {
        "" => email.split('@').next().unwrap_or_default().to_owned(),
        name => name.to_owned(),
    };
    let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, role, scope_code, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&email)
    .bind(&display_name)
    .bind(&hash)
    .bind(new.role.as_str())
    .bind(new.scope_code)
    .bind(crate::store::now())
    .fetch_one(pool)
    .await;
    match id {
        Ok(id) => Ok(User {
            id,
            email,
            display_name,
            role: new.role,
            scope_code: new.scope_code.map(str::to_owned),
        }),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AccountError::EmailTaken(email))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(pool: &AnyPool, email: &str) -> sqlx::Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
    )))
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(UserRow::into_user))
}

pub async fn list_users(pool: &AnyPool) -> sqlx::Result<Vec<User>> {
    let rows: Vec<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u ORDER BY u.email"
    )))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(UserRow::into_user).collect())
}

/// Replaces a user's password and ends their other sessions.
pub async fn set_password(
    pool: &AnyPool,
    user_id: i64,
    new_password: &str,
) -> Result<(), AccountError> {
    let hash = password::hash(new_password).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A random secret (session id, API token, invitation token), URL-safe.
pub(crate) fn random_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored in place of a secret.
pub(crate) fn digest(secret: &str) -> String {
    use std::fmt::Write;
    Sha256::digest(secret.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}
