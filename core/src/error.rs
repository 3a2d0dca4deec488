//! One error type for the whole library.
//!
//! Every failure a host can see is a [`KassaError`]: a stable machine [`ErrorCode`], a human
//! message, optional field-level [`FieldError`] details and optional structured `meta` (for
//! example the available quantity of an `OUT_OF_STOCK`, or the retry delay of a
//! `RATE_LIMITED`, or the cargo feature an `UNSUPPORTED` operation needs). Bindings map the code to their host's idiom (Python exception classes,
//! JS `Error` with `code`), so the code strings are part of the public contract and never change.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Result alias used across the crate.
pub type Result<T, E = KassaError> = core::result::Result<T, E>;

/// Stable machine-readable error codes.
///
/// Serialized as `SCREAMING_SNAKE_CASE` strings (`"VALIDATION_ERROR"`, ...).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The input is malformed or breaks a rule (HTTP 400).
    ValidationError,
    /// The caller is not authenticated, or its credentials are invalid (HTTP 401).
    Unauthenticated,
    /// The caller is authenticated but not allowed (HTTP 403).
    Forbidden,
    /// The addressed thing does not exist, or is not visible to the caller (HTTP 404).
    NotFound,
    /// The request conflicts with the current state: illegal transition, stale version,
    /// duplicate key, changed totals (HTTP 409).
    Conflict,
    /// Not enough stock for the requested quantity (HTTP 409).
    OutOfStock,
    /// The payment provider declined the payment (HTTP 422).
    PaymentDeclined,
    /// Too many requests; retry after the delay in `meta.retryAfterSeconds` (HTTP 429).
    RateLimited,
    /// A dependency (storage, gateway) is unreachable; safe to retry (HTTP 503).
    Unavailable,
    /// A bug or an unexpected failure (HTTP 500).
    Internal,
    /// The operation exists but is not part of this build of the library: a cargo feature
    /// that carries it is off (e.g. the browser's size-budgeted wasm module); `meta.feature`
    /// names the feature and `meta.operation` the operation when there is one (HTTP 501).
    /// Not retryable with the same build.
    Unsupported,
}

impl ErrorCode {
    /// Every code, in declaration order (used by bindings to build their exception classes).
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::ValidationError,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::OutOfStock,
        ErrorCode::PaymentDeclined,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::Unsupported,
    ];

    /// The stable string form, e.g. `"VALIDATION_ERROR"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationError => "VALIDATION_ERROR",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::OutOfStock => "OUT_OF_STOCK",
            ErrorCode::PaymentDeclined => "PAYMENT_DECLINED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::Unsupported => "UNSUPPORTED",
        }
    }

    /// Parses the stable string form.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The HTTP status a host should answer with.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::ValidationError => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict | ErrorCode::OutOfStock => 409,
            ErrorCode::PaymentDeclined => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
            ErrorCode::Unsupported => 501,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct FieldError {
    /// Path of the field, e.g. `"page"`, `"items[2].quantity"`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// The error every fallible Kassa operation returns.
#[derive(
    Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize, kassa_derive::Decode,
)]
#[error("{code}: {message}")]
pub struct KassaError {
    /// Stable machine code.
    pub code: ErrorCode,
    /// Human-readable message (English).
    pub message: String,
    /// Field-level details; empty when the error is not about specific fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
    /// Structured extra data (camelCase keys), e.g. `{"sku": "A-1", "available": 3}`.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

impl KassaError {
    /// A new error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        KassaError {
            code,
            message: message.into(),
            details: Vec::new(),
            meta: serde_json::Map::new(),
        }
    }

    /// `VALIDATION_ERROR` about one field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        KassaError::new(ErrorCode::ValidationError, format!("{field}: {message}"))
            .with_detail(field, message)
    }

    /// `VALIDATION_ERROR` with several field problems at once.
    pub fn validation_many(details: Vec<FieldError>) -> Self {
        let message = match details.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", details.len()),
        };
        KassaError {
            code: ErrorCode::ValidationError,
            message,
            details,
            meta: serde_json::Map::new(),
        }
    }

    /// `NOT_FOUND` for a kind of thing and its id.
    pub fn not_found(kind: &str, id: impl fmt::Display) -> Self {
        KassaError::new(ErrorCode::NotFound, format!("{kind} '{id}' not found"))
            .with_meta("resource", kind)
    }

    /// `CONFLICT` with a message.
    pub fn conflict(message: impl Into<String>) -> Self {
        KassaError::new(ErrorCode::Conflict, message)
    }

    /// `FORBIDDEN` with a message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        KassaError::new(ErrorCode::Forbidden, message)
    }

    /// `UNAUTHENTICATED` with a message.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        KassaError::new(ErrorCode::Unauthenticated, message)
    }

    /// `UNAVAILABLE` with a message and a suggested retry delay.
    pub fn unavailable(message: impl Into<String>, retry_after_seconds: u64) -> Self {
        KassaError::new(ErrorCode::Unavailable, message)
            .with_meta("retryAfterSeconds", retry_after_seconds)
    }

    /// `UNSUPPORTED`: `what` needs the cargo feature `feature` of `kassa`, which this build
    /// was compiled without (`meta.feature`).
    pub fn unsupported(what: &str, feature: &str) -> Self {
        KassaError::new(
            ErrorCode::Unsupported,
            format!("{what} is not in this build (cargo feature `{feature}` is off)"),
        )
        .with_meta("feature", feature)
    }

    /// `INTERNAL` with a message.
    pub fn internal(message: impl Into<String>) -> Self {
        KassaError::new(ErrorCode::Internal, message)
    }

    /// Adds a field detail.
    pub fn with_detail(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.details.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
        self
    }

    /// Adds a structured meta entry.
    pub fn with_meta(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.meta.insert(key.to_owned(), value.into());
        self
    }

    /// The HTTP status a host should answer with.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The seed's error envelope: `{"success": false, "error": {...}}`.
    pub fn to_envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            success: false,
            error: ErrorBody {
                code: self.code,
                message: self.message.clone(),
                details: self.details.clone(),
            },
        }
    }
}

/// `{"success": false, "error": {"code", "message", "details": [{"field", "message"}]}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct ErrorEnvelope {
    /// Always `false`.
    pub success: bool,
    /// The error body.
    pub error: ErrorBody,
}

/// Body of an [`ErrorEnvelope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct ErrorBody {
    /// Stable machine code.
    pub code: ErrorCode,
    /// Human-readable message.
    pub message: String,
    /// Field-level details (always present, possibly empty).
    pub details: Vec<FieldError>,
}

/// `{"success": true, "data": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct SuccessEnvelope<T> {
    /// Always `true`.
    pub success: bool,
    /// The payload.
    pub data: T,
}

impl<T> SuccessEnvelope<T> {
    /// Wraps a payload.
    pub fn new(data: T) -> Self {
        SuccessEnvelope {
            success: true,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_map_to_http() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(ErrorCode::ValidationError.http_status(), 400);
        assert_eq!(ErrorCode::RateLimited.http_status(), 429);
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }

    #[test]
    fn envelope_matches_seed_shape() {
        let err = KassaError::validation("page", "must be at least 1");
        let json = serde_json::to_value(err.to_envelope()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "success": false,
                "error": {
                    "code": "VALIDATION_ERROR",
                    "message": "page: must be at least 1",
                    "details": [{"field": "page", "message": "must be at least 1"}]
                }
            })
        );
        assert_eq!(
            err.to_string(),
            "VALIDATION_ERROR: page: must be at least 1"
        );
    }

    #[test]
    fn meta_is_kept_and_serialized() {
        let err = KassaError::new(ErrorCode::OutOfStock, "only 3 left")
            .with_meta("sku", "A-1")
            .with_meta("available", 3);
        let back: KassaError = serde_json::from_str(&serde_json::to_string(&err).unwrap()).unwrap();
        assert_eq!(back, err);
        assert_eq!(back.meta.get("available"), Some(&serde_json::json!(3)));
    }
}
