//! One OS process of the shared-limit test (`tests/shared_limits.rs`): several concurrent
//! tasks ask one Redis-backed limit for admission with the real clock for `duration_ms`, then
//! the process prints `{"admitted", "calls", "startNs", "endNs"}`.
//!
//! `kassa-redis-worker <url> <prefix> <key> <duration_ms> <tasks> <burst> <interval_ns>`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use kassa::ratelimit::{GcraParams, RateLimitStore};
use kassa_redis::RedisRateLimitStore;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, name: &str) -> Result<T, String> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("argument {i} ({name})"))
}

async fn run(args: &[String]) -> Result<(), String> {
    let url: String = arg(args, 1, "url")?;
    let prefix: String = arg(args, 2, "prefix")?;
    let key: String = arg(args, 3, "key")?;
    let duration = Duration::from_millis(arg(args, 4, "duration_ms")?);
    let tasks: usize = arg(args, 5, "tasks")?;
    let params = GcraParams {
        burst: arg(args, 6, "burst")?,
        emission_interval_ns: arg(args, 7, "interval_ns")?,
    };
    let store = Arc::new(
        RedisRateLimitStore::connect(&url, &prefix)
            .await
            .map_err(|e| e.to_string())?,
    );
    let start_ns = now_ns();
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let store = store.clone();
            let key = key.clone();
            tokio::spawn(async move {
                let (mut admitted, mut calls) = (0u64, 0u64);
                while started.elapsed() < duration {
                    let o = store
                        .apply_gcra(&key, now_ns(), params)
                        .await
                        .map_err(|e| e.to_string())?;
                    calls += 1;
                    if o.allowed {
                        admitted += 1;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Ok::<_, String>((admitted, calls))
            })
        })
        .collect();
    let (mut admitted, mut calls) = (0, 0);
    for h in handles {
        let (a, c) = h.await.map_err(|e| e.to_string())??;
        admitted += a;
        calls += c;
    }
    let end_ns = now_ns();
    println!(
        "{}",
        serde_json::json!({"admitted": admitted, "calls": calls, "startNs": start_ns, "endNs": end_ns})
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = rt.block_on(run(&args)) {
        eprintln!("kassa-redis-worker: {e}");
        std::process::exit(1);
    }
}
