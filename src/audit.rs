//! The audit log: sign-ins, every write, and every read of personal data — who, what, when.
//!
//! Invariant: entries name actions and targets, never secrets (no password, token or cookie).

use serde::Serialize;
use sqlx::AnyPool;
use utoipa::ToSchema;

use crate::accounts::User;
use crate::store::now;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_email: Option<String>,
    pub action: String,
    pub target: String,
    pub ip: Option<String>,
}

/// Records an action. `actor` is `None` for the command line and for failed sign-ins, whose
/// attempted email goes in `target`.
pub async fn record(
    pool: &AnyPool,
    actor: Option<&User>,
    action: &str,
    target: &str,
    ip: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor_email, action, target, ip) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(actor.map(|u| u.id))
    .bind(actor.map(|u| u.email.as_str()))
    .bind(action)
    .bind(target)
    .bind(ip)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn list(pool: &AnyPool, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as(
        "SELECT id, at, actor_email, action, target, ip FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

impl AuditEntry {
    pub fn at_label(&self) -> String {
        crate::http::format_time(self.at)
    }
}
