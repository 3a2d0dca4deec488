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

pub mod engine;
pub mod ops;

pub use engine::{EngineHost, InMemorySetup};

use crate::error::{KassaError, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Deserializes a request, naming the JSON path of the first offending field
/// (`items[2].quantity`) in the `VALIDATION_ERROR`, as a host would address it.
///
/// # Errors
/// `VALIDATION_ERROR` on the path of the field that does not fit the type (`input` when the
/// whole request is of the wrong shape).
pub fn from_value<T: DeserializeOwned>(input: Value) -> Result<T> {
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." {
            "input".to_owned()
        } else {
            path
        };
        KassaError::validation(field, e.into_inner().to_string())
    })
}

/// [`from_value`] on JSON text, decoding straight into `T` (no intermediate `Value`).
///
/// # Errors
/// `VALIDATION_ERROR` on `input` when the text is not one JSON value, else as [`from_value`].
pub fn from_str<T: DeserializeOwned>(input: &str) -> Result<T> {
    // Most requests are well formed, and tracking the path costs ~70 % on top of decoding
    // (host_json benches): decode plainly first, and only a failure again, to name the field.
    // Not on wasm: there the plain decode would be a second copy of every request type's serde
    // code (~1 MB of the module, docs/wasm.md "Size"), so the one decode tracks the path.
    #[cfg(not(target_arch = "wasm32"))]
    if let Ok(value) = serde_json::from_str(input) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_str(input);
    let mut track = serde_path_to_error::Track::new();
    match T::deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track)) {
        Ok(value) => {
            end_of_text(&mut de)?;
            Ok(value)
        }
        Err(error) => Err(decode_error(error, track)),
    }
}

// The non-generic halves of `from_str`: one copy in all, not one per request type (on wasm
// that was ~45 KB of code, docs/performance.md "Session 12").

/// Only whitespace may follow the value.
fn end_of_text(de: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>) -> Result<()> {
    de.end()
        .map_err(|e| KassaError::validation("input", format!("not valid JSON: {e}")))
}

/// The `VALIDATION_ERROR` of a failed decode: on `input` when the text is not JSON, else on
/// the tracked path of the field that does not fit.
#[inline(never)]
fn decode_error(error: serde_json::Error, track: serde_path_to_error::Track) -> KassaError {
    if error.is_syntax() || error.is_eof() {
        return KassaError::validation("input", format!("not valid JSON: {error}"));
    }
    let path = track.path().to_string();
    let field = if path.is_empty() || path == "." {
        "input".to_owned()
    } else {
        path
    };
    KassaError::validation(field, without_position(&error))
}

/// The message of a decode error without serde_json's " at line L column C": the field path
/// says where, and the text path must give the same error as the `Value` path.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(bare) => bare.to_owned(),
        None => text,
    }
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
pub fn from_argument<T: DeserializeOwned>(text: &str, argument: &str) -> Result<T> {
    let text = if text.trim().is_empty() { "{}" } else { text };
    let value: Value = serde_json::from_str(text)
        .map_err(|e| KassaError::validation(argument, format!("not valid JSON: {e}")))?;
    from_value(value)
}
