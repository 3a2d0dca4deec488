//! Access benches: GCRA rate limiting vs `governor`, RBAC + ownership vs `cedar-policy`,
//! argon2id hashing and JWT issue/verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use governor::clock::FakeRelativeClock;
use kassa::access::{Policy, Principal, Resource};
use kassa::identity::{JwtKey, KeyRing, PasswordHasher, TokenConfig, TokenIssuer, TokenSubject};
use kassa::memory::{MemoryRateLimitStore, SeededRandom};
use kassa::ratelimit::{
    AtomicGcraCell, EndpointClass, GcraParams, Quota, RateLimitConfig, RateLimitKey, RateLimiter,
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

fn kassa_config() -> RateLimitConfig {
    let q = Quota {
        limit: RATE_PER_SEC,
        period_seconds: 1,
        burst: BURST,
    };
    RateLimitConfig {
        auth: q,
        read: q,
        write: q,
        bulk: q,
        search: q,
    }
}

fn kassa_params() -> GcraParams {
    kassa_config().read.params()
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

fn ratelimit_keyed(c: &mut Criterion) {
    for n in [1_000usize, 1_000_000] {
        let mut g = c.benchmark_group(format!("ratelimit/keyed_{n}"));
        g.sample_size(30);
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

fn two_threads<F: Fn() + Sync>(iters: u64, f: F) -> Duration {
    let barrier = Barrier::new(2);
    let f = &f;
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

/// Both sides read time from a clock that does not move (ours: a constant; governor: a
/// `FakeRelativeClock`), with a burst larger than any run, so every check is admitted and
/// writes the shared state: the cost measured is the contended atomic update, not the clock.
fn ratelimit_contended(c: &mut Criterion) {
    let mut g = c.benchmark_group("ratelimit/two_threads_one_key");
    g.sample_size(30);
    let huge = Quota {
        limit: u32::MAX,
        period_seconds: 1,
        burst: u32::MAX,
    };
    let config = RateLimitConfig {
        auth: huge,
        read: huge,
        write: huge,
        bulk: huge,
        search: huge,
    };
    let gov_huge = governor::Quota::per_second(NonZeroU32::MAX).allow_burst(NonZeroU32::MAX);
    let ours = RateLimiter::new(config.clone(), MemoryRateLimitStore::new());
    let key = RateLimitKey::principal(EndpointClass::Read, "hot");
    g.bench_function("kassa MemoryRateLimitStore", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                black_box(ours.check_nanos(&key, black_box(T0)).allowed);
            })
        })
    });
    let gov = governor::RateLimiter::dashmap_with_clock(gov_huge, FakeRelativeClock::default());
    let name = "read|p:hot".to_owned();
    g.bench_function("governor keyed (dashmap)", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                black_box(gov.check_key(&name).is_ok());
            })
        })
    });
    let cell = AtomicGcraCell::new();
    let p = config.read.params();
    g.bench_function("kassa AtomicGcraCell", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                black_box(cell.apply(black_box(T0), p).allowed);
            })
        })
    });
    g.bench_function("kassa AtomicGcraCell::admit", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                black_box(cell.admit(black_box(T0), p));
            })
        })
    });
    let gov_direct =
        governor::RateLimiter::direct_with_clock(gov_huge, FakeRelativeClock::default());
    g.bench_function("governor direct", |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
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
criterion_main!(benches);
