//! The pool, the dialect, error mapping and value conversions.

use chrono::{DateTime, Utc};
use kassa::{ErrorCode, KassaError, Result};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::error::ErrorKind;
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

/// Which SQL database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL: row locks, `SKIP LOCKED`, advisory locks, sequences.
    Postgres,
    /// SQLite: one writer at a time; the pool holds one connection.
    Sqlite,
}

/// How to open a database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Pool size (PostgreSQL; SQLite always uses 1). Default 10.
    pub max_connections: u32,
    /// PostgreSQL schema to create (if missing) and use through `search_path`; `None` uses
    /// the server's default (`public`). Tests give every run its own schema.
    pub schema: Option<String>,
    /// How long to wait for a connection before failing with `UNAVAILABLE`. Default 5 s.
    pub acquire_timeout: Duration,
    /// How long an in-progress idempotency claim blocks its key before another request may
    /// take it over (the holder is presumed dead). Default 60 s.
    pub idempotency_lock_timeout: chrono::Duration,
    /// SQLite `busy_timeout`: how long to wait on another process's write lock. Default 5 s.
    pub sqlite_busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_connections: 10,
            schema: None,
            acquire_timeout: Duration::from_secs(5),
            idempotency_lock_timeout: chrono::Duration::seconds(60),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A connection pool and its dialect.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    options: OpenOptions,
}

static DRIVERS: Once = Once::new();

/// A pooled connection idle at least this long is pinged before use (a dead one is replaced
/// transparently). One used more recently is handed out as it is: sqlx's default pings on
/// every acquire, one extra round trip per statement, which doubled a checkout's round trips
/// (docs/performance.md, adapters, session 10). A connection that died within the last
/// second fails its statement with `UNAVAILABLE` (retryable) and is dropped.
const PING_IF_IDLE: Duration = Duration::from_secs(1);

/// The host of a `postgres://` URL, if it names one in its authority (`[::1]` as `::1`).
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    let host = host_port.split(':').next().unwrap_or_default();
    (!host.is_empty()).then_some(host)
}

/// Whether a URL has the query parameter `name` (any value).
fn has_param(url: &str, name: &str) -> bool {
    url.split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|kv| kv.split('=').next() == Some(name)))
}

/// A PostgreSQL URL that says nothing about TLS and reaches the server over the loopback
/// interface (`localhost`, `127.0.0.1`, `::1`) gets `sslmode=disable`: sqlx's default,
/// `prefer`, negotiates TLS, which on loopback protects nothing (the traffic never leaves
/// the machine, and `prefer` does not verify the server anyway) and costs CPU on both ends of
/// every round trip (docs/performance.md, adapters, session 11). A URL with any `sslmode`
/// (or `sslrootcert`), a socket directory in `host=`, or another host is left as it is.
pub(crate) fn loopback_without_tls(url: &str) -> Option<String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return None;
    }
    if has_param(url, "sslmode") || has_param(url, "sslrootcert") || has_param(url, "host") {
        return None;
    }
    let host = url_host(url)?;
    if !matches!(host, "localhost" | "127.0.0.1" | "::1") {
        return None;
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}sslmode=disable"))
}

/// Whether a schema name is a plain identifier (it is spliced into `SET search_path`).
fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

impl Db {
    /// Connects (eagerly: one connection is opened before this returns).
    pub async fn connect(url: &str, options: OpenOptions) -> Result<Db> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let dialect = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            return Err(KassaError::validation(
                "url",
                "expected postgres://..., postgresql://... or sqlite://path",
            ));
        };
        if let Some(s) = &options.schema {
            if !valid_schema(s) {
                return Err(KassaError::validation(
                    "schema",
                    "must be letters, digits and '_' (at most 63)",
                ));
            }
        }
        let mut url = loopback_without_tls(url).unwrap_or_else(|| url.to_owned());
        if dialect == Dialect::Sqlite && !url.contains("mode=") && !url.contains(":memory:") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("mode=rwc");
        }
        let connect = AnyConnectOptions::from_str(&url)
            .map_err(|e| KassaError::validation("url", e.to_string()))?;
        let schema = options.schema.clone();
        let busy_ms = options.sqlite_busy_timeout.as_millis();
        let max = match dialect {
            Dialect::Postgres => options.max_connections.max(1),
            Dialect::Sqlite => 1,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(0)
            .acquire_timeout(options.acquire_timeout)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_IF_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match dialect {
                        Dialect::Postgres => {
                            if let Some(s) = schema {
                                conn.execute(
                                    format!("CREATE SCHEMA IF NOT EXISTS \"{s}\"").as_str(),
                                )
                                .await?;
                                conn.execute(format!("SET search_path TO \"{s}\"").as_str())
                                    .await?;
                            }
                        }
                        Dialect::Sqlite => {
                            conn.execute(format!("PRAGMA busy_timeout = {busy_ms}").as_str())
                                .await?;
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(db_err)?;
        Ok(Db {
            pool,
            dialect,
            options,
        })
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The options it was opened with.
    pub fn options(&self) -> &OpenOptions {
        &self.options
    }

    /// `" FOR UPDATE"` on PostgreSQL, nothing on SQLite (its writer lock covers it).
    pub(crate) fn for_update(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }

    /// `" FOR UPDATE SKIP LOCKED"` on PostgreSQL, nothing on SQLite.
    pub(crate) fn skip_locked(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        }
    }

    /// A short name for health reports.
    pub(crate) fn name(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// Health of one port: a round trip to the database.
    pub(crate) async fn health(&self, port: &str) -> kassa::ports::PortHealth {
        match sqlx::query("SELECT 1").execute(&self.pool).await {
            Ok(_) => kassa::ports::PortHealth::up(port, self.name()),
            Err(e) => kassa::ports::PortHealth::down(port, db_err(e).message),
        }
    }
}

/// Maps a database error to Kassa's typed errors: connection trouble is `UNAVAILABLE` with a
/// retry hint, a unique violation or a serialization failure is `CONFLICT`, anything else
/// `INTERNAL`.
pub fn db_err(e: sqlx::Error) -> KassaError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => {
            KassaError::unavailable(format!("database unavailable: {e}"), 1)
                .with_meta("cause", "connection")
        }
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            if matches!(d.kind(), ErrorKind::UniqueViolation) {
                KassaError::conflict(format!("already exists: {}", d.message()))
                    .with_meta("cause", "unique_violation")
            } else if code == "40001" || code == "40P01" {
                KassaError::unavailable(format!("transaction aborted, retry: {}", d.message()), 0)
                    .with_meta("cause", "serialization")
            } else if code == "5"
                || code == "6"
                || code.starts_with("57P")
                || code.starts_with("08")
            {
                // SQLITE_BUSY / SQLITE_LOCKED; PostgreSQL shutting down / connection exceptions
                KassaError::unavailable(format!("database busy: {}", d.message()), 1)
                    .with_meta("cause", "busy")
            } else {
                KassaError::internal(format!("database error {code}: {}", d.message()))
            }
        }
        _ => KassaError::internal(format!("database error: {e}")),
    }
}

/// Whether an error is the database saying a row already exists.
pub(crate) fn is_unique_violation(e: &KassaError) -> bool {
    e.code == ErrorCode::Conflict
        && e.meta
            .get("cause")
            .is_some_and(|c| c.as_str() == Some("unique_violation"))
}

/// Nanoseconds since the epoch (exact for 1677..2262).
pub(crate) fn ns(t: DateTime<Utc>) -> Result<i64> {
    t.timestamp_nanos_opt()
        .ok_or_else(|| KassaError::validation("time", "outside 1677..2262"))
}

/// The instant `n` nanoseconds after the epoch.
pub(crate) fn from_ns(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(n)
}

/// A count as a database integer.
pub(crate) fn int(n: u64, field: &str) -> Result<i64> {
    i64::try_from(n).map_err(|_| KassaError::validation(field, "too large"))
}

/// A database integer as a count (negative values read as 0).
pub(crate) fn uint(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// JSON text of a value.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| KassaError::internal(format!("encode: {e}")))
}

/// A value from stored JSON text.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| KassaError::internal(format!("stored row: {e}")))
}

/// The serde name of a unit enum value (`OrderStatus::Confirmed` → `"confirmed"`).
pub(crate) fn enum_name<T: serde::Serialize>(v: &T) -> Result<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(KassaError::internal("not a unit enum")),
    }
}

#[cfg(test)]
mod tests {
    use super::loopback_without_tls as lo;

    #[test]
    fn loopback_urls_without_tls_settings_skip_tls() {
        assert_eq!(
            lo("postgres://postgres@127.0.0.1:5432/test").as_deref(),
            Some("postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
        );
        assert_eq!(
            lo("postgresql://u:p@localhost/db?application_name=x").as_deref(),
            Some("postgresql://u:p@localhost/db?application_name=x&sslmode=disable")
        );
        assert_eq!(
            lo("postgres://u@[::1]:5432/db").as_deref(),
            Some("postgres://u@[::1]:5432/db?sslmode=disable")
        );
    }

    #[test]
    fn tls_requests_and_other_hosts_are_left_alone() {
        for url in [
            "postgres://u@127.0.0.1/db?sslmode=require",
            "postgres://u@127.0.0.1/db?sslmode=prefer",
            "postgres://u@localhost/db?a=b&sslmode=verify-full",
            "postgres://u@127.0.0.1/db?sslrootcert=/ca.pem",
            "postgres://u@db.internal:5432/db",
            "postgres://u@10.0.0.5/db",
            "postgres://u:p%40ss@127.0.0.2/db",
            "postgres:///db?host=/var/run/postgresql",
            "sqlite:///tmp/x.db",
        ] {
            assert_eq!(lo(url), None, "{url}");
        }
    }
}
