//! The Redis GCRA script: decisions equal the pure step's, atomic under concurrency, shared
//! by 4 OS processes (admitted ≤ burst + rate × elapsed), and an unreachable server is
//! `UNAVAILABLE`. Skipped (with a printed reason) when `KASSA_TEST_REDIS_URL` is unset; every
//! run uses its own key prefix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use futures_free::join_all;
use kassa::ratelimit::{gcra, GcraParams, RateLimitStore};
use kassa::ErrorCode;
use kassa_redis::RedisRateLimitStore;
use std::process::{Command, Stdio};

mod futures_free {
    /// Runs futures concurrently on the test runtime.
    pub async fn join_all<F>(futs: Vec<F>) -> Vec<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handles: Vec<_> = futs.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }
}

fn redis_url(test: &str) -> Option<String> {
    match std::env::var("KASSA_TEST_REDIS_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            println!(
                "skipped {test}: KASSA_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)"
            );
            None
        }
    }
}

fn prefix() -> String {
    format!("kassa-test:{}:", uuid::Uuid::new_v4().simple())
}

const SEC: i64 = 1_000_000_000;

#[tokio::test]
async fn script_decisions_equal_the_pure_step() {
    let Some(url) = redis_url("gcra parity") else {
        return;
    };
    let store = RedisRateLimitStore::connect(&url, &prefix()).await.unwrap();
    // A deterministic walk over times (forwards, backwards, big gaps) and two parameter sets,
    // at realistic epoch nanoseconds (beyond 2^53: the script's pair arithmetic matters).
    let p1 = GcraParams {
        emission_interval_ns: 333_333_333,
        burst: 3,
    };
    let p2 = GcraParams {
        emission_interval_ns: 60 * SEC as u64 / 7,
        burst: 10,
    };
    let mut tat: [Option<i64>; 2] = [None, None];
    let mut now: i64 = 1_772_355_600 * SEC + 123_456_789;
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut allowed = 0;
    for step in 0..400 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let jump = match x % 10 {
            0 => -((x % 50_000_000) as i64),
            1 => (x % 30) as i64 * SEC,
            _ => (x % 400_000_000) as i64 + 1,
        };
        now += jump;
        let k = (x >> 20) as usize % 2;
        let params = if k == 0 { p1 } else { p2 };
        let (want, next) = gcra::apply(tat[k], now, params);
        if let Some(t) = next {
            tat[k] = Some(t);
        }
        let got = store
            .apply_gcra(&format!("key{k}"), now, params)
            .await
            .unwrap();
        assert_eq!(got, want, "step {step} at {now}");
        allowed += usize::from(got.allowed);
    }
    assert!(
        allowed > 20 && allowed < 400,
        "the walk exercised both outcomes"
    );
    store.clear().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_at_one_instant_admit_exactly_the_burst() {
    let Some(url) = redis_url("gcra concurrency") else {
        return;
    };
    let store = RedisRateLimitStore::connect(&url, &prefix()).await.unwrap();
    let params = GcraParams {
        emission_interval_ns: 60 * SEC as u64,
        burst: 10,
    };
    let now = 1_772_355_600 * SEC;
    let futs: Vec<_> = (0..50)
        .map(|_| {
            let s = store.clone();
            async move { s.apply_gcra("hot", now, params).await.unwrap() }
        })
        .collect();
    let outcomes = join_all(futs).await;
    assert_eq!(outcomes.iter().filter(|o| o.allowed).count(), 10);
    for o in outcomes.iter().filter(|o| !o.allowed) {
        assert_eq!(o.retry_after_ns, 60 * SEC as u64);
    }
    store.clear().await.unwrap();
}

#[tokio::test]
async fn four_processes_share_one_limit() {
    let Some(url) = redis_url("shared limit across processes") else {
        return;
    };
    let prefix = prefix();
    let (burst, interval_ns) = (20u64, 50_000_000u64); // 20 at once, then 20 per second
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_kassa-redis-worker"))
                .args([
                    url.as_str(),
                    prefix.as_str(),
                    "shared",
                    "1500",
                    "4",
                    &burst.to_string(),
                    &interval_ns.to_string(),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut admitted, mut calls, mut start, mut end) = (0u64, 0u64, i64::MAX, i64::MIN);
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        admitted += v["admitted"].as_u64().unwrap();
        calls += v["calls"].as_u64().unwrap();
        start = start.min(v["startNs"].as_i64().unwrap());
        end = end.max(v["endNs"].as_i64().unwrap());
    }
    let elapsed = u64::try_from(end - start).unwrap();
    let bound = burst + elapsed / interval_ns + 1;
    assert!(admitted <= bound, "admitted {admitted} > bound {bound}");
    assert!(
        admitted >= burst,
        "the burst is always admitted: {admitted}"
    );
    assert!(
        calls > admitted,
        "the limit did refuse requests ({calls} calls)"
    );
    let store = RedisRateLimitStore::connect(&url, &prefix).await.unwrap();
    store.clear().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    let err = RedisRateLimitStore::connect("redis://127.0.0.1:1", "x:")
        .await
        .expect_err("nothing listens on port 1");
    assert_eq!(err.code, ErrorCode::Unavailable, "{err:?}");
    assert!(err.meta.contains_key("retryAfterSeconds"));
}
