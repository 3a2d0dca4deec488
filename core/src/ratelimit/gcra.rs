//! The pure GCRA step: from the stored theoretical arrival time (TAT) and `now` to a decision
//! and the new TAT. Stores apply it atomically; nothing here reads a clock.
//!
//! With emission interval `T` and burst `b`, a request at `t` is admitted when
//! `max(TAT, t) + T - t <= b * T`; it then sets `TAT = max(TAT, t) + T`. A denied request
//! changes nothing. Hence over any window `[t0, t1]` at most `b + (t1 - t0) / T` requests are
//! admitted, and a request is never admitted before the retry-after a denial promised.

use serde::{Deserialize, Serialize};

/// GCRA parameters: the emission interval and the burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct GcraParams {
    /// Nanoseconds between two requests at the sustained rate (`period / limit`).
    pub emission_interval_ns: u64,
    /// Requests admitted at once from a full bucket (at least 1).
    pub burst: u32,
}

impl Default for GcraParams {
    fn default() -> Self {
        GcraParams {
            emission_interval_ns: 1_000_000_000,
            burst: 1,
        }
    }
}

impl GcraParams {
    /// The burst tolerance `b * T` in nanoseconds.
    pub fn tolerance_ns(&self) -> i64 {
        i64::try_from(
            self.emission_interval_ns
                .saturating_mul(u64::from(self.burst)),
        )
        .unwrap_or(i64::MAX)
    }

    fn interval(&self) -> i64 {
        i64::try_from(self.emission_interval_ns).unwrap_or(i64::MAX)
    }
}

/// [`GcraParams`] prepared for a hot path: the interval and the admission test's constants
/// computed once, as a limiter holding one quota keeps them, so a check does no
/// multiplication and no saturation before its compare-and-swap. Every method of
/// [`AtomicGcraCell`](super::AtomicGcraCell) takes either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcraRate {
    params: GcraParams,
    interval: i64,
    /// `tolerance - interval`: the admission bound is `now + slack`.
    slack: i64,
    /// From this `now` on, every TAT is admitted (the saturations of the pure step reach
    /// `i64::MAX` within the tolerance).
    unbounded_from: i64,
}

impl GcraRate {
    /// Prepares `params`.
    pub const fn new(params: GcraParams) -> Self {
        let interval = if params.emission_interval_ns > i64::MAX as u64 {
            i64::MAX
        } else {
            params.emission_interval_ns as i64
        };
        let wide = params.emission_interval_ns as u128 * params.burst as u128;
        let tolerance = if wide > i64::MAX as u128 {
            i64::MAX
        } else {
            wide as i64
        };
        GcraRate {
            params,
            interval,
            slack: tolerance - interval,
            unbounded_from: if tolerance == i64::MAX {
                i64::MIN
            } else {
                i64::MAX - tolerance
            },
        }
    }

    /// The parameters it was prepared from.
    pub const fn params(&self) -> GcraParams {
        self.params
    }

    /// The emission interval in nanoseconds (saturated to `i64`).
    pub const fn interval(&self) -> i64 {
        self.interval
    }

    /// The largest `max(TAT, now)` that [`apply`] admits at `now`, `None` when none is.
    ///
    /// `apply` admits when `max(TAT, now).saturating_add(T).saturating_sub(now) <= b·T`,
    /// which is monotone in `max(TAT, now)`: the bound is `now + b·T - T`, except that every
    /// TAT is admitted once `b·T` is `i64::MAX` or `now + b·T` reaches `i64::MAX` (the
    /// saturations then stay within the tolerance). A bound below `i64::MIN` admits nothing.
    #[inline]
    pub fn admission_bound(&self, now: i64) -> Option<i64> {
        if now >= self.unbounded_from {
            Some(i64::MAX)
        } else {
            now.checked_add(self.slack)
        }
    }
}

impl From<GcraParams> for GcraRate {
    fn from(params: GcraParams) -> Self {
        GcraRate::new(params)
    }
}

/// What one GCRA step decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct GcraOutcome {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Requests that could still be made right now after this one.
    pub remaining: u32,
    /// Nanoseconds until the bucket is full again (`TAT - now`).
    pub reset_after_ns: u64,
    /// Nanoseconds until a request would be admitted (0 when allowed).
    pub retry_after_ns: u64,
}

/// One GCRA step. `tat` is the stored theoretical arrival time (`None` for a fresh key),
/// `now` the current time, both in nanoseconds since the Unix epoch. Returns the outcome and
/// the TAT to store (`None` when nothing changes, i.e. the request was denied).
pub fn apply(tat: Option<i64>, now: i64, params: GcraParams) -> (GcraOutcome, Option<i64>) {
    let interval = params.interval();
    let tolerance = params.tolerance_ns();
    let base = match tat {
        Some(t) if t > now => t,
        _ => now,
    };
    let new_tat = base.saturating_add(interval);
    let used = new_tat.saturating_sub(now); // > 0
    if used > tolerance {
        let retry = used.saturating_sub(tolerance);
        let reset = base.saturating_sub(now);
        let outcome = GcraOutcome {
            allowed: false,
            remaining: 0,
            reset_after_ns: u64::try_from(reset).unwrap_or(0),
            retry_after_ns: u64::try_from(retry).unwrap_or(0),
        };
        return (outcome, None);
    }
    let spare = tolerance.saturating_sub(used);
    let remaining = u32::try_from(spare / interval.max(1)).unwrap_or(u32::MAX);
    let outcome = GcraOutcome {
        allowed: true,
        remaining,
        reset_after_ns: u64::try_from(used).unwrap_or(0),
        retry_after_ns: 0,
    };
    (outcome, Some(new_tat))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: i64 = 1_000_000_000;

    fn params(per_minute: u64, burst: u32) -> GcraParams {
        GcraParams {
            emission_interval_ns: 60_000_000_000 / per_minute,
            burst,
        }
    }

    #[test]
    fn burst_then_steady_rate() {
        let p = params(60, 3);
        let mut tat = None;
        let now = 1_000 * SEC;
        for expect_remaining in [2, 1, 0] {
            let (o, t) = apply(tat, now, p);
            assert!(o.allowed);
            assert_eq!(o.remaining, expect_remaining);
            tat = t;
        }
        let (o, t) = apply(tat, now, p);
        assert!(!o.allowed);
        assert_eq!(t, None);
        assert_eq!(o.retry_after_ns, SEC as u64);
        assert_eq!(o.reset_after_ns, 3 * SEC as u64);
        let (o, _) = apply(tat, now + SEC - 1, p);
        assert!(!o.allowed);
        let (o, _) = apply(tat, now + SEC, p);
        assert!(o.allowed);
        assert_eq!(o.remaining, 0);
    }

    #[test]
    fn clock_going_backwards_grants_nothing() {
        let p = params(60, 2);
        let now = 500 * SEC;
        let (_, tat) = apply(None, now, p);
        let (_, tat) = apply(tat, now, p);
        // the clock jumps back an hour: still full
        let (o, _) = apply(tat, now - 3600 * SEC, p);
        assert!(!o.allowed);
    }
}
