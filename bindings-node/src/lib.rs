//! Node.js binding of Kassa (napi-rs v3), published as the npm package `kassa`.
//!
//! The native module is deliberately thin (docs/node.md):
//!
//! - [`call_json`]: the generic entry point, `kassa::host::ops::call` on JSON text;
//! - one typed export per pure domain operation, grouped in JS namespaces (`money.allocate`,
//!   `pricing.priceCart`, ...), each a whole operation, never a per-field call;
//! - [`operations`] and [`error_codes`] so the JS layer can check it is complete;
//! - [`pricer`]: the pricing rules, a cart and a priced cart held natively between calls, for
//!   services that price often (`kassa.pricing.Pricer`, `PricingCart`, `PricedCart`).
//!
//! Requests and results cross the boundary as JSON text: `JSON.stringify` / `serde_json` on
//! each side is faster than walking JS objects through Node-API property by property, and it
//! keeps money as decimal strings all the way. A failure is a JS `Error` whose message is
//! [`ERROR_PREFIX`] followed by the `KassaError` JSON; the package's `index.js` turns it into
//! a `KassaError` subclass with `code`, `details`, `httpStatus` and `meta`.
//!
//! Every export runs under `catch_unwind` (napi's attribute and our own guard), so a Rust
//! panic is an `INTERNAL` error in JS, never an abort of the Node process.

use kassa::KassaError;
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub mod engine;
pub mod pricer;
pub mod typed;

/// Marks a native error message that carries a serialized `KassaError`.
pub const ERROR_PREFIX: &str = "kassa-error:";

/// Turns a `KassaError` into the native error the JS layer decodes.
pub(crate) fn to_napi(e: &KassaError) -> napi::Error {
    let json = serde_json::to_string(e).unwrap_or_else(|_| {
        r#"{"code":"INTERNAL","message":"error could not be serialized"}"#.to_owned()
    });
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{ERROR_PREFIX}{json}"),
    )
}

/// Runs `f`, turning a panic into an `INTERNAL` `KassaError`.
pub(crate) fn guard<T>(f: impl FnOnce() -> kassa::error::Result<T>) -> kassa::error::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(KassaError::internal(format!("panic in Kassa: {what}")))
        }
    }
}

/// Runs one pure operation on JSON text and returns the JSON result.
pub(crate) fn run_json(op: &str, request: &str) -> napi::Result<String> {
    guard(|| kassa::host::ops::call_str(op, request)).map_err(|e| to_napi(&e))
}

/// The generic entry point: runs the pure domain operation `op` (one of `operations()`) on
/// the JSON text `request` and returns the JSON text of the result.
#[napi(catch_unwind)]
pub fn call_json(op: String, request: String) -> napi::Result<String> {
    run_json(&op, &request)
}

/// Every operation name `callJson` accepts, in a stable order.
#[napi(catch_unwind)]
pub fn operations() -> Vec<String> {
    kassa::host::ops::OPERATIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// One error code and the HTTP status a host should answer with.
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The stable code, e.g. `VALIDATION_ERROR`.
    pub code: String,
    /// The HTTP status, e.g. 400.
    pub http_status: u32,
}

/// Every error code Kassa can return, with its HTTP status.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    kassa::error::ErrorCode::ALL
        .iter()
        .map(|c| ErrorCodeInfo {
            code: c.as_str().to_owned(),
            http_status: u32::from(c.http_status()),
        })
        .collect()
}

/// Test hook: panics inside the native module with `message`, to show that a Rust panic is
/// an `INTERNAL` error in JS and never aborts the process. Not part of the public API.
#[napi(js_name = "__panicForTest", catch_unwind)]
#[allow(clippy::panic)] // the one deliberate panic: the test of the panic guard
pub fn panic_for_test(message: String) -> napi::Result<String> {
    guard(|| -> kassa::error::Result<String> { std::panic::panic_any(message) })
        .map_err(|e| to_napi(&e))
}
