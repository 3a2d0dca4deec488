//! JS values ⇄ the core's serde form.
//!
//! Values cross the boundary as JSON text, decoded by the core straight into each operation's
//! types (no `serde_json::Value` in between, which would be a second copy of their serde code
//! in the module): the engine's `JSON.stringify` / `JSON.parse` are
//! native and fast, and one string copy beats one boundary crossing per field. `Date` objects
//! become ISO-8601 strings through their `toJSON`, which is the core's datetime form.

use kassa::KassaError;
use serde_json::Value;
use wasm_bindgen::JsValue;

/// Converts a JS value to JSON text (the engine's `JSON.stringify`), which the core decodes
/// straight into the operation's request type.
///
/// # Errors
/// `VALIDATION_ERROR` on `input` when the value has no JSON form (`undefined`, a function, a
/// symbol, a `BigInt`, a cyclic object).
pub fn from_js(value: &JsValue) -> Result<String, KassaError> {
    if value.is_undefined() {
        return Err(KassaError::validation(
            "input",
            "the request is undefined; pass an object in the operation's serde form",
        ));
    }
    let text = js_sys::JSON::stringify(value).map_err(|e| {
        KassaError::validation(
            "input",
            format!("the request has no JSON form: {}", describe(&e)),
        )
    })?;
    text.as_string().ok_or_else(|| {
        KassaError::validation(
            "input",
            "the request has no JSON form (a function or a symbol?)",
        )
    })
}

/// Converts JSON to a plain JS value (objects, arrays, strings, numbers, booleans, null).
///
/// # Errors
/// `INTERNAL` if the engine's `JSON.parse` refuses the text, which would be a bug.
pub fn to_js(value: &Value) -> Result<JsValue, KassaError> {
    let text = serde_json::to_string(value).map_err(|e| KassaError::internal(e.to_string()))?;
    text_to_js(&text)
}

/// Converts a result's JSON text to a plain JS value (the engine's `JSON.parse`).
///
/// # Errors
/// `INTERNAL` if `JSON.parse` refuses the text, which would be a bug.
pub fn text_to_js(text: &str) -> Result<JsValue, KassaError> {
    js_sys::JSON::parse(text)
        .map_err(|e| KassaError::internal(format!("JSON.parse failed: {}", describe(&e))))
}

/// A thrown JS value as text, for messages.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    if let Some(err) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Error>(value) {
        return String::from(err.message());
    }
    format!("{value:?}")
}
