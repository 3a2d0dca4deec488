//! Where GCRA state lives: the sync in-process contract, the async port, and the lock-free
//! single-key cell.

use super::gcra::{self, GcraOutcome, GcraParams, GcraRate};
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

    /// The same atomic step as [`apply_gcra`](GcraStore::apply_gcra), answering only whether
    /// the request is admitted (no remaining count, reset or retry-after derived), for
    /// callers that send no rate-limit headers. The default derives it from `apply_gcra`;
    /// a store with a cheaper yes/no step overrides it.
    fn admit_gcra(&self, key: &str, now_ns: i64, rate: &GcraRate) -> bool {
        self.apply_gcra(key, now_ns, rate.params()).allowed
    }
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
    ///
    /// `rate` is [`GcraParams`] or, prepared once, a [`GcraRate`].
    #[inline]
    pub fn apply(&self, now_ns: i64, rate: impl Into<GcraRate>) -> GcraOutcome {
        let rate = rate.into();
        let (previous, _) = self.step(now_ns, &rate);
        gcra::apply(previous, now_ns, rate.params()).0
    }

    /// The same step as [`apply`](Self::apply), answering only whether the request is
    /// admitted: no remaining count, reset or retry-after is derived (what `governor`'s
    /// `check` answers), for callers that need no rate-limit headers.
    #[inline]
    pub fn admit(&self, now_ns: i64, rate: impl Into<GcraRate>) -> bool {
        self.step(now_ns, &rate.into()).1
    }

    /// The CAS loop: returns the TAT found before the step (`None` = fresh) and whether the
    /// request was admitted (the TAT then moved by one emission interval).
    ///
    /// The admission test is one bound on `max(TAT, now)` computed before the loop
    /// ([`GcraRate::admission_bound`]), so between the load and the compare-and-swap there
    /// are only a maximum, a comparison and an addition: under contention, a shorter window
    /// between reading the cache line and claiming it loses fewer races, and nothing the swap
    /// waits on is a multiplication.
    #[inline]
    fn step(&self, now_ns: i64, rate: &GcraRate) -> (Option<i64>, bool) {
        let interval = rate.interval();
        // `bounded`: `base <= bound = now + tolerance - interval < i64::MAX - interval`, so
        // `base + interval` cannot overflow; only the unbounded case needs the saturation
        let (bound, bounded) = match rate.admission_bound(now_ns) {
            Some(i64::MAX) => (i64::MAX, false),
            Some(bound) => (bound, true),
            None => {
                let current = self.tat.load(Ordering::Acquire);
                return ((current != FRESH).then_some(current), false);
            }
        };
        let mut current = self.tat.load(Ordering::Acquire);
        loop {
            // FRESH is i64::MIN, so a fresh cell starts from `now` like `gcra::apply`
            let base = current.max(now_ns);
            if base > bound {
                return ((current != FRESH).then_some(current), false);
            }
            let next = if bounded {
                base.wrapping_add(interval)
            } else {
                base.saturating_add(interval)
            };
            match self
                .tat
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return ((current != FRESH).then_some(current), true),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn edge_i64() -> impl Strategy<Value = i64> {
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MIN + 1),
            Just(-1i64),
            Just(0i64),
            Just(1i64),
            Just(i64::MAX - 1),
            Just(i64::MAX),
            any::<i64>(),
            1_600_000_000_000_000_000i64..1_900_000_000_000_000_000,
        ]
    }

    fn edge_params() -> impl Strategy<Value = GcraParams> {
        (
            prop_oneof![
                Just(0u64),
                Just(1u64),
                Just(u64::MAX),
                Just(i64::MAX as u64),
                any::<u64>(),
                1u64..10_000_000_000
            ],
            prop_oneof![Just(1u32), Just(u32::MAX), any::<u32>(), 1u32..100],
        )
            .prop_map(|(emission_interval_ns, burst)| GcraParams {
                emission_interval_ns,
                burst,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// One step of the cell admits exactly what the pure step admits and stores the TAT
        /// it returns, over the whole `i64` range of times and TATs and any parameters.
        #[test]
        fn bound_matches_the_pure_step(
            tat in prop::option::of(edge_i64()),
            now in edge_i64(),
            params in edge_params(),
        ) {
            let cell = AtomicGcraCell { tat: AtomicI64::new(tat.unwrap_or(FRESH)) };
            // FRESH doubles as the marker: a stored TAT of i64::MIN reads as fresh, which
            // `gcra::apply` treats the same way (`max(TAT, now) = now`)
            let tat = tat.filter(|t| *t != FRESH);
            let (expected, stored) = gcra::apply(tat, now, params);
            prop_assert_eq!(cell.admit(now, params), expected.allowed);
            prop_assert_eq!(cell.tat(), stored.or(tat).filter(|t| *t != FRESH));
        }
    }
}
