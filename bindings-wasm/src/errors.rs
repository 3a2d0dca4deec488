//! `KassaError` → a JS `Error` object.

use kassa::KassaError;
use wasm_bindgen::JsValue;

/// The `name` of every error this module throws.
pub const ERROR_NAME: &str = "KassaError";

/// Builds the JS `Error` thrown for a [`KassaError`]: `name` is `"KassaError"`, `message` the
/// core's message, and the properties `code` (stable string), `httpStatus`, `details`
/// (`[{field, message}]`) and `meta` (an object, camelCase keys). A cause given by a host port
/// is kept as the standard `cause` property by the engine layer.
pub fn error_object(e: &KassaError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(ERROR_NAME);
    let obj: &JsValue = err.as_ref();
    set(obj, "code", &JsValue::from_str(e.code.as_str()));
    set(obj, "httpStatus", &JsValue::from(e.code.http_status()));
    let details = js_sys::Array::new();
    for d in &e.details {
        let item = js_sys::Object::new();
        set(&item, "field", &JsValue::from_str(&d.field));
        set(&item, "message", &JsValue::from_str(&d.message));
        details.push(&item);
    }
    set(obj, "details", &details);
    let meta = crate::convert::to_js(&serde_json::Value::Object(e.meta.clone()))
        .unwrap_or_else(|_| js_sys::Object::new().into());
    set(obj, "meta", &meta);
    err.into()
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Reflect.set on a fresh, extensible object cannot fail; a failure would only lose a
    // property of the error, never the error itself.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}
