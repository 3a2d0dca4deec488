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
