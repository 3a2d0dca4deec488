//! Access benches: GCRA rate limiting vs `governor`, RBAC + ownership vs `cedar-policy`,
//! argon2id hashing and JWT issue/verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, BenchmarkId, Criterion};
use governor::clock::FakeRelativeClock;
use kassa::access::{Policy, Principal, Resource};
use kassa::identity::{JwtKey, KeyRing, PasswordHasher, TokenConfig, TokenIssuer, TokenSubject};
use kassa::memory::{MemoryRateLimitStore, SeededRandom};
use kassa::ratelimit::{
    AtomicGcraCell, EndpointClass, GcraRate, Quota, RateLimitConfig, RateLimitKey, RateLimiter,
};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::Barrier;
use std::time::{Duration, Instant};

const RATE_PER_SEC: u32 = 1_000_000;
const BURST: u32 = 1_000_000;

fn gov_quota() -> governor::Quota {
    governor::Quota::per_second(NonZeroU32::new(RATE_PER_SEC).unwrap())
        .allow_burst(NonZeroU32::new(BURST).unwrap())
}

/// One quota for every endpoint class.
fn config_per_second(limit: u32, burst: u32) -> RateLimitConfig {
    let q = Quota {
        limit,
        period_seconds: 1,
        burst,
    };
    RateLimitConfig {
        auth: q,
        read: q,
        write: q,
        bulk: q,
        search: q,
    }
}

fn kassa_config() -> RateLimitConfig {
    config_per_second(RATE_PER_SEC, BURST)
}

fn kassa_params() -> GcraRate {
    GcraRate::from(kassa_config().read.params())
}

const T0: i64 = 1_767_225_600_000_000_000; // 2026-01-01 in ns

fn ratelimit_direct(c: &mut Criterion) {
    let mut g = c.benchmark_group("ratelimit/direct");
    let cell = AtomicGcraCell::new();
    let p = kassa_params();
    let mut now = T0;
    g.bench_function("kassa AtomicGcraCell", |b| {
        b.iter(|| {
            now += 1_000;
            black_box(cell.apply(black_box(now), p).allowed)
        })
    });
    let bare = AtomicGcraCell::new();
    let mut later = T0;
    g.bench_function("kassa AtomicGcraCell::admit", |b| {
        b.iter(|| {
            later += 1_000;
            black_box(bare.admit(black_box(later), p))
        })
    });
    let gov = governor::RateLimiter::direct(gov_quota());
    g.bench_function("governor direct (default clock)", |b| {
        b.iter(|| black_box(gov.check().is_ok()))
    });
    let clock = FakeRelativeClock::default();
    let gov_fake = governor::RateLimiter::direct_with_clock(gov_quota(), clock.clone());
    g.bench_function("governor direct (fake clock)", |b| {
        b.iter(|| {
            clock.advance(Duration::from_nanos(1_000));
            black_box(gov_fake.check().is_ok())
        })
    });
    g.finish();
}

fn key_name(i: usize) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

type GovKeyed = governor::DefaultKeyedRateLimiter<String>;

/// `n` client addresses, their kassa keys, and both keyed limiters with every key seen once.
fn keyed_peers(
    n: usize,
) -> (
    Vec<String>,
    Vec<RateLimitKey>,
    RateLimiter<MemoryRateLimitStore>,
    GovKeyed,
) {
    let names: Vec<String> = (0..n).map(key_name).collect();
    let keys: Vec<RateLimitKey> = names
        .iter()
        .map(|a| RateLimitKey::client(EndpointClass::Read, a))
        .collect();
    let ours = RateLimiter::new(kassa_config(), MemoryRateLimitStore::new());
    let gov = governor::RateLimiter::keyed(gov_quota());
    for (k, name) in keys.iter().zip(&names) {
        ours.check_nanos(k, T0);
        let _ = gov.check_key(name);
    }
    (names, keys, ours, gov)
}

fn ratelimit_keyed(c: &mut Criterion) {
    for n in [1_000usize, 1_000_000] {
        let mut g = c.benchmark_group(format!("ratelimit/keyed_{n}"));
        g.sample_size(30);
        let (names, keys, ours, gov) = keyed_peers(n);
        // a large odd stride walks the keys in a cache-unfriendly order
        let stride = 7_919 % n.max(1);
        let mut i = 0usize;
        let mut now = T0;
        g.bench_function(BenchmarkId::new("kassa MemoryRateLimitStore", n), |b| {
            b.iter(|| {
                i = (i + stride) % n;
                now += 1_000;
                black_box(ours.check_nanos(&keys[i], now).allowed)
            })
        });
        g.bench_function(
            BenchmarkId::new("kassa MemoryRateLimitStore admit", n),
            |b| {
                b.iter(|| {
                    i = (i + stride) % n;
                    now += 1_000;
                    black_box(ours.admit_nanos(&keys[i], now))
                })
            },
        );
        let mut j = 0usize;
        g.bench_function(BenchmarkId::new("governor keyed (dashmap)", n), |b| {
            b.iter(|| {
                j = (j + stride) % n;
                black_box(gov.check_key(&names[j]).is_ok())
            })
        });
        g.finish();
    }
}

fn two_threads<F: Fn() + Sync + ?Sized>(iters: u64, f: &F) -> Duration {
    let barrier = Barrier::new(2);
    let barrier = &barrier;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        f();
                    }
                    start.elapsed()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

/// The two-thread quota of both peers: one request per nanosecond (so every admission moves
/// the stored TAT, and a racing compare-and-swap really fails) with a burst of `u32::MAX`, so
/// no run is ever denied. A rate of `u32::MAX` per second would give governor an emission
/// interval of 0 ns (its `per_second` divides in whole nanoseconds): every check would store
/// the value already there and never lose a race, which measures a no-op write.
fn contended_config() -> RateLimitConfig {
    config_per_second(1_000_000_000, u32::MAX)
}

fn contended_gov_quota() -> governor::Quota {
    governor::Quota::per_second(NonZeroU32::new(1_000_000_000).unwrap())
        .allow_burst(NonZeroU32::MAX)
}

/// Both sides read time from a clock that does not move (ours: a constant; governor: a
/// `FakeRelativeClock`), with a burst larger than any run, so every check is admitted and
/// writes the shared state: the cost measured is the contended atomic update, not the clock.
fn ratelimit_contended(c: &mut Criterion) {
    let mut g = c.benchmark_group("ratelimit/two_threads_one_key");
    g.sample_size(30);
    let config = contended_config();
    let gov_huge = contended_gov_quota();
    let ours = RateLimiter::new(config.clone(), MemoryRateLimitStore::new());
    let key = RateLimitKey::principal(EndpointClass::Read, "hot");
    g.bench_function("kassa MemoryRateLimitStore", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, &|| {
                black_box(ours.check_nanos(&key, black_box(T0)).allowed);
            })
        })
    });
    let gov = governor::RateLimiter::dashmap_with_clock(gov_huge, FakeRelativeClock::default());
    let name = "read|p:hot".to_owned();
    g.bench_function("governor keyed (dashmap)", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, &|| {
                black_box(gov.check_key(&name).is_ok());
            })
        })
    });
    let cell = AtomicGcraCell::new();
    // prepared once, as governor's limiter holds its prepared GCRA
    let p = GcraRate::from(config.read.params());
    g.bench_function("kassa AtomicGcraCell", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, &|| {
                black_box(cell.apply(black_box(T0), p).allowed);
            })
        })
    });
    g.bench_function("kassa AtomicGcraCell::admit", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, &|| {
                black_box(cell.admit(black_box(T0), p));
            })
        })
    });
    let gov_direct =
        governor::RateLimiter::direct_with_clock(gov_huge, FakeRelativeClock::default());
    g.bench_function("governor direct", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, &|| {
                black_box(gov_direct.check().is_ok());
            })
        })
    });
    g.finish();
}

#[cfg(feature = "cedar")]
const CEDAR_POLICIES: &str = r#"
permit(principal in Role::"admin", action, resource);
permit(principal in Role::"staff", action in [Action::"read", Action::"update", Action::"cancel"], resource is Order);
permit(principal in Role::"customer", action in [Action::"read", Action::"create", Action::"cancel"], resource is Order)
  when { resource.owner == principal };
permit(principal in Role::"customer", action, resource is Cart) when { resource.owner == principal };
permit(principal in Role::"customer", action == Action::"read", resource is Product);
"#;

#[cfg(feature = "cedar")]
const CEDAR_ENTITIES: &str = r#"[
  {"uid": {"type": "Role", "id": "admin"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Role", "id": "staff"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Role", "id": "customer"}, "attrs": {}, "parents": []},
  {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Role", "id": "customer"}]},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Role", "id": "customer"}]},
  {"uid": {"type": "Order", "id": "o-1"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}}, "parents": []},
  {"uid": {"type": "Order", "id": "o-2"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "bob"}}}, "parents": []}
]"#;

fn permissions(c: &mut Criterion) {
    let mut g = c.benchmark_group("access/authorize_owned_order");
    let policy = Policy::builtin();
    let alice = Principal::user("alice", ["customer"]);
    let own = Resource::owned("orders", "o-1", "alice");
    let foreign = Resource::owned("orders", "o-2", "bob");
    assert!(policy.is_allowed(&alice, "read", &own));
    assert!(!policy.is_allowed(&alice, "read", &foreign));
    for (label, res) in [("own", &own), ("foreign", &foreign)] {
        g.bench_function(BenchmarkId::new("kassa is_allowed", label), |b| {
            b.iter(|| black_box(policy.is_allowed(black_box(&alice), "read", black_box(res))))
        });
        g.bench_function(
            BenchmarkId::new("kassa authorize (explained)", label),
            |b| b.iter(|| black_box(policy.authorize(black_box(&alice), "read", black_box(res)))),
        );
    }
    #[cfg(feature = "cedar")]
    cedar_peer(&mut g);
    g.finish();
}

/// The same two requests through cedar-policy (`--features cedar`).
#[cfg(feature = "cedar")]
fn cedar_peer(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request};
    let authz = Authorizer::new();
    let policies: PolicySet = CEDAR_POLICIES.parse().unwrap();
    let entities = Entities::from_json_str(CEDAR_ENTITIES, None).unwrap();
    let uid = |s: &str| -> EntityUid { s.parse().unwrap() };
    let request = |order: &str| {
        Request::new(
            uid(r#"User::"alice""#),
            uid(r#"Action::"read""#),
            uid(&format!(r#"Order::"{order}""#)),
            Context::empty(),
            None,
        )
        .unwrap()
    };
    let (req_own, req_foreign) = (request("o-1"), request("o-2"));
    assert_eq!(
        authz
            .is_authorized(&req_own, &policies, &entities)
            .decision(),
        cedar_policy::Decision::Allow
    );
    assert_eq!(
        authz
            .is_authorized(&req_foreign, &policies, &entities)
            .decision(),
        cedar_policy::Decision::Deny
    );
    for (label, req) in [("own", &req_own), ("foreign", &req_foreign)] {
        g.bench_function(BenchmarkId::new("cedar-policy is_authorized", label), |b| {
            b.iter(|| {
                black_box(
                    authz
                        .is_authorized(black_box(req), &policies, &entities)
                        .decision(),
                )
            })
        });
    }
}

fn identity(c: &mut Criterion) {
    let mut g = c.benchmark_group("identity");
    g.sample_size(10);
    let rng = SeededRandom::new(1);
    let hasher = PasswordHasher::owasp();
    g.bench_function("argon2id hash (m=19MiB,t=2,p=1)", |b| {
        b.iter(|| black_box(hasher.hash("correct horse battery", &rng).unwrap()))
    });
    let stored = hasher.hash("correct horse battery", &rng).unwrap();
    g.bench_function("argon2id verify (m=19MiB,t=2,p=1)", |b| {
        b.iter(|| black_box(hasher.verify("correct horse battery", &stored).unwrap()))
    });
    g.finish();

    let mut g = c.benchmark_group("jwt");
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let subject = TokenSubject {
        user_id: "alice".into(),
        roles: vec!["customer".into()],
        customer_groups: vec![],
    };
    for (label, key) in [
        ("HS256", JwtKey::hs256("k1", &[7u8; 32]).unwrap()),
        ("EdDSA", JwtKey::ed25519("k1", &[7u8; 32]).unwrap()),
    ] {
        let iss = TokenIssuer::new(
            TokenConfig::new("kassa", "storefront"),
            KeyRing::new(key).unwrap(),
        )
        .unwrap();
        g.bench_function(BenchmarkId::new("issue access", label), |b| {
            b.iter(|| black_box(iss.issue_access(&subject, "fam", &rng, now).unwrap()))
        });
        let (token, _) = iss.issue_access(&subject, "fam", &rng, now).unwrap();
        g.bench_function(BenchmarkId::new("verify access", label), |b| {
            b.iter(|| black_box(iss.verify_access(black_box(&token), now).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    ratelimit_direct,
    ratelimit_keyed,
    ratelimit_contended,
    permissions,
    identity
);
/// `KASSA_CONTENDED_ROUNDS=<n>` skips criterion and runs the two-threads-one-key contenders
/// in `n` paired rounds (each round runs every contender once, in a rotating order, for the
/// same number of operations), then prints each contender's median, quartiles and how many
/// rounds kassa won against governor's matching limiter. On a 2-vCPU VM the hypervisor's
/// scheduling moves a single criterion run of this case by more than the gap between the
/// peers; pairing within a round cancels the slow drift of the machine.
fn contended_rounds(rounds: usize) {
    const OPS: u64 = 1_000_000;
    let config = contended_config();
    // prepared once, as governor's limiter holds its prepared GCRA
    let p = GcraRate::from(config.read.params());
    let gov_huge = contended_gov_quota();
    // each limiter in its own allocation: no contender shares a cache line with another
    let cell = Box::new(AtomicGcraCell::new());
    let gov_direct = Box::new(governor::RateLimiter::direct_with_clock(
        gov_huge,
        FakeRelativeClock::default(),
    ));
    let ours = Box::new(RateLimiter::new(
        config.clone(),
        MemoryRateLimitStore::new(),
    ));
    let key = RateLimitKey::principal(EndpointClass::Read, "hot");
    let gov_keyed = Box::new(governor::RateLimiter::dashmap_with_clock(
        gov_huge,
        FakeRelativeClock::default(),
    ));
    let name = "read|p:hot".to_owned();
    type Contender<'a> = (&'static str, Box<dyn Fn() + Sync + 'a>);
    let contenders: Vec<Contender> = vec![
        (
            "kassa AtomicGcraCell::admit",
            Box::new(|| {
                black_box(cell.admit(black_box(T0), p));
            }),
        ),
        (
            "kassa AtomicGcraCell::apply",
            Box::new(|| {
                black_box(cell.apply(black_box(T0), p).allowed);
            }),
        ),
        (
            "governor direct",
            Box::new(|| {
                black_box(gov_direct.check().is_ok());
            }),
        ),
        (
            "kassa MemoryRateLimitStore",
            Box::new(|| {
                black_box(ours.check_nanos(&key, black_box(T0)).allowed);
            }),
        ),
        (
            "governor keyed (dashmap)",
            Box::new(|| {
                black_box(gov_keyed.check_key(&name).is_ok());
            }),
        ),
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); contenders.len()];
    for round in 0..rounds {
        for k in 0..contenders.len() {
            let i = (round + k) % contenders.len();
            let elapsed = two_threads(OPS, &contenders[i].1);
            samples[i].push(elapsed.as_nanos() as f64 / OPS as f64);
        }
    }
    let quartiles = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let at = |q: usize| s[(s.len() - 1) * q / 4];
        (at(1), at(2), at(3))
    };
    println!("two threads, one key: {rounds} paired rounds of {OPS} operations per thread");
    for ((label, _), v) in contenders.iter().zip(&samples) {
        let (q1, med, q3) = quartiles(v);
        println!("  {label:<30} median {med:7.1} ns/op  [q1 {q1:.1}, q3 {q3:.1}]");
    }
    let wins = |a: usize, b: usize| {
        samples[a]
            .iter()
            .zip(&samples[b])
            .filter(|(x, y)| x <= y)
            .count()
    };
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = samples[a]
            .iter()
            .zip(&samples[b])
            .map(|(x, y)| x / y)
            .collect();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    };
    for (a, b) in [(0, 2), (1, 2), (3, 4)] {
        println!(
            "  {} vs {}: no slower in {}/{rounds} rounds, median ratio {:.3}",
            contenders[a].0,
            contenders[b].0,
            wins(a, b),
            ratio(a, b)
        );
    }
}

/// `KASSA_KEYED_ROUNDS=<n>`: the keyed cases (1,000 and 1,000,000 keys, one thread, the same
/// cache-unfriendly stride as the criterion group) in `n` rounds of 200,000 checks each by
/// three contenders: kassa's yes/no `admit` (what governor answers), kassa's full `check`
/// (decision and header values), and governor, rotating which runs first; prints each kassa
/// path's median against governor's and the rounds it was no slower. With a million keys both sides are bound by cache misses, and one
/// criterion run after the other sees different cache and page states.
fn keyed_rounds(rounds: usize) {
    const OPS: usize = 200_000;
    for n in [1_000usize, 1_000_000] {
        let (names, keys, ours, gov) = keyed_peers(n);
        let stride = 7_919 % n.max(1);
        // one cursor and clock per contender, each walking the keys the same way
        let mut cursors = [(0usize, T0); 3];
        let mut timed = |who: usize| {
            let (mut i, mut now) = cursors[who];
            let start = Instant::now();
            for _ in 0..OPS {
                i = (i + stride) % n;
                now += 1_000;
                match who {
                    0 => black_box(ours.admit_nanos(&keys[i], now)),
                    1 => black_box(ours.check_nanos(&keys[i], now).allowed),
                    _ => black_box(gov.check_key(&names[i]).is_ok()),
                };
            }
            cursors[who] = (i, now);
            start.elapsed().as_nanos() as f64 / OPS as f64
        };
        // the three contenders rotate their order from round to round
        let mut times: [Vec<f64>; 3] = Default::default();
        for round in 0..rounds {
            for k in 0..3 {
                let who = (round + k) % 3;
                times[who].push(timed(who));
            }
        }
        let median = |v: &[f64]| {
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        };
        let [admit, check, gov_t] = &times;
        for (name, ours_t) in [
            ("admit (yes/no)", admit),
            ("check (decision + headers)", check),
        ] {
            let wins = ours_t.iter().zip(gov_t).filter(|(x, y)| x <= y).count();
            let ratios: Vec<f64> = ours_t.iter().zip(gov_t).map(|(x, y)| x / y).collect();
            println!(
                "keyed {n} keys, {rounds} rounds of {OPS}: kassa {name} median {:.1} ns, governor {:.1} ns, kassa no slower in {wins}/{rounds}, median ratio {:.3}",
                median(ours_t),
                median(gov_t),
                median(&ratios)
            );
        }
    }
}

fn main() {
    if let Ok(n) = std::env::var("KASSA_KEYED_ROUNDS") {
        keyed_rounds(n.parse().expect("a round count"));
        return;
    }
    if let Ok(n) = std::env::var("KASSA_CONTENDED_ROUNDS") {
        contended_rounds(n.parse().expect("a round count"));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
