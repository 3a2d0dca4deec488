//! Kassa for browsers and Node: a thin wasm-bindgen module over the core.
//!
//! Every export takes and returns plain JS values in the core's serde form (camelCase fields,
//! snake_case enum strings, money as decimal strings) and calls one whole operation of
//! [`kassa::host::ops::call_str`] — no domain logic lives here. Failures are thrown as JS `Error`
//! objects with `name = "KassaError"`, a stable `code` (`VALIDATION_ERROR`, ...), the
//! `httpStatus`, field `details` and structured `meta`; never as bare strings.
//!
//! The TypeScript declarations of the requests and results are in `src/types.d.ts`, embedded
//! into the generated `.d.ts` through a `typescript_custom_section`.

mod convert;
#[cfg(feature = "engine")]
mod engine;
#[cfg(not(feature = "engine"))]
#[path = "engine_off.rs"]
mod engine;
mod errors;
pub mod typed;

use wasm_bindgen::prelude::*;

pub use convert::{from_js, text_to_js, to_js};
pub use engine::Engine;
pub use errors::error_object;

#[wasm_bindgen(typescript_custom_section)]
#[allow(clippy::redundant_static_lifetimes)] // the form wasm-bindgen documents
const TS_TYPES: &'static str = include_str!("types.d.ts");

/// The version of the Kassa core this module was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The names of a static list, as the owned strings wasm-bindgen hands to JS.
pub(crate) fn owned_names(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Every operation name `call` accepts, in a stable order.
#[wasm_bindgen(unchecked_return_type = "OperationName[]")]
pub fn operations() -> Vec<String> {
    crate::owned_names(kassa::host::ops::OPERATIONS)
}

/// The operations of `operations()` this build runs; the others throw `UNSUPPORTED` (their
/// family's cargo feature is off: the size-budgeted `web` build, docs/wasm.md "Builds").
#[wasm_bindgen(js_name = availableOperations, unchecked_return_type = "OperationName[]")]
pub fn available_operations() -> Vec<String> {
    kassa::host::ops::OPERATIONS
        .iter()
        .filter(|op| kassa::host::ops::is_available(op))
        .map(|s| (*s).to_owned())
        .collect()
}

/// Which build this module is: the cargo features it was compiled with that change what it
/// can do (`engine` and its `engine-*` families, `templates`, and one `ops-*` per family of
/// operations).
#[wasm_bindgen(unchecked_return_type = "BuildFeature[]")]
pub fn features() -> Vec<String> {
    let mut list = Vec::new();
    for (feature, on) in [
        ("engine", cfg!(feature = "engine")),
        ("engine-auth", cfg!(feature = "engine-auth")),
        ("engine-supply", cfg!(feature = "engine-supply")),
        ("engine-billing", cfg!(feature = "engine-billing")),
    ] {
        if on {
            list.push(feature.to_owned());
        }
    }
    if cfg!(feature = "templates") {
        list.push("templates".to_owned());
    }
    if cfg!(feature = "sample-catalog") {
        list.push("sample-catalog".to_owned());
    }
    let mut families: Vec<&str> = kassa::host::ops::OPERATIONS
        .iter()
        .filter(|op| kassa::host::ops::is_available(op))
        .filter_map(|op| kassa::host::ops::feature_of(op))
        .collect();
    families.dedup();
    list.extend(families.into_iter().map(str::to_owned));
    list
}

/// Every error code with its HTTP status, e.g. `{ code: "NOT_FOUND", httpStatus: 404 }`.
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCodeInfo[]")]
pub fn error_codes() -> Result<JsValue, JsValue> {
    let list: Vec<serde_json::Value> = kassa::error::ErrorCode::ALL
        .iter()
        .map(|c| serde_json::json!({ "code": c.as_str(), "httpStatus": c.http_status() }))
        .collect();
    to_js(&serde_json::Value::Array(list)).map_err(|e| error_object(&e))
}

/// Runs one operation of the pure domain on a request in its serde form.
///
/// Throws a `KassaError` (`VALIDATION_ERROR` naming the field path for a request of the wrong
/// shape, `NOT_FOUND` for an unknown operation name, or the operation's own error).
#[wasm_bindgen(skip_typescript)]
pub fn call(operation: JsValue, request: JsValue) -> Result<JsValue, JsValue> {
    let operation = string_arg(&operation, "operation")?;
    run(&operation, &request)
}

/// [`call`] on JSON text in and out (for hosts that already hold JSON, and to measure the
/// boundary cost without JS object conversion).
#[wasm_bindgen(js_name = callJson)]
pub fn call_json(
    #[wasm_bindgen(unchecked_param_type = "OperationName")] operation: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] request: JsValue,
) -> Result<String, JsValue> {
    let operation = string_arg(&operation, "operation")?;
    let request = string_arg(&request, "input")?;
    kassa::host::ops::call_str(&operation, &request).map_err(|e| error_object(&e))
}

/// A string argument, or a `VALIDATION_ERROR` naming it (the glue would otherwise throw a
/// plain `TypeError`, or coerce).
pub(crate) fn string_arg(value: &JsValue, field: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        error_object(&kassa::KassaError::validation(
            field,
            format!(
                "must be a string, got {}",
                value.js_typeof().as_string().unwrap_or_default()
            ),
        ))
    })
}

/// Converts, calls, converts back; the one path every typed export goes through.
pub(crate) fn run(operation: &str, request: &JsValue) -> Result<JsValue, JsValue> {
    let input = from_js(request).map_err(|e| error_object(&e))?;
    let output = kassa::host::ops::call_str(operation, &input).map_err(|e| error_object(&e))?;
    text_to_js(&output).map_err(|e| error_object(&e))
}
