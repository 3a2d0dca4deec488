//! Engines opened by URL: the one call behind the bindings' `Engine.open(url, setup, options)`
//! (Python, Node), so a service runs on PostgreSQL or SQLite without writing ports.
//!
//! [`open_host`] opens (and migrates) the database, loads the setup's catalog, rules and stock
//! into a fresh database ([`kassa::host::engine::OpenSetup`]: once, never over existing data)
//! and builds a [`kassa::host::EngineHost`] over the SQL ports with
//! [`kassa::host::EngineHost::from_ports`]: the system clock, UUID ids, the OS random source,
//! the SQL token store, and in-memory rate limits (per process).

use crate::{OpenOptions, OsRandom, SqlStore};
use kassa::host::engine::{load_stock, HostPorts, OpenSetup};
use kassa::host::EngineHost;
use kassa::memory::MemoryRateLimitStore;
use kassa::ports::PaymentGateway;
use kassa::{KassaError, Result};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// [`OpenOptions`] in the JSON form a binding passes (`{"schema": "shop", "maxConnections":
/// 20, "acquireTimeoutSeconds": 2.5}`); every field is optional and defaults as in
/// [`OpenOptions::default`].
#[derive(Debug, Clone, Default, Deserialize, kassa::host::Decode)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct UrlOptions {
    /// PostgreSQL schema for the tables (created if missing).
    pub schema: Option<String>,
    /// PostgreSQL pool size (SQLite always uses one connection).
    pub max_connections: Option<u32>,
    /// Seconds to wait for a connection (also the connect timeout of [`open_host`]) before
    /// failing with `UNAVAILABLE`.
    pub acquire_timeout_seconds: Option<f64>,
    /// Seconds an in-progress idempotency claim blocks its key.
    pub idempotency_lock_timeout_seconds: Option<u32>,
    /// SQLite: seconds to wait for another process's write lock.
    pub sqlite_busy_timeout_seconds: Option<f64>,
}

/// A positive, finite number of seconds as a duration.
fn seconds(field: &str, value: f64) -> Result<Duration> {
    if !(value.is_finite() && value > 0.0) {
        return Err(KassaError::validation(
            field,
            "must be a positive number of seconds",
        ));
    }
    Duration::try_from_secs_f64(value).map_err(|e| KassaError::validation(field, e.to_string()))
}

impl UrlOptions {
    /// The options from their JSON text (empty text is `{}`).
    ///
    /// # Errors
    /// `VALIDATION_ERROR` naming the field (`options` when the text is not JSON).
    pub fn from_json(text: &str) -> Result<Self> {
        kassa::host::from_argument(text, "options")
    }

    /// The adapter's options.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` naming a zero pool size or a timeout that is not a positive number
    /// of seconds (the schema name is checked when the database is opened).
    pub fn open_options(&self) -> Result<OpenOptions> {
        let mut options = OpenOptions {
            schema: self.schema.clone(),
            ..OpenOptions::default()
        };
        if let Some(n) = self.max_connections {
            if n == 0 {
                return Err(KassaError::validation(
                    "maxConnections",
                    "must be at least 1",
                ));
            }
            options.max_connections = n;
        }
        if let Some(s) = self.acquire_timeout_seconds {
            options.acquire_timeout = seconds("acquireTimeoutSeconds", s)?;
        }
        if let Some(s) = self.idempotency_lock_timeout_seconds {
            if s == 0 {
                return Err(KassaError::validation(
                    "idempotencyLockTimeoutSeconds",
                    "must be at least 1",
                ));
            }
            options.idempotency_lock_timeout = chrono::Duration::seconds(i64::from(s));
        }
        if let Some(s) = self.sqlite_busy_timeout_seconds {
            options.sqlite_busy_timeout = seconds("sqliteBusyTimeoutSeconds", s)?;
        }
        Ok(options)
    }
}

/// An engine opened on a database, with the store it runs on (to close the pool, relay the
/// outbox, or seed more data).
pub struct OpenedHost {
    /// The engine as JSON operations.
    pub host: EngineHost,
    /// The SQL stores under it.
    pub store: SqlStore,
}

impl std::fmt::Debug for OpenedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedHost")
            .field("host", &self.host)
            .field("dialect", &self.store.db.dialect())
            .finish()
    }
}

/// Loads the setup's catalog, rules and stock when the database is fresh (its catalog never
/// written); returns whether it did. A setup with nothing to load leaves the database as it
/// is, fresh or not.
async fn seed(store: &SqlStore, setup: &OpenSetup) -> Result<bool> {
    if setup.catalog.is_none() && setup.rules.is_none() && setup.stock.is_empty() {
        return Ok(false);
    }
    let data = setup.catalog.clone().unwrap_or_default();
    let rules = setup.rules.clone().unwrap_or_default();
    if !store.catalog.seed_if_fresh(data, rules).await? {
        return Ok(false);
    }
    load_stock(&*store.inventory, &setup.stock).await?;
    Ok(true)
}

/// Opens the database at `url` (`postgres://...`, `postgresql://...`, `sqlite://path`,
/// `sqlite::memory:`), applies the migrations, loads the setup into a fresh database and
/// returns the engine over it. `gateway` is the payment provider (`None`: the sandbox
/// gateway, for development and tests).
///
/// # Errors
/// `VALIDATION_ERROR` naming `url` (unknown scheme, malformed URL), `schema`, or the field of
/// the setup that is wrong; `UNAVAILABLE` when the database cannot be reached within
/// `options.acquire_timeout`; `CONFLICT` for a database migrated by a newer build.
pub async fn open_host(
    url: &str,
    setup: OpenSetup,
    options: OpenOptions,
    gateway: Option<Arc<dyn PaymentGateway>>,
) -> Result<OpenedHost> {
    let config = setup.config();
    let store = crate::open_with(url, options).await?;
    seed(&store, &setup).await?;
    let ports = match gateway {
        Some(g) => store.ports_with(g),
        None => store.ports(),
    };
    let ports = HostPorts {
        ports,
        billing: store.billing_ports(),
        auth: store.auth_ports(Arc::new(MemoryRateLimitStore::new()), Arc::new(OsRandom)),
    };
    let host = EngineHost::from_ports(config, ports)?;
    Ok(OpenedHost { host, store })
}

/// [`open_host`] on the JSON texts a binding passes: the setup
/// ([`kassa::host::engine::OpenSetup`]) and the options ([`UrlOptions`]); both checked before
/// connecting.
///
/// # Errors
/// As [`open_host`], and `VALIDATION_ERROR` naming the field of the setup or the options.
pub async fn open_host_json(
    url: &str,
    setup: &str,
    options: &str,
    gateway: Option<Arc<dyn PaymentGateway>>,
) -> Result<OpenedHost> {
    let setup = OpenSetup::from_json(setup)?;
    let options = UrlOptions::from_json(options)?.open_options()?;
    open_host(url, setup, options, gateway).await
}
