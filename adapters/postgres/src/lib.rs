//! Kassa's storage ports on PostgreSQL, for many application instances sharing one database.
//!
//! Racy operations are single statements or short transactions (row locks in a fixed order,
//! conditional updates, unique constraints, compare-and-set on versions); the order write and
//! its outbox events commit together; the outbox is drained with `FOR UPDATE SKIP LOCKED`.
//! Migrations run at [`connect`] under an advisory lock, so instances may start at once.
//!
//! ```no_run
//! # async fn demo() -> kassa::Result<()> {
//! let store = kassa_postgres::connect("postgres://kassa@db.internal/shop").await?;
//! let engine = kassa::engine::Engine::new(store.ports(), Default::default())?;
//! // a relay task: deliver events at least once
//! store.outbox.drain(100, |batch| async move { /* publish batch */ Ok(()) }).await?;
//! # Ok(()) }
//! ```

pub use kassa_sql::{OpenOptions, SqlOutbox, SqlStore};

use kassa::{KassaError, Result};

/// Connects to `url` (`postgres://user:password@host:port/db`), applies the migrations and
/// returns the stores. Unreachable: `UNAVAILABLE` with `meta.retryAfterSeconds`.
pub async fn connect(url: &str) -> Result<SqlStore> {
    connect_with(url, OpenOptions::default()).await
}

/// [`connect`] with explicit options (pool size, schema, timeouts).
pub async fn connect_with(url: &str, options: OpenOptions) -> Result<SqlStore> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(KassaError::validation(
            "url",
            "expected postgres://... or postgresql://...",
        ));
    }
    kassa_sql::open_with(url, options).await
}
