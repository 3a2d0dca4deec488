//! The ports through which time, identifiers and randomness enter the core.

use crate::error::Result;
use chrono::{DateTime, Utc};

/// The current time. The core never reads a global clock; it asks this port.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// New identifiers for aggregates (orders, payments, reservations, ...).
pub trait IdGenerator: Send + Sync {
    /// A new id, unique among ids of the same `kind` (e.g. `"order"`, `"payment"`).
    fn next_id(&self, kind: &str) -> String;
}

/// Randomness for secrets (tokens, salts). Production hosts back it with the OS CSPRNG.
pub trait RandomSource: Send + Sync {
    /// Fills `buf` with random bytes.
    fn fill_bytes(&self, buf: &mut [u8]) -> Result<()>;
}
