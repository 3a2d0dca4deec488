//! The surface the host bindings (Python, Node, wasm) are built on.
//!
//! Bindings stay thin: they convert their host's values to the core's serde form, call one
//! whole operation here and map the `KassaError` to their host's idiom. Keeping the name →
//! function mapping in the core means a Python service, a Node backend and a browser cannot
//! drift apart: the cross-host vectors run through this same table in every host.
//!
//! - [`ops`]: the pure domain (money, catalog, cart, pricing, orders, inventory, supply,
//!   forecasting, access, identity, rate limiting, optimization) as JSON operations.
//! - [`engine`]: the engine's flows as JSON operations over any ports, and the embedded
//!   in-memory defaults built from one JSON setup.

pub mod decode;
pub mod engine;
pub mod ops;
#[cfg(not(target_arch = "wasm32"))]
mod strict;

pub use decode::Decode;
pub use engine::{EngineHost, InMemorySetup};
/// `#[derive(Decode)]`, reading the type's `#[serde(...)]` attributes (kassa-derive).
pub use kassa_derive::Decode;

use crate::error::{KassaError, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Deserializes a request, naming the JSON path of the first offending field
/// (`items[2].quantity`) in the `VALIDATION_ERROR`, as a host would address it.
///
/// # Errors
/// `VALIDATION_ERROR` on the path of the field that does not fit the type (`input` when the
/// whole request is of the wrong shape).
pub fn from_value<T: DeserializeOwned + Decode>(input: Value) -> Result<T> {
    // Most requests are well formed: serde_json's own `Value` deserializer first, and the
    // path-naming decoder only for a failure. Not on wasm, where it would be a second copy
    // of every request type's serde code (docs/wasm.md, "Size").
    // `Strict`: serde_json would also take a struct as a positional array, which the
    // path-naming decoder (and so the wasm module) refuses.
    #[cfg(not(target_arch = "wasm32"))]
    if let Ok(value) = T::deserialize(strict::Strict(&input)) {
        return Ok(value);
    }
    T::decode(&decode::Node::of_value(&input)).map_err(|e| decode_error(&e))
}

/// [`from_value`] on JSON text.
///
/// # Errors
/// `VALIDATION_ERROR` on `input` when the text is not one JSON value, else as [`from_value`].
pub fn from_str<T: DeserializeOwned + Decode>(input: &str) -> Result<T> {
    // As in `from_value`: serde_json straight into `T` first (decoding through the tree costs
    // a tree), the tree only to name the offending field; on wasm, the tree only.
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut de = serde_json::Deserializer::from_str(input);
        if let Ok(value) = T::deserialize(strict::Strict(&mut de)) {
            if de.end().is_ok() {
                return Ok(value);
            }
        }
    }
    from_str_tracked(input)
}

/// [`from_str`] always through the path-naming decoder (JSON text → tree → `T`), without
/// first trying serde_json's own: what the wasm module does for every request, and what
/// [`from_str`] does after a failure. Same results and errors as [`from_str`].
///
/// # Errors
/// As [`from_str`].
pub fn from_str_tracked<T: Decode>(input: &str) -> Result<T> {
    T::decode(&parse_request(input)?).map_err(|e| decode_error(&e))
}

/// The tree of a request's text, or the `VALIDATION_ERROR` of text that is not JSON.
#[inline(never)]
fn parse_request(input: &str) -> Result<decode::Node<'_>> {
    decode::Node::parse(input).map_err(|e| not_json("input", &e))
}

// The non-generic halves of `from_str` and `from_value`: one copy in all, not one per request
// type (on wasm that was ~45 KB of code, docs/performance.md "Session 12").

/// The `VALIDATION_ERROR` of text that is not one JSON value.
#[inline(never)]
fn not_json(field: &str, error: &serde_json::Error) -> KassaError {
    KassaError::validation(field, format!("not valid JSON: {error}"))
}

/// The `VALIDATION_ERROR` of a request that does not fit its type: on the path of the
/// offending field, `input` at the root.
#[inline(never)]
fn decode_error(error: &decode::DecodeError) -> KassaError {
    let field = error.path().unwrap_or_else(|| "input".to_owned());
    KassaError::validation(field, error.message())
}

/// The error of both JSON dispatchers for an operation they have no arm for: `UNSUPPORTED`
/// (with `meta.feature` and `meta.operation`) when the cargo feature `off` that carries it is
/// off in this build, else `NOT_FOUND`.
fn missing_operation(operation: &str, off: Option<&str>) -> KassaError {
    match off {
        Some(feature) => KassaError::unsupported(&format!("operation '{operation}'"), feature)
            .with_meta("operation", operation),
        None => KassaError::not_found("operation", operation),
    }
}

/// A JSON argument of a binding's constructor (a setup, options) as `T`: empty text is `{}`,
/// text that is not JSON a `VALIDATION_ERROR` on `argument`, else as [`from_value`] (the
/// field paths are relative to the argument, as for [`EngineHost::in_memory`]).
///
/// # Errors
/// `VALIDATION_ERROR` naming `argument` or the offending field.
pub fn from_argument<T: DeserializeOwned + Decode>(text: &str, argument: &str) -> Result<T> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    let value: Value = serde_json::from_str(text).map_err(|e| not_json(argument, &e))?;
    from_value(value)
}
