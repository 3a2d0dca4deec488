//! The pure GCRA step: from the stored theoretical arrival time (TAT) and `now` to a decision
//! and the new TAT. Stores apply it atomically; nothing here reads a clock.
//!
//! With emission interval `T` and burst `b`, a request at `t` is admitted when
//! `max(TAT, t) + T - t <= b * T`; it then sets `TAT = max(TAT, t) + T`. A denied request
//! changes nothing. Hence over any window `[t0, t1]` at most `b + (t1 - t0) / T` requests are
//! admitted, and a request is never admitted before the retry-after a denial promised.

use serde::{Deserialize, Serialize};

/// GCRA parameters: the emission interval and the burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// What one GCRA step decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
