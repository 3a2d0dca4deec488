//! Core ports implemented by Python objects.
//!
//! A Python object with the methods of a `typing.Protocol` in `kassa/ports.py` serves as a
//! port: the Rust adapter here serializes the arguments to the serde form, re-acquires the GIL
//! and calls `kassa.ports._invoke(obj, method, args_json)`, which converts them to Python
//! values (`Money`, `Record`, aware `datetime`), calls the method and serializes its result.
//! An exception raised by the host becomes a `KassaError` (its own code when it is a Kassa
//! error, `UNAVAILABLE` for `OSError`/`TimeoutError`, else `INTERNAL`) and is chained as
//! `__cause__` when the error reaches Python again (see `boundary`).

use crate::boundary::from_host_error;
use kassa::error::{KassaError, Result};
use kassa::money::Money;
use kassa::order::Order;
use kassa::page::{Page, PageRequest};
use kassa::ports::{
    AuthorizeRequest, Clock, EventSink, GatewayResponse, HealthStatus, OrderFilter, OrderStore,
    OutboxEvent, PaymentGateway, PortHealth,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

static INVOKER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Registers `kassa.ports._invoke` (done by the Python package at import).
#[pyfunction]
pub fn _set_port_invoker(invoker: Bound<'_, PyAny>) -> PyResult<()> {
    let py = invoker.py();
    let unbound = invoker.unbind();
    // A second registration (re-import) keeps the first invoker.
    let _ = INVOKER.set(py, unbound);
    Ok(())
}

/// A Python object serving as a port, named for error messages and health reports.
pub struct HostObject {
    object: Py<PyAny>,
    port: &'static str,
}

impl HostObject {
    /// Wraps `object` as the port named `port`.
    pub fn new(object: Py<PyAny>, port: &'static str) -> Self {
        HostObject { object, port }
    }

    /// Calls `method` with JSON arguments and returns its JSON result.
    fn invoke_value(&self, method: &str, args: Value) -> Result<Value> {
        Python::attach(|py| {
            let invoker = INVOKER.get(py).ok_or_else(|| {
                KassaError::internal("kassa.ports is not imported: no port invoker registered")
            })?;
            let out = invoker
                .bind(py)
                .call1((self.object.bind(py), method, args.to_string()))
                .map_err(|e| from_host_error(py, e))?;
            let text: String = out.extract().map_err(|e| from_host_error(py, e))?;
            serde_json::from_str(&text).map_err(|e| {
                KassaError::internal(format!(
                    "{} port: {method} returned invalid JSON: {e}",
                    self.port
                ))
            })
        })
    }

    /// Calls `method` and decodes its result into `T` (a shape error names the field).
    fn invoke<T: DeserializeOwned + kassa::host::Decode>(
        &self,
        method: &str,
        args: Value,
    ) -> Result<T> {
        let out = self.invoke_value(method, args)?;
        // A result of the wrong shape is the host's bug, not the caller's input: INTERNAL.
        kassa::host::from_value(out).map_err(|e| {
            KassaError::internal(format!(
                "{} port: {method} returned a value of the wrong shape: {}",
                self.port, e.message
            ))
        })
    }

    /// The health of the host object: its `health()` when it has one, else up.
    fn health(&self) -> PortHealth {
        let has = Python::attach(|py| self.object.bind(py).hasattr("health").unwrap_or(false));
        if !has {
            return PortHealth::up(self.port, "python object");
        }
        match self.invoke::<PortHealth>("health", json!([])) {
            Ok(h) => h,
            Err(e) => PortHealth {
                port: self.port.to_owned(),
                status: HealthStatus::Down,
                detail: Some(e.message),
            },
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| KassaError::internal(e.to_string()))
}

/// A payment gateway implemented in Python (`kassa.ports.PaymentGateway`).
pub struct PyGateway(pub HostObject);

#[async_trait::async_trait]
impl PaymentGateway for PyGateway {
    async fn authorize(&self, request: AuthorizeRequest) -> Result<GatewayResponse> {
        self.0.invoke("authorize", json!([to_json(&request)?]))
    }
    async fn capture(
        &self,
        idempotency_key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> Result<GatewayResponse> {
        self.0.invoke(
            "capture",
            json!([idempotency_key, gateway_ref, to_json(&amount)?]),
        )
    }
    async fn void(&self, idempotency_key: &str, gateway_ref: &str) -> Result<GatewayResponse> {
        self.0.invoke("void", json!([idempotency_key, gateway_ref]))
    }
    async fn refund(
        &self,
        idempotency_key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> Result<GatewayResponse> {
        self.0.invoke(
            "refund",
            json!([idempotency_key, gateway_ref, to_json(&amount)?]),
        )
    }
    async fn health(&self) -> PortHealth {
        self.0.health()
    }
}

/// An event sink (outbox) implemented in Python (`kassa.ports.EventSink`).
pub struct PyEventSink(pub HostObject);

#[async_trait::async_trait]
impl EventSink for PyEventSink {
    async fn publish(&self, event: OutboxEvent) -> Result<()> {
        let _: Value = self.0.invoke("publish", json!([to_json(&event)?]))?;
        Ok(())
    }
    async fn health(&self) -> PortHealth {
        self.0.health()
    }
}

/// A clock implemented in Python (`kassa.ports.Clock`): `now()` returns an aware datetime.
///
/// The `Clock` port cannot fail; if the host's `now()` raises or returns something that is
/// not an aware datetime, the last good instant is used (or the Unix epoch before the first),
/// and the error is written to Python's `sys.unraisablehook`.
pub struct PyClock {
    host: HostObject,
    last: std::sync::Mutex<chrono::DateTime<chrono::Utc>>,
}

impl PyClock {
    /// Wraps a Python clock.
    pub fn new(host: HostObject) -> Self {
        PyClock {
            host,
            last: std::sync::Mutex::new(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH),
        }
    }
}

impl Clock for PyClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match self
            .host
            .invoke::<chrono::DateTime<chrono::Utc>>("now", json!([]))
        {
            Ok(t) => {
                if let Ok(mut last) = self.last.lock() {
                    *last = t;
                }
                t
            }
            Err(e) => {
                Python::attach(|py| {
                    let err = crate::boundary::to_py_err(py, &e);
                    err.write_unraisable(py, None);
                });
                self.last
                    .lock()
                    .map(|t| *t)
                    .unwrap_or(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH)
            }
        }
    }
}

/// `{"items": [...], "total": n}`: what a Python order store's `list` returns.
#[derive(serde::Deserialize, kassa::host::Decode)]
struct HostPage {
    items: Vec<Order>,
    total: u64,
}

/// An order store implemented in Python (`kassa.ports.OrderStore`).
pub struct PyOrderStore(pub HostObject);

#[async_trait::async_trait]
impl OrderStore for PyOrderStore {
    async fn insert(&self, order: Order) -> Result<Order> {
        self.0.invoke("insert", json!([to_json(&order)?]))
    }
    async fn get(&self, id: &str) -> Result<Option<Order>> {
        self.0.invoke("get", json!([id]))
    }
    async fn get_by_number(&self, number: &str) -> Result<Option<Order>> {
        self.0.invoke("get_by_number", json!([number]))
    }
    async fn compare_and_set(&self, order: Order) -> Result<Order> {
        self.0.invoke("compare_and_set", json!([to_json(&order)?]))
    }
    async fn list(&self, filter: &OrderFilter, page: PageRequest) -> Result<Page<Order>> {
        let out: HostPage = self
            .0
            .invoke("list", json!([to_json(filter)?, to_json(&page)?]))?;
        Ok(Page::new(out.items, page, out.total))
    }
    async fn next_number(&self) -> Result<u64> {
        self.0.invoke("next_number", json!([]))
    }
    async fn health(&self) -> PortHealth {
        self.0.health()
    }
}
