//! Where GCRA state lives: the sync in-process contract, the async port, and the lock-free
//! single-key cell.

use super::gcra::{self, GcraOutcome, GcraParams};
use crate::error::Result;
use std::sync::atomic::{AtomicI64, Ordering};

/// An in-process GCRA store: applies one GCRA step to a key atomically.
///
/// Implementations must make [`apply_gcra`](GcraStore::apply_gcra) atomic per key: the read
/// of the stored TAT and the write of the new one happen as one step (a lock, a CAS loop, or a
/// server-side script), never as a read-then-write in the caller.
pub trait GcraStore: Send + Sync {
    /// Applies [`gcra::apply`] to the TAT stored under `key` at `now_ns`.
    fn apply_gcra(&self, key: &str, now_ns: i64, params: GcraParams) -> GcraOutcome;
}

/// The rate-limit state port, shared by several instances of a service (a Redis adapter
/// implements [`apply_gcra`](RateLimitStore::apply_gcra) as one script running
/// [`gcra::apply`]).
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait RateLimitStore: Send + Sync {
    /// Applies one GCRA step to `key` atomically and returns the outcome.
    async fn apply_gcra(&self, key: &str, now_ns: i64, params: GcraParams) -> Result<GcraOutcome>;
}

/// Marker for a key that has never been seen (or whose bucket is full).
const FRESH: i64 = i64::MIN;

/// One key's GCRA state as a single atomic: lock-free, safe under many threads. Used as the
/// direct (unkeyed) limiter and as the value in the sharded in-memory store.
#[derive(Debug)]
pub struct AtomicGcraCell {
    tat: AtomicI64,
}

impl Default for AtomicGcraCell {
    fn default() -> Self {
        AtomicGcraCell::new()
    }
}

impl AtomicGcraCell {
    /// A cell with a full bucket.
    pub const fn new() -> Self {
        AtomicGcraCell {
            tat: AtomicI64::new(FRESH),
        }
    }

    /// Applies one GCRA step with a compare-and-swap loop.
    #[inline]
    pub fn apply(&self, now_ns: i64, params: GcraParams) -> GcraOutcome {
        let mut current = self.tat.load(Ordering::Acquire);
        loop {
            let tat = (current != FRESH).then_some(current);
            let (outcome, next) = gcra::apply(tat, now_ns, params);
            let Some(next) = next else {
                return outcome;
            };
            match self
                .tat
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return outcome,
                Err(actual) => current = actual,
            }
        }
    }

    /// The stored theoretical arrival time, if any.
    pub fn tat(&self) -> Option<i64> {
        let t = self.tat.load(Ordering::Acquire);
        (t != FRESH).then_some(t)
    }
}
