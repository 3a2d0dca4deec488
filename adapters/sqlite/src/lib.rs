//! Kassa's storage ports on SQLite: one node, persistence without a server.
//!
//! The database runs in WAL mode with `synchronous = NORMAL`; the pool holds one connection,
//! so every port transaction of the process runs alone (SQLite has one writer anyway), and
//! other processes opening the same file wait up to `busy_timeout` for the write lock. For
//! several application instances use `kassa-postgres`.
//!
//! ```no_run
//! # async fn demo() -> kassa::Result<()> {
//! let store = kassa_sqlite::connect("/var/lib/shop/kassa.db").await?;
//! let engine = kassa::engine::Engine::new(store.ports(), Default::default())?;
//! # Ok(()) }
//! ```

pub use kassa_sql::{OpenOptions, SqlOutbox, SqlStore};

use kassa::Result;

/// Opens (creating if missing) the SQLite database at `path_or_url` (`/path/to.db`,
/// `sqlite://path` or `sqlite::memory:`), applies the migrations and returns the stores.
pub async fn connect(path_or_url: &str) -> Result<SqlStore> {
    connect_with(path_or_url, OpenOptions::default()).await
}

/// [`connect`] with explicit options.
pub async fn connect_with(path_or_url: &str, options: OpenOptions) -> Result<SqlStore> {
    kassa_sql::open_with(&url(path_or_url), options).await
}

/// The sqlx URL of a path (URLs pass through).
pub fn url(path_or_url: &str) -> String {
    if path_or_url.starts_with("sqlite:") {
        path_or_url.to_owned()
    } else {
        format!("sqlite://{path_or_url}")
    }
}
