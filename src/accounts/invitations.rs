//! Invitations: an admin or a coordinator invites someone, with a role they may give, into a
//! scope inside their own; the link is single-use and expires.

use sqlx::AnyPool;

use crate::accounts::{
    AccountError, NewUser, Role, User, create_user, digest, normalise_email, random_secret,
};
use crate::store::now;
use crate::territories;

pub const LIFETIME_SECONDS: i64 = 7 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("your role cannot invite a {0}")]
    RoleNotAllowed(&'static str),
    #[error("the territory {0} is outside your scope")]
    OutsideScope(String),
    #[error("this invitation is unknown, used or expired")]
    Invalid,
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<sqlx::Error> for InvitationError {
    fn from(e: sqlx::Error) -> Self {
        Self::Account(e.into())
    }
}

/// A pending invitation, as the invitee sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub email: String,
    pub role: String,
    pub scope_code: Option<String>,
}

/// Creates an invitation and returns its token (to be sent as a link; shown once).
pub async fn create(
    pool: &AnyPool,
    inviter: &User,
    email: &str,
    role: Role,
    scope_code: Option<&str>,
) -> Result<String, InvitationError> {
    let email = normalise_email(email)?;
    if !inviter.role.may_invite().contains(&role) {
        return Err(InvitationError::RoleNotAllowed(role.as_str()));
    }
    // A scoped inviter cannot invite someone national: the invitee's scope defaults to theirs.
    let scope_code = scope_code.or(inviter.scope_code.as_deref());
    if let Some(scope) = scope_code {
        if territories::find(pool, scope).await?.is_none() {
            return Err(AccountError::UnknownTerritory(scope.to_owned()).into());
        }
        if !territories::is_within(pool, scope, inviter.scope_code.as_deref()).await? {
            return Err(InvitationError::OutsideScope(scope.to_owned()));
        }
    }
    let token = random_secret();
    let now = now();
    sqlx::query(
        "INSERT INTO invitations (token_hash, email, role, scope_code, invited_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(digest(&token))
    .bind(&email)
    .bind(role.as_str())
    .bind(scope_code)
    .bind(inviter.id)
    .bind(now)
    .bind(now + LIFETIME_SECONDS)
    .execute(pool)
    .await?;
    Ok(token)
}

pub async fn find(pool: &AnyPool, token: &str) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as(
        "SELECT email, role, scope_code FROM invitations \
         WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2",
    )
    .bind(digest(token))
    .bind(now())
    .fetch_optional(pool)
    .await
}

/// Creates the invitee's account and marks the invitation used, in one transaction.
pub async fn accept(
    pool: &AnyPool,
    token: &str,
    display_name: &str,
    password: &str,
) -> Result<User, InvitationError> {
    let invitation = find(pool, token).await?.ok_or(InvitationError::Invalid)?;
    let role = Role::parse(&invitation.role).ok_or(InvitationError::Invalid)?;
    let used = sqlx::query(
        "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2 AND accepted_at IS NULL",
    )
    .bind(now())
    .bind(digest(token))
    .execute(pool)
    .await?;
    if used.rows_affected() == 0 {
        return Err(InvitationError::Invalid);
    }
    let created = create_user(
        pool,
        NewUser {
            email: &invitation.email,
            display_name,
            password,
            role,
            scope_code: invitation.scope_code.as_deref(),
        },
    )
    .await;
    if created.is_err() {
        // Give the invitation back so the invitee can try again with a valid password.
        sqlx::query("UPDATE invitations SET accepted_at = NULL WHERE token_hash = $1")
            .bind(digest(token))
            .execute(pool)
            .await?;
    }
    Ok(created?)
}
