#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Rate limiting: fake-clock scenarios, GCRA properties, and threads hammering one key.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kassa::memory::{ManualClock, MemoryRateLimitStore};
use kassa::ports::Clock;
use kassa::ratelimit::{
    gcra, AtomicGcraCell, EndpointClass, GcraParams, Quota, RateLimitConfig, RateLimitKey,
    RateLimitStore, RateLimiter,
};
use proptest::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn limiter() -> RateLimiter<MemoryRateLimitStore> {
    RateLimiter::new(RateLimitConfig::default(), MemoryRateLimitStore::new())
}

#[test]
fn auth_class_defaults_burst_ten_then_one_per_twelve_seconds() {
    let clock = ManualClock::new(t0());
    let rl = limiter();
    let key = RateLimitKey::client(EndpointClass::Auth, "198.51.100.4");
    for i in 0..10 {
        let d = rl.check(&key, clock.now());
        assert!(d.allowed, "request {i}");
        assert_eq!(d.remaining, 9 - i);
        assert_eq!(d.limit, 10);
    }
    let d = rl.check(&key, clock.now());
    assert!(!d.allowed);
    assert_eq!(d.retry_after_ms, 12_000);
    assert_eq!(d.reset_after_ms, 120_000);
    assert_eq!(
        d.headers(),
        vec![
            ("RateLimit-Limit", "10".to_owned()),
            ("RateLimit-Remaining", "0".to_owned()),
            ("RateLimit-Reset", "120".to_owned()),
            ("Retry-After", "12".to_owned()),
        ]
    );
    let err = d.into_result().unwrap_err();
    assert_eq!(err.code, kassa::ErrorCode::RateLimited);
    assert_eq!(err.meta["retryAfterSeconds"], 12);

    clock.advance(Duration::milliseconds(11_999));
    assert!(!rl.check(&key, clock.now()).allowed);
    clock.advance(Duration::milliseconds(1));
    let d = rl.check(&key, clock.now());
    assert!(d.allowed);
    assert_eq!(d.remaining, 0);
    assert_eq!(d.headers().len(), 3, "no Retry-After when allowed");
    // after two idle minutes the bucket is full again
    clock.advance(Duration::minutes(2));
    assert_eq!(rl.check(&key, clock.now()).remaining, 9);
}

#[test]
fn classes_and_subjects_are_separate_keys() {
    let rl = limiter();
    let now = t0();
    let a = RateLimitKey::principal(EndpointClass::Auth, "alice");
    for _ in 0..10 {
        assert!(rl.check(&a, now).allowed);
    }
    assert!(!rl.check(&a, now).allowed);
    assert!(
        rl.check(&RateLimitKey::principal(EndpointClass::Read, "alice"), now)
            .allowed
    );
    assert!(
        rl.check(&RateLimitKey::principal(EndpointClass::Auth, "bob"), now)
            .allowed
    );
    // a principal named like an address does not share the address's bucket
    assert!(
        rl.check(&RateLimitKey::client(EndpointClass::Auth, "alice"), now)
            .allowed
    );
    assert_eq!(rl.store().len(), 4);
}

#[test]
fn seed_defaults_and_config() {
    let c = RateLimitConfig::default();
    assert_eq!(c.quota(EndpointClass::Auth), Quota::per_minute(5, 10));
    assert_eq!(c.quota(EndpointClass::Read), Quota::per_minute(60, 100));
    assert_eq!(c.quota(EndpointClass::Write), Quota::per_minute(30, 50));
    assert_eq!(c.quota(EndpointClass::Bulk), Quota::per_minute(10, 20));
    assert_eq!(c.quota(EndpointClass::Search), Quota::per_minute(30, 50));
    let c =
        RateLimitConfig::from_json(r#"{"auth": {"limit": 3, "periodSeconds": 60, "burst": 3}}"#)
            .unwrap();
    assert_eq!(c.auth.burst, 3);
    assert_eq!(c.read, Quota::per_minute(60, 100));
    let e =
        RateLimitConfig::from_json(r#"{"bulk": {"limit": 0, "periodSeconds": 60, "burst": 3}}"#)
            .unwrap_err();
    assert_eq!(e.details[0].field, "bulk.limit");
}

#[test]
fn clock_going_backwards_never_grants_capacity() {
    let rl = limiter();
    let key = RateLimitKey::client(EndpointClass::Bulk, "x");
    let now = t0();
    for _ in 0..20 {
        assert!(rl.check(&key, now).allowed);
    }
    for back in [1, 60, 3600, 86_400 * 365] {
        let d = rl.check(&key, now - Duration::seconds(back));
        assert!(!d.allowed, "clock {back}s back");
    }
    // and going back again after time moved forward grants no more than forward time did
    let later = now + Duration::seconds(6); // one token at 10/min
    assert!(rl.check(&key, later).allowed);
    assert!(!rl.check(&key, later - Duration::seconds(3)).allowed);
    assert!(!rl.check(&key, later).allowed);
}

#[test]
fn async_port_path_matches_sync_path() {
    let store = Arc::new(MemoryRateLimitStore::new());
    let rl = RateLimiter::new(RateLimitConfig::default(), store.clone());
    let key = RateLimitKey::principal(EndpointClass::Bulk, "u1");
    for i in 0..21 {
        let d = futures::executor::block_on(rl.check_async(&key, t0())).unwrap();
        assert_eq!(d.allowed, i < 20);
    }
    let dyn_store: Arc<dyn RateLimitStore> = store;
    let rl = RateLimiter::new(RateLimitConfig::default(), dyn_store);
    let d = futures::executor::block_on(rl.check_async(&key, t0())).unwrap();
    assert!(!d.allowed);
}

#[test]
fn purge_drops_only_full_buckets() {
    let rl = limiter();
    let now = t0();
    rl.check(&RateLimitKey::client(EndpointClass::Read, "a"), now);
    rl.check(&RateLimitKey::client(EndpointClass::Auth, "b"), now);
    // one second later the read bucket (1/s) is full again, the auth one (1/12 s) is not
    let later = (now + Duration::seconds(1)).timestamp_nanos_opt().unwrap();
    assert_eq!(rl.store().purge_idle(later), 1);
    assert_eq!(rl.store().len(), 1);
}

const THREADS: usize = 8;

#[test]
fn eight_threads_hammering_one_key_admit_exactly_the_budget() {
    let rl = Arc::new(RateLimiter::new(
        RateLimitConfig::default(),
        MemoryRateLimitStore::new(),
    ));
    let key = RateLimitKey::principal(EndpointClass::Write, "hot"); // 30/min burst 50
    let interval = Duration::seconds(2);
    // phase 0 at t0: exactly the burst; phase k at t0 + k*7*2s: exactly 7 more
    for phase in 0..4i32 {
        let now = t0() + interval * (7 * phase);
        let admitted = Arc::new(AtomicU32::new(0));
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (rl, key, admitted, barrier) =
                    (rl.clone(), key.clone(), admitted.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..2_000 {
                        if rl.check(&key, now).allowed {
                            admitted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let want = if phase == 0 { 50 } else { 7 };
        assert_eq!(admitted.load(Ordering::Relaxed), want, "phase {phase}");
    }
}

#[test]
fn eight_threads_racing_to_create_many_keys_count_exactly() {
    let rl = Arc::new(RateLimiter::new(
        RateLimitConfig::default(),
        MemoryRateLimitStore::new(),
    ));
    let admitted = Arc::new(AtomicU32::new(0));
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (rl, admitted, barrier) = (rl.clone(), admitted.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..30 {
                    for k in 0..100 {
                        let key = RateLimitKey::client(EndpointClass::Bulk, &format!("10.0.0.{k}"));
                        if rl.check(&key, t0()).allowed {
                            admitted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // 100 keys, burst 20 each, nothing replenished at a fixed instant
    assert_eq!(admitted.load(Ordering::Relaxed), 100 * 20);
    assert_eq!(rl.store().len(), 100);
}

#[test]
fn direct_cell_under_threads() {
    let cell = Arc::new(AtomicGcraCell::new());
    let p = GcraParams {
        emission_interval_ns: 1_000_000,
        burst: 1000,
    };
    let admitted = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (cell, admitted) = (cell.clone(), admitted.clone());
            std::thread::spawn(move || {
                for _ in 0..1_000 {
                    if cell.apply(5_000_000_000, p).allowed {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(admitted.load(Ordering::Relaxed), 1000);
}

fn params_strategy() -> impl Strategy<Value = GcraParams> {
    (1u64..=10_000, 1u32..=20).prop_map(|(ms, burst)| GcraParams {
        emission_interval_ns: ms * 1_000_000,
        burst,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Over any monotone timeline, the admissions inside every window [t_i, t_j] never exceed
    /// burst + elapsed / T; and nothing is admitted before a denial's promised retry-after.
    #[test]
    fn admissions_bounded_and_retry_after_honoured(
        params in params_strategy(),
        steps in prop::collection::vec(0i64..5_000_000_000, 1..200),
    ) {
        let mut now = 1_700_000_000_000_000_000i64;
        let mut tat = None;
        let mut admitted: Vec<i64> = Vec::new();
        let mut promised: Option<i64> = None; // earliest time a request may be admitted
        for dt in steps {
            now += dt;
            let (o, next) = gcra::apply(tat, now, params);
            if o.allowed {
                if let Some(p) = promised { prop_assert!(now >= p, "admitted before retry-after"); }
                promised = None;
                admitted.push(now);
                tat = next;
            } else {
                prop_assert!(o.retry_after_ns > 0);
                let p = now + o.retry_after_ns as i64;
                promised = Some(promised.map_or(p, |q: i64| q.max(p)));
                // and a request exactly at the promise is admitted
                let (o2, _) = gcra::apply(tat, p, params);
                prop_assert!(o2.allowed, "not admitted at promised retry-after");
            }
        }
        let t = params.emission_interval_ns as i64;
        for i in 0..admitted.len() {
            for j in i..admitted.len() {
                let count = (j - i + 1) as i64;
                let elapsed = admitted[j] - admitted[i];
                prop_assert!(count <= params.burst as i64 + elapsed / t,
                    "{count} admitted in {elapsed} ns (burst {}, T {t})", params.burst);
            }
        }
    }

    /// With a clock that jumps backwards and forwards, total admissions never exceed
    /// burst + (latest - earliest time seen) / T: going backwards grants nothing.
    #[test]
    fn backwards_clock_grants_nothing_extra(
        params in params_strategy(),
        steps in prop::collection::vec(-20_000_000_000i64..20_000_000_000, 1..200),
    ) {
        let start = 1_700_000_000_000_000_000i64;
        let (mut now, mut lo, mut hi) = (start, start, start);
        let cell = AtomicGcraCell::new();
        let mut count = 0i64;
        for dt in steps {
            now += dt;
            lo = lo.min(now);
            hi = hi.max(now);
            if cell.apply(now, params).allowed { count += 1; }
        }
        let t = params.emission_interval_ns as i64;
        prop_assert!(count <= params.burst as i64 + (hi - lo) / t);
    }

    /// `admit` is `apply` without the outcome: on any sequence of times, the two cells
    /// admit exactly the same requests and end with the same TAT.
    #[test]
    fn admit_agrees_with_apply(
        params in params_strategy(),
        steps in prop::collection::vec(-5_000_000_000i64..20_000_000_000, 1..200),
    ) {
        let mut now = 1_700_000_000_000_000_000i64;
        let (full, bare) = (AtomicGcraCell::new(), AtomicGcraCell::new());
        for dt in steps {
            now += dt;
            prop_assert_eq!(full.apply(now, params).allowed, bare.admit(now, params));
            prop_assert_eq!(full.tat(), bare.tat());
        }
    }

    /// The keyed yes/no path is the keyed check without the headers: two limiters over
    /// their own stores, one answering `check`, the other `admit`, admit exactly the same
    /// requests on any interleaving of classes, subjects and times (new keys included,
    /// clock going backwards included).
    #[test]
    fn keyed_admit_agrees_with_check(
        quotas in prop::collection::vec((1u32..=4, 1u32..=3), 5),
        steps in prop::collection::vec(
            (0usize..5, 0usize..3, any::<bool>(), -2_000i64..4_000), 1..300),
    ) {
        // small bursts and a few keys per class, so every key runs into its limit
        let q = |i: usize| Quota { limit: quotas[i].0, period_seconds: 10, burst: quotas[i].1 };
        let config = RateLimitConfig { auth: q(0), read: q(1), write: q(2), bulk: q(3), search: q(4) };
        let full = RateLimiter::new(config.clone(), MemoryRateLimitStore::new());
        let bare = RateLimiter::new(config, MemoryRateLimitStore::new());
        let mut now = t0();
        for (class, subject, principal, dt_ms) in steps {
            now += Duration::milliseconds(dt_ms);
            let class = EndpointClass::ALL[class];
            let id = format!("s{subject}");
            let key = if principal {
                RateLimitKey::principal(class, &id)
            } else {
                RateLimitKey::client(class, &id)
            };
            prop_assert_eq!(full.check(&key, now).allowed, bare.admit(&key, now), "{:?} at {}", key, now);
        }
        prop_assert_eq!(full.store().len(), bare.store().len());
    }
}
