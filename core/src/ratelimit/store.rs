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
    /// its division) is derived after the step from the TAT it replaced, so the contended
    /// window stays short.
    #[inline]
    pub fn apply(&self, now_ns: i64, params: GcraParams) -> GcraOutcome {
        let (previous, _) = self.step(now_ns, params);
        gcra::apply(previous, now_ns, params).0
    }

    /// The same step as [`apply`](Self::apply), answering only whether the request is
    /// admitted: no remaining count, reset or retry-after is derived (what `governor`'s
    /// `check` answers), for callers that need no rate-limit headers.
    #[inline]
    pub fn admit(&self, now_ns: i64, params: GcraParams) -> bool {
        self.step(now_ns, params).1
    }

    /// The CAS loop: returns the TAT found before the step (`None` = fresh) and whether the
    /// request was admitted (the TAT then moved by one emission interval).
    #[inline]
    fn step(&self, now_ns: i64, params: GcraParams) -> (Option<i64>, bool) {
        let interval = i64::try_from(params.emission_interval_ns).unwrap_or(i64::MAX);
        let tolerance = params.tolerance_ns();
        let mut current = self.tat.load(Ordering::Acquire);
        loop {
            let previous = (current != FRESH).then_some(current);
            let base = match previous {
                Some(tat) if tat > now_ns => tat,
                _ => now_ns,
            };
            let next = base.saturating_add(interval);
            if next.saturating_sub(now_ns) > tolerance {
                return (previous, false);
            }
            match self
                .tat
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return (previous, true),
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
