//! The engine for Node: `kassa::host::engine::EngineHost` behind a JS class whose calls return
//! Promises, and ports implemented in JavaScript.
//!
//! A JS port call goes through one threadsafe function, the package's dispatcher
//! (`engine.js`): `(port, method, argsJson) => Promise<string>`. The dispatcher awaits the
//! host object's method (a value or a Promise) and always resolves, with
//! `{"ok": result}` or `{"error": {code, message, details}, "causeId": n}` — a JS exception
//! never crosses into Rust. The error comes back to the engine as a `KassaError` whose
//! `meta.hostCauseId` lets the JS layer attach the original exception as `cause`.

use crate::{guard, to_napi};
use futures::FutureExt;
use kassa::engine::Ports;
use kassa::error::Result as KResult;
use kassa::host::engine::{EngineHost, InMemorySetup};
use kassa::money::Money;
use kassa::ports::{
    AuthorizeRequest, EventSink, GatewayResponse, OrderFilter, OrderStore, OutboxEvent,
    PaymentGateway, PortHealth,
};
use kassa::{KassaError, Page, PageRequest};
use napi::bindgen_prelude::{FnArgs, Function, Promise, PromiseRaw};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Env;
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// The dispatcher as a threadsafe function: `(port, method, argsJson) => Promise<string>`.
type Dispatch = ThreadsafeFunction<
    FnArgs<(String, String, String)>,
    Promise<String>,
    FnArgs<(String, String, String)>,
    napi::Status,
    false,
    true,
>;

/// One JS-implemented port: the dispatcher and the port's name in the ports object.
#[derive(Clone)]
struct JsPort {
    dispatch: Arc<Dispatch>,
    port: &'static str,
}

impl JsPort {
    async fn invoke<T: DeserializeOwned + kassa::host::Decode>(
        &self,
        method: &str,
        args: Value,
    ) -> KResult<T> {
        let what = format!("{}.{}", self.port, method);
        let args = serde_json::to_string(&args).map_err(|e| KassaError::internal(e.to_string()))?;
        let promise = self
            .dispatch
            .call_async_catch(FnArgs::from((
                self.port.to_owned(),
                method.to_owned(),
                args,
            )))
            .await
            .map_err(|e| KassaError::unavailable(format!("{what}: {e}"), 1))?;
        let text = promise
            .await
            .map_err(|e| KassaError::unavailable(format!("{what}: {e}"), 1))?;
        let envelope: Value = serde_json::from_str(&text)
            .map_err(|e| KassaError::internal(format!("{what}: bad dispatcher answer: {e}")))?;
        if let Some(err) = envelope.get("error") {
            let mut error: KassaError = serde_json::from_value(err.clone())
                .unwrap_or_else(|_| KassaError::unavailable(format!("{what} failed"), 1));
            if let Some(id) = envelope.get("causeId") {
                error.meta.insert("hostCauseId".to_owned(), id.clone());
            }
            error
                .meta
                .insert("hostPort".to_owned(), Value::String(what));
            return Err(error);
        }
        let ok = envelope.get("ok").cloned().unwrap_or(Value::Null);
        kassa::host::from_value(ok).map_err(|e| {
            KassaError::validation(
                format!("{what}.result"),
                format!(
                    "the JS port returned a value of the wrong shape: {}",
                    e.message
                ),
            )
        })
    }

    async fn health(&self) -> PortHealth {
        match self.invoke::<PortHealth>("health", json!([])).await {
            Ok(h) => h,
            Err(e) => PortHealth::down(self.port, e.message),
        }
    }
}

#[async_trait::async_trait]
impl PaymentGateway for JsPort {
    async fn authorize(&self, request: AuthorizeRequest) -> KResult<GatewayResponse> {
        self.invoke("authorize", json!([request])).await
    }
    async fn capture(
        &self,
        key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> KResult<GatewayResponse> {
        self.invoke("capture", json!([key, gateway_ref, amount]))
            .await
    }
    async fn void(&self, key: &str, gateway_ref: &str) -> KResult<GatewayResponse> {
        self.invoke("void", json!([key, gateway_ref])).await
    }
    async fn refund(
        &self,
        key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> KResult<GatewayResponse> {
        self.invoke("refund", json!([key, gateway_ref, amount]))
            .await
    }
    async fn health(&self) -> PortHealth {
        JsPort::health(self).await
    }
}

#[async_trait::async_trait]
impl EventSink for JsPort {
    async fn publish(&self, event: OutboxEvent) -> KResult<()> {
        self.invoke::<Value>("publish", json!([event]))
            .await
            .map(|_| ())
    }
    async fn health(&self) -> PortHealth {
        JsPort::health(self).await
    }
}

#[async_trait::async_trait]
impl OrderStore for JsPort {
    async fn insert(&self, order: kassa::order::Order) -> KResult<kassa::order::Order> {
        self.invoke("insert", json!([order])).await
    }
    async fn get(&self, id: &str) -> KResult<Option<kassa::order::Order>> {
        self.invoke("get", json!([id])).await
    }
    async fn get_by_number(&self, number: &str) -> KResult<Option<kassa::order::Order>> {
        self.invoke("getByNumber", json!([number])).await
    }
    async fn compare_and_set(&self, order: kassa::order::Order) -> KResult<kassa::order::Order> {
        self.invoke("compareAndSet", json!([order])).await
    }
    async fn list(
        &self,
        filter: &OrderFilter,
        page: PageRequest,
    ) -> KResult<Page<kassa::order::Order>> {
        self.invoke("list", json!([filter, page])).await
    }
    async fn next_number(&self) -> KResult<u64> {
        self.invoke("nextNumber", json!([])).await
    }
    async fn health(&self) -> PortHealth {
        JsPort::health(self).await
    }
}

/// Which ports the JS side implements.
#[napi(object)]
pub struct JsPortNames {
    /// A payment gateway (`authorize`, `capture`, `void`, `refund`, `health`).
    pub gateway: bool,
    /// An event sink (`publish`, `health`).
    pub events: bool,
    /// An order store (`insert`, `get`, `getByNumber`, `compareAndSet`, `list`,
    /// `nextNumber`, `health`).
    pub orders: bool,
}

/// The engine behind `kassa.Engine` (use that class; this one speaks JSON text).
#[napi]
pub struct NativeEngine {
    host: Arc<EngineHost>,
    /// The stores of an engine opened by URL (`None`: in memory), to close the pool.
    #[cfg(feature = "sql")]
    store: Option<kassa_sql::SqlStore>,
}

impl NativeEngine {
    fn in_memory_host(host: EngineHost) -> Self {
        NativeEngine {
            host: Arc::new(host),
            #[cfg(feature = "sql")]
            store: None,
        }
    }
}

/// The dispatcher function as a threadsafe function (weak: it does not keep Node alive).
fn dispatcher(
    dispatch: Function<FnArgs<(String, String, String)>, Promise<String>>,
) -> napi::Result<Arc<Dispatch>> {
    let tsfn: Dispatch = dispatch
        .build_threadsafe_function()
        .callee_handled::<false>()
        .weak::<true>()
        .build()?;
    Ok(Arc::new(tsfn))
}

fn parse_setup(setup: &str) -> KResult<InMemorySetup> {
    kassa::host::from_argument(setup, "setup")
}

#[napi]
impl NativeEngine {
    /// The embedded defaults (in-memory stores, sandbox gateway, manual clock) from a JSON
    /// setup (`{}` gives the sample catalog).
    #[napi(factory, catch_unwind)]
    pub fn in_memory(setup: String) -> napi::Result<NativeEngine> {
        guard(|| EngineHost::from_setup(parse_setup(&setup)?))
            .map(NativeEngine::in_memory_host)
            .map_err(|e| to_napi(&e))
    }

    /// The embedded defaults with the ports named in `ports` implemented in JS through
    /// `dispatch` (`(port, method, argsJson) => Promise<string>`).
    #[napi(factory)]
    pub fn with_js_ports(
        setup: String,
        ports: JsPortNames,
        dispatch: Function<FnArgs<(String, String, String)>, Promise<String>>,
    ) -> napi::Result<NativeEngine> {
        let tsfn = dispatcher(dispatch)?;
        let port = |name: &'static str| JsPort {
            dispatch: tsfn.clone(),
            port: name,
        };
        let (gateway, events, orders) = (port("gateway"), port("events"), port("orders"));
        guard(|| {
            EngineHost::from_setup_with_ports(parse_setup(&setup)?, move |mut p: Ports| {
                if ports.gateway {
                    p.gateway = Arc::new(gateway);
                }
                if ports.events {
                    p.events = Arc::new(events);
                }
                if ports.orders {
                    p.orders = Arc::new(orders);
                }
                p
            })
        })
        .map(NativeEngine::in_memory_host)
        .map_err(|e| to_napi(&e))
    }

    /// An engine on the database at `url` (`postgres://`, `postgresql://`, `sqlite://path`,
    /// `sqlite::memory:`), resolved once connected and migrated: `setup` is the JSON of an
    /// `OpenSetup` (catalog, rules and stock loaded into a fresh database only; engine,
    /// auth, billing settings), `options` the JSON of `kassa_sql::UrlOptions` (schema, pool
    /// size, timeouts). With `dispatch`, the payment gateway is the JS `gateway` port (as in
    /// `withJsPorts`); without it, the sandbox gateway. The pool runs on napi's tokio
    /// runtime, like every engine call.
    // The dispatcher's type is spelled out (not aliased) so napi's typegen writes its
    // TypeScript signature.
    #[allow(clippy::type_complexity)]
    #[napi(ts_return_type = "Promise<NativeEngine>")]
    pub fn open<'env>(
        env: &'env Env,
        url: String,
        setup: String,
        options: String,
        dispatch: Option<Function<FnArgs<(String, String, String)>, Promise<String>>>,
    ) -> napi::Result<PromiseRaw<'env, NativeEngine>> {
        let gateway = match dispatch {
            Some(d) => Some(Arc::new(JsPort {
                dispatch: dispatcher(d)?,
                port: "gateway",
            }) as Arc<dyn PaymentGateway>),
            None => None,
        };
        env.spawn_future(async move {
            #[cfg(feature = "sql")]
            {
                let run = kassa_sql::open_host_json(&url, &setup, &options, gateway);
                match AssertUnwindSafe(run).catch_unwind().await {
                    Ok(Ok(opened)) => Ok(NativeEngine {
                        host: Arc::new(opened.host),
                        store: Some(opened.store),
                    }),
                    Ok(Err(e)) => Err(to_napi(&e)),
                    Err(_) => Err(to_napi(&KassaError::internal("panic in the Kassa engine"))),
                }
            }
            #[cfg(not(feature = "sql"))]
            {
                let _ = (url, setup, options, gateway);
                Err(to_napi(&KassaError::validation(
                    "url",
                    "this build of kassa has no SQL support (cargo feature `sql`)",
                )))
            }
        })
    }

    /// Closes the database pool of an engine opened by URL (waits for calls in flight);
    /// later calls fail with `UNAVAILABLE`. Resolves at once for an in-memory engine.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        #[cfg(feature = "sql")]
        if let Some(store) = &self.store {
            store.close().await;
        }
        Ok(())
    }

    /// Whether the engine runs on a database (opened by URL) rather than in memory.
    #[napi(getter)]
    pub fn persistent(&self) -> bool {
        #[cfg(feature = "sql")]
        let persistent = self.store.is_some();
        #[cfg(not(feature = "sql"))]
        let persistent = false;
        persistent
    }

    /// Every engine operation name.
    #[napi(catch_unwind)]
    pub fn operations() -> Vec<String> {
        kassa::host::engine::OPERATIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    /// Runs one engine operation on JSON text; resolves to the JSON text of the result.
    /// (Panics inside the future are caught below and become `INTERNAL`.)
    #[napi]
    pub async fn call(&self, op: String, request: String) -> napi::Result<String> {
        let host = self.host.clone();
        let run = async move { host.call_str(&op, &request).await };
        match AssertUnwindSafe(run).catch_unwind().await {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(e)) => Err(to_napi(&e)),
            Err(_) => Err(to_napi(&KassaError::internal("panic in the Kassa engine"))),
        }
    }
}
