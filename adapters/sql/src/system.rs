//! The production clock and id generator (the core has neither: it reads no clock).

use chrono::{DateTime, Utc};
use kassa::ports::{Clock, IdGenerator};

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Ids `"<kind>_<uuid v4 simple>"`: unique across processes and machines, so many
/// application instances can share one database.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidIds;

impl IdGenerator for UuidIds {
    fn next_id(&self, kind: &str) -> String {
        format!("{kind}_{}", uuid::Uuid::new_v4().simple())
    }
}

/// Randomness from the operating system's CSPRNG (`getrandom`): salts, token ids and
/// one-time secrets of the identity flows in production.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl kassa::ports::RandomSource for OsRandom {
    fn fill_bytes(&self, buf: &mut [u8]) -> kassa::Result<()> {
        getrandom::fill(buf).map_err(|e| {
            kassa::KassaError::unavailable(format!("the OS random source failed: {e}"), 1)
        })
    }
}
