//! A stable fingerprint of a request, for idempotency records.

use crate::error::{KassaError, Result};
use serde::Serialize;

/// FNV-1a (64-bit) of the request's canonical JSON, as 16 hex digits plus the JSON length.
/// Struct fields serialize in declaration order, so equal requests give equal hashes. It is
/// not a security hash: keys are scoped per principal, and the hash only tells "same
/// request" from "different request" for one key.
pub fn request_hash<T: Serialize>(request: &T) -> Result<String> {
    let json = serde_json::to_vec(request).map_err(|e| KassaError::internal(e.to_string()))?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in &json {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Ok(format!("{h:016x}-{}", json.len()))
}

/// Claims `key` for one request of `actor_id` (its hash from [`request_hash`]): `None` when
/// this request now holds the key and must complete or abandon it, `Some(response)` when an
/// identical request already finished. The key still held by a running request, or used with
/// another request, is a `CONFLICT` with `meta.idempotency` = `in_progress` / `key_reused`.
pub(crate) async fn claim(
    store: &dyn crate::ports::IdempotencyStore,
    actor_id: &str,
    key: &str,
    hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<serde_json::Value>> {
    use crate::ports::IdempotencyBegin;
    match store.begin(actor_id, key, hash, now).await? {
        IdempotencyBegin::Started => Ok(None),
        IdempotencyBegin::InProgress => Err(in_progress()),
        IdempotencyBegin::KeyReused => Err(KassaError::conflict(
            "this idempotency key was used with a different request",
        )
        .with_meta("idempotency", "key_reused")
        .with_detail("idempotencyKey", "used with a different request")),
        IdempotencyBegin::Completed { response } => Ok(Some(response)),
    }
}

/// The `CONFLICT` of a key whose request is still running.
pub(crate) fn in_progress() -> KassaError {
    KassaError::conflict("a request with this idempotency key is still in progress")
        .with_meta("idempotency", "in_progress")
}
