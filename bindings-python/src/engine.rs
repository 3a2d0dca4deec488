//! `kassa._native.Engine`: the engine (`kassa::host::engine::EngineHost`) with the embedded
//! in-memory defaults, optionally with ports implemented by Python objects.
//!
//! Methods are synchronous: each call drives the async core to completion with
//! `futures::executor::block_on` on the calling thread, with the GIL released; ports written
//! in Python re-acquire it for the duration of their call (docs/python.md, "The engine").
//!
//! An engine opened by URL (`Engine.open`, cargo feature `sql`) runs on PostgreSQL or SQLite
//! through `kassa_sql::open_host_json`. sqlx needs a tokio runtime: one process-wide
//! multi-thread runtime with two workers, created on the first `open`, drives the pool's
//! background tasks and its I/O; each call is `runtime.block_on(...)` on the calling thread,
//! with the GIL released as above.

use crate::boundary::{guarded, to_py_err};
use crate::ports::{HostObject, PyClock, PyEventSink, PyGateway, PyOrderStore};
use kassa::host::engine::{EngineHost, InMemorySetup};
use kassa::KassaError;
use pyo3::prelude::*;
use std::sync::Arc;

/// The engine. Safe to share between threads (the core engine is `Send + Sync`; every port
/// call is atomic).
#[pyclass(frozen, name = "Engine", module = "kassa._native")]
pub struct PyEngine {
    host: Arc<EngineHost>,
    /// The database side of an engine opened by URL (`None`: the in-memory path).
    #[cfg(feature = "sql")]
    sql: Option<Sql>,
}

/// What an engine opened on a database keeps besides the host: the runtime that drives its
/// futures and the stores (to close the pool).
#[cfg(feature = "sql")]
struct Sql {
    runtime: &'static tokio::runtime::Runtime,
    store: kassa_sql::SqlStore,
}

/// The process-wide tokio runtime of SQL-backed engines, created on first use: two worker
/// threads run the pools' I/O and maintenance; the engine's own futures are driven by
/// `block_on` on the threads that call it.
#[cfg(feature = "sql")]
fn runtime() -> Result<&'static tokio::runtime::Runtime, KassaError> {
    static RUNTIME: std::sync::OnceLock<Result<tokio::runtime::Runtime, String>> =
        std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("kassa-sql")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| KassaError::internal(format!("could not start the tokio runtime: {e}")))
}

impl PyEngine {
    fn in_memory_host(host: EngineHost) -> Self {
        PyEngine {
            host: Arc::new(host),
            #[cfg(feature = "sql")]
            sql: None,
        }
    }
}

#[pymethods]
impl PyEngine {
    /// The embedded defaults from a JSON setup (`InMemorySetup`: catalog, rules, start,
    /// seed, engine, stock, auth), with the ports given here implemented by Python objects.
    #[staticmethod]
    #[pyo3(signature = (setup, gateway=None, orders=None, events=None, clock=None))]
    fn in_memory(
        py: Python<'_>,
        setup: &str,
        gateway: Option<Py<PyAny>>,
        orders: Option<Py<PyAny>>,
        events: Option<Py<PyAny>>,
        clock: Option<Py<PyAny>>,
    ) -> PyResult<PyEngine> {
        let built = guarded(|| {
            let value: serde_json::Value = serde_json::from_str(setup).map_err(|e| {
                kassa::KassaError::validation("input", format!("not valid JSON: {e}"))
            })?;
            let setup: InMemorySetup = kassa::host::from_value(value)?;
            EngineHost::from_setup_with_ports(setup, |mut ports| {
                if let Some(g) = gateway {
                    ports.gateway = Arc::new(PyGateway(HostObject::new(g, "gateway")));
                }
                if let Some(o) = orders {
                    ports.orders = Arc::new(PyOrderStore(HostObject::new(o, "orders")));
                }
                if let Some(e) = events {
                    ports.events = Arc::new(PyEventSink(HostObject::new(e, "events")));
                }
                if let Some(c) = clock {
                    ports.clock = Arc::new(PyClock::new(HostObject::new(c, "clock")));
                }
                ports
            })
        });
        match built {
            Ok(host) => Ok(PyEngine::in_memory_host(host)),
            Err(e) => Err(to_py_err(py, &e)),
        }
    }

    /// An engine on the database at `url` (`postgres://`, `postgresql://`, `sqlite://path`,
    /// `sqlite::memory:`): `setup` is the JSON of an `OpenSetup` (catalog, rules and stock
    /// loaded into a fresh database only; engine, auth, billing settings), `options` the JSON
    /// of `kassa_sql::UrlOptions` (schema, pool size, timeouts). `gateway` is a Python
    /// payment gateway (default: the sandbox gateway). Connecting and migrating run with
    /// the GIL released.
    #[staticmethod]
    #[pyo3(signature = (url, setup, options, gateway=None))]
    fn open(
        py: Python<'_>,
        url: &str,
        setup: &str,
        options: &str,
        gateway: Option<Py<PyAny>>,
    ) -> PyResult<PyEngine> {
        #[cfg(feature = "sql")]
        {
            let gateway = gateway.map(|g| {
                Arc::new(PyGateway(HostObject::new(g, "gateway")))
                    as Arc<dyn kassa::ports::PaymentGateway>
            });
            let opened = py.detach(move || {
                guarded(|| {
                    let runtime = runtime()?;
                    let opened = runtime
                        .block_on(kassa_sql::open_host_json(url, setup, options, gateway))?;
                    Ok((opened, runtime))
                })
            });
            match opened {
                Ok((opened, runtime)) => Ok(PyEngine {
                    host: Arc::new(opened.host),
                    sql: Some(Sql {
                        runtime,
                        store: opened.store,
                    }),
                }),
                Err(e) => Err(to_py_err(py, &e)),
            }
        }
        #[cfg(not(feature = "sql"))]
        {
            let _ = (url, setup, options, gateway);
            Err(to_py_err(
                py,
                &KassaError::validation(
                    "url",
                    "this build of kassa has no SQL support (cargo feature `sql`)",
                ),
            ))
        }
    }

    /// Closes the database pool of an engine opened by URL (waits for calls in flight);
    /// later calls fail with `UNAVAILABLE`. Nothing to do for an in-memory engine.
    fn close(&self, py: Python<'_>) {
        #[cfg(feature = "sql")]
        if let Some(sql) = &self.sql {
            let (runtime, store) = (sql.runtime, sql.store.clone());
            py.detach(move || runtime.block_on(store.close()));
        }
        #[cfg(not(feature = "sql"))]
        let _ = py;
    }

    /// Whether the engine runs on a database (opened by URL) rather than in memory.
    #[getter]
    fn persistent(&self) -> bool {
        #[cfg(feature = "sql")]
        let persistent = self.sql.is_some();
        #[cfg(not(feature = "sql"))]
        let persistent = false;
        persistent
    }

    /// Runs one engine operation on a JSON request text; returns the JSON result text.
    fn call(&self, py: Python<'_>, operation: &str, request: &str) -> PyResult<String> {
        let host = Arc::clone(&self.host);
        #[cfg(feature = "sql")]
        if let Some(sql) = &self.sql {
            let runtime = sql.runtime;
            let result =
                py.detach(move || guarded(|| runtime.block_on(host.call_str(operation, request))));
            return result.map_err(|e| to_py_err(py, &e));
        }
        let result = py.detach(move || {
            guarded(|| futures::executor::block_on(host.call_str(operation, request)))
        });
        result.map_err(|e| to_py_err(py, &e))
    }

    /// Every engine operation name.
    #[staticmethod]
    fn operations() -> Vec<&'static str> {
        kassa::host::engine::OPERATIONS.to_vec()
    }
}

/// Registers the engine class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()
}
