//! `kassa._native.Engine`: the engine (`kassa::host::engine::EngineHost`) with the embedded
//! in-memory defaults, optionally with ports implemented by Python objects.
//!
//! Methods are synchronous: each call drives the async core to completion with
//! `futures::executor::block_on` on the calling thread, with the GIL released; ports written
//! in Python re-acquire it for the duration of their call (docs/python.md, "The engine").

use crate::boundary::{guarded, to_py_err};
use crate::ports::{HostObject, PyClock, PyEventSink, PyGateway, PyOrderStore};
use kassa::host::engine::{EngineHost, InMemorySetup};
use pyo3::prelude::*;
use std::sync::Arc;

/// The engine. Safe to share between threads (the core engine is `Send + Sync`; every port
/// call is atomic).
#[pyclass(frozen, name = "Engine", module = "kassa._native")]
pub struct PyEngine {
    host: Arc<EngineHost>,
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
            Ok(host) => Ok(PyEngine {
                host: Arc::new(host),
            }),
            Err(e) => Err(to_py_err(py, &e)),
        }
    }

    /// Runs one engine operation on a JSON request text; returns the JSON result text.
    fn call(&self, py: Python<'_>, operation: &str, request: &str) -> PyResult<String> {
        let host = Arc::clone(&self.host);
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
