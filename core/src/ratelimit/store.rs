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

    /// Applies one GCRA step with a compare-and-swap loop. Only the new TAT is computed
    /// between the load and the swap (a few additions); the outcome (remaining, reset, with
    /// its division) is derived after a successful swap from the TAT it replaced, so the
    /// contended window stays short.
    #[inline]
    pub fn apply(&self, now_ns: i64, params: GcraParams) -> GcraOutcome {
        let interval = i64::try_from(params.emission_interval_ns).unwrap_or(i64::MAX);
        let tolerance = params.tolerance_ns();
        let mut current = self.tat.load(Ordering::Acquire);
        loop {
            let base = if current != FRESH && current > now_ns {
                current
            } else {
                now_ns
            };
            let next = base.saturating_add(interval);
            if next.saturating_sub(now_ns) > tolerance {
                let tat = (current != FRESH).then_some(current);
                return gcra::apply(tat, now_ns, params).0;
            }
            match self
                .tat
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    let tat = (current != FRESH).then_some(current);
                    return gcra::apply(tat, now_ns, params).0;
                }
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
