//! In-memory clock, id generator and seeded randomness.

use crate::error::Result;
use crate::ports::{Clock, IdGenerator, RandomSource};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// A clock that only moves when told to: deterministic time for tests and examples.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Moves the clock to `to` (may go backwards, to test guards against that).
    pub fn set(&self, to: DateTime<Utc>) {
        if let Ok(mut now) = self.now.lock() {
            *now = to;
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.now
            .lock()
            .map(|n| *n)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Ids `"<kind>_<n>"` counting from 1 per kind: readable and deterministic.
#[derive(Debug, Default)]
pub struct SequentialIds {
    counters: Mutex<HashMap<String, u64>>,
}

impl SequentialIds {
    /// A generator starting at 1 for every kind.
    pub fn new() -> Self {
        SequentialIds::default()
    }
}

impl IdGenerator for SequentialIds {
    fn next_id(&self, kind: &str) -> String {
        let n = match self.counters.lock() {
            // Looked up before inserted: `entry` would copy `kind` on every call.
            Ok(mut c) => match c.get_mut(kind) {
                Some(n) => {
                    *n += 1;
                    *n
                }
                None => {
                    c.insert(kind.to_owned(), 1);
                    1
                }
            },
            Err(_) => 0,
        };
        crate::text::with_number(&[kind, "_"], n, 0)
    }
}

/// Deterministic randomness from a seed (SplitMix64). For tests, examples and the browser
/// playground; a production host passes a `RandomSource` backed by the OS CSPRNG.
#[derive(Debug)]
pub struct SeededRandom {
    state: Mutex<u64>,
}

impl SeededRandom {
    /// A generator with a fixed seed.
    pub fn new(seed: u64) -> Self {
        SeededRandom {
            state: Mutex::new(seed),
        }
    }

    fn next_u64(&self) -> u64 {
        let Ok(mut s) = self.state.lock() else {
            return 0;
        };
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl RandomSource for SeededRandom {
    fn fill_bytes(&self, buf: &mut [u8]) -> Result<()> {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            for (b, r) in chunk.iter_mut().zip(bytes) {
                *b = r;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let c = ManualClock::new(t0);
        assert_eq!(c.now(), t0);
        c.advance(Duration::minutes(5));
        assert_eq!(c.now(), t0 + Duration::minutes(5));
        c.set(t0);
        assert_eq!(c.now(), t0);
    }

    #[test]
    fn ids_count_per_kind() {
        let ids = SequentialIds::new();
        assert_eq!(ids.next_id("order"), "order_1");
        assert_eq!(ids.next_id("order"), "order_2");
        assert_eq!(ids.next_id("payment"), "payment_1");
    }

    #[test]
    fn seeded_random_is_deterministic_and_fills_odd_lengths() {
        let (a, b) = (SeededRandom::new(7), SeededRandom::new(7));
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill_bytes(&mut x).unwrap();
        b.fill_bytes(&mut y).unwrap();
        assert_eq!(x, y);
        assert!(x.iter().any(|v| *v != 0));
    }
}
