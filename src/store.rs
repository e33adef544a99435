//! The storage boundary: one connection pool over SQLite or PostgreSQL, and their migrations.
//!
//! Domain modules write portable SQL (`$1` placeholders, `ON CONFLICT`, `RETURNING`, recursive
//! CTEs, 64-bit integers for numbers, booleans and Unix timestamps) against [`Store::pool`];
//! only this module knows which engine is behind it.

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, AssertSqlSafe, Executor, Transaction};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database named by `url` (creating a SQLite file if needed) and migrates it.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL: expected postgres://… or sqlite://…");
        };
        if backend == Backend::Sqlite {
            create_sqlite_parent_dir(url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .with_context(|| {
                format!(
                    "failed to open the database {}",
                    crate::config::redact_url(url)
                )
            })?;
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await,
        }
        .context("failed to migrate the database")
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn create_sqlite_parent_dir(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create the data directory {}", parent.display()))?;
    }
    Ok(())
}

/// Seconds since the Unix epoch: every timestamp is stored this way on both engines.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A value bound in [`insert_batched`].
pub enum Value {
    Text(String),
    OptText(Option<String>),
    Int(Option<i64>),
}

/// Inserts rows many at a time (`head` is `INSERT INTO t (…) VALUES `, `tail` an optional
/// `ON CONFLICT …`): one statement per row would take seconds on PostgreSQL.
pub async fn insert_batched(
    tx: &mut Transaction<'_, Any>,
    head: &str,
    tail: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), sqlx::Error> {
    // sqlx binds SQLite parameters by name and SQLite finds a name by walking the statement's
    // list, so a statement costs the square of its parameters there: about 200 parameters per
    // statement on SQLite, while PostgreSQL wants few round trips.
    let per_row = rows.first().map_or(1, Vec::len).max(1);
    let rows_per_statement = if tx.backend_name() == "SQLite" {
        (200 / per_row).max(1)
    } else {
        250
    };
    for chunk in rows.chunks(rows_per_statement) {
        let mut sql = String::from(head);
        let mut index = 0;
        for (row_number, row) in chunk.iter().enumerate() {
            if row_number > 0 {
                sql.push(',');
            }
            sql.push('(');
            for column in 0..row.len() {
                if column > 0 {
                    sql.push(',');
                }
                index += 1;
                sql.push_str(&format!("${index}"));
            }
            sql.push(')');
        }
        sql.push_str(tail);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Text(text) => query.bind(text.as_str()),
                Value::OptText(text) => query.bind(text.as_deref()),
                Value::Int(number) => query.bind(*number),
            };
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
