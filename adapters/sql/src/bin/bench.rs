//! Checkouts per second through the engine on a SQL database, with 1, 2, 4 and 8 concurrent
//! workers: p50 / p99 latency of one checkout (idempotency key, coupon-free, approved by the
//! sandbox gateway). Each run uses a fresh schema (PostgreSQL) or a fresh file (SQLite).
//!
//! The timed phase is checkouts only: every worker's carts (`create_cart` + `add_to_cart`,
//! one per checkout) are built before the clock starts, so checkouts/s is checkouts over the
//! wall time of the checkouts, and the cart writes do not compete with them.
//!
//! Besides throughput and latency it prints, per checkout of the timed phase: the bench
//! process's CPU (user + system, from `/proc/self/stat`), the whole machine's busy CPU (from
//! `/proc/stat`; the database server's share is roughly the difference, plus whatever else
//! runs on the machine), and on PostgreSQL the database's committed transactions
//! (`pg_stat_database.xact_commit`, read after a pause so the backends have reported) and WAL
//! bytes (`pg_current_wal_lsn()`), and the CPU of every `postgres` process (the server).
//!
//! The carts buy one unit of one SKU each. With `skus` = 1 (the default) every checkout buys the
//! same SKU, so all of them serialise on one stock row (the hotspot case); with `skus` = K the
//! catalog has K SKUs (each stocked at one location) and cart `i` of worker `w` buys SKU
//! `(w * 7919 + i) mod K`, so concurrent checkouts mostly touch different stock rows.
//!
//! On PostgreSQL the pool's connections carry `application_name=kassa-bench` (added to the
//! URL unless it names one), and the "backends CPU" column is the CPU of exactly those server
//! processes (found in `pg_stat_activity`), so other clients of the same server (tests, CI)
//! do not count; the "postgres CPU" column is every `postgres` process, as before.
//!
//! `kassa-adapters-bench <postgres://...|sqlite-dir> [checkouts-per-worker=200] [workers=1,2,4,8] [skus=1]`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use kassa::engine::{CheckoutRequest, Engine, EngineConfig, Principal};
use kassa::memory::TOKEN_APPROVE;
use kassa::ports::{CatalogStore, InventoryStore};
use kassa_sql::{OpenOptions, SqlStore};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The application name of the bench's PostgreSQL connections.
const APP: &str = "kassa-bench";

/// The SKU of cart `i` of worker `w` among `skus`.
fn sku_of(w: usize, i: usize, skus: usize) -> String {
    format!("SKU-{}", (w * 7919 + i) % skus.max(1))
}

async fn fresh(target: &str, workers: usize, run: &str, skus: usize) -> Result<SqlStore, String> {
    let (url, schema) = if target.starts_with("postgres") {
        let mut url = target.to_owned();
        if !url.contains("application_name=") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("application_name=");
            url.push_str(APP);
        }
        (url, Some(format!("kassa_bench_{run}")))
    } else {
        let path = std::path::Path::new(target).join(format!("kassa-bench-{run}.db"));
        (format!("sqlite://{}", path.display()), None)
    };
    let options = OpenOptions {
        schema,
        max_connections: u32::try_from(workers * 3).unwrap_or(24).max(4),
        ..OpenOptions::default()
    };
    let store = kassa_sql::open_with(&url, options)
        .await
        .map_err(|e| e.to_string())?;
    for k in 0..skus.max(1) {
        let sku = format!("SKU-{k}");
        let product = serde_json::from_value(json!({
            "id": format!("p-{k}"), "name": format!("Bench product {k}"), "slug": format!("bench-{k}"),
            "createdAt": "2026-01-01T00:00:00Z",
            "variants": [{"sku": sku, "prices": [{"amount": {"amount": "10.00", "currency": "USD"}}]}]
        }))
        .map_err(|e| e.to_string())?;
        store
            .catalog
            .create_product(product)
            .await
            .map_err(|e| e.to_string())?;
        store
            .inventory
            .set_on_hand(&sku, "main", 10_000_000)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(store)
}

/// CPU seconds (user + system) used by this process so far.
fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds (user + system) used so far by every process named `postgres` on this machine
/// (the server's backends, WAL writer, checkpointer; other clients' backends too).
fn postgres_cpu() -> f64 {
    let mut total = 0.0;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    for entry in dir.flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        if !head.ends_with("(postgres") {
            continue;
        }
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        total += (ticks(11) + ticks(12)) / 100.0;
    }
    total
}

/// PostgreSQL: the process ids of the bench's own backends (by application name).
async fn backend_pids(store: &SqlStore) -> Vec<i64> {
    use sqlx::Row;
    if store.db.dialect() != kassa_sql::Dialect::Postgres {
        return Vec::new();
    }
    let rows = sqlx::query("SELECT pid::BIGINT FROM pg_stat_activity WHERE application_name = $1")
        .bind(APP)
        .fetch_all(store.db.pool())
        .await
        .unwrap_or_default();
    rows.iter()
        .filter_map(|r| r.try_get::<i64, _>(0).ok())
        .collect()
}

/// CPU seconds (user + system) used so far by each of these processes.
fn cpu_of(pids: &[i64]) -> std::collections::HashMap<i64, f64> {
    let mut out = std::collections::HashMap::new();
    for pid in pids {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        out.insert(*pid, (ticks(11) + ticks(12)) / 100.0);
    }
    out
}

/// Busy CPU seconds of the whole machine so far (all but idle and iowait).
fn machine_busy() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else {
        return 0.0;
    };
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: f64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
    (total - idle) / 100.0
}

/// PostgreSQL: (committed transactions of this database, WAL position in bytes).
async fn pg_counters(store: &SqlStore) -> Option<(i64, i64)> {
    use sqlx::Row;
    if store.db.dialect() != kassa_sql::Dialect::Postgres {
        return None;
    }
    let row = sqlx::query(
        "SELECT xact_commit, (pg_current_wal_lsn() - '0/0'::pg_lsn)::BIGINT \
         FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(store.db.pool())
    .await
    .ok()?;
    Some((row.try_get(0).ok()?, row.try_get(1).ok()?))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(Duration::ZERO)
}

/// One worker's carts, built before the timed phase: (customer, cart id) per checkout.
async fn carts(
    engine: Arc<Engine>,
    w: usize,
    n: usize,
    skus: usize,
) -> Result<Vec<(Principal, String)>, String> {
    let usd = kassa::money::Currency::from_code("USD").map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let who = Principal::customer(format!("bench-{w}-{i}"));
        let cart = engine
            .create_cart(&who, usd)
            .await
            .map_err(|e| e.to_string())?
            .id;
        engine
            .add_to_cart(&who, &cart, &sku_of(w, i, skus), 1)
            .await
            .map_err(|e| e.to_string())?;
        out.push((who, cart));
    }
    Ok(out)
}

/// Checks out every cart of one worker, one after the other; the latency of each.
async fn worker(
    engine: Arc<Engine>,
    w: usize,
    carts: Vec<(Principal, String)>,
) -> Result<Vec<Duration>, String> {
    let mut lat = Vec::with_capacity(carts.len());
    for (i, (who, cart)) in carts.into_iter().enumerate() {
        let req = CheckoutRequest {
            cart_id: cart,
            payment_token: TOKEN_APPROVE.into(),
            coupon_codes: vec![],
            expected_total: None,
            region: None,
            channel: None,
            shipping_method: None,
        };
        let t = Instant::now();
        engine
            .checkout(&who, Some(&format!("k-{w}-{i}")), req)
            .await
            .map_err(|e| e.to_string())?;
        lat.push(t.elapsed());
    }
    Ok(lat)
}

async fn run(args: &[String]) -> Result<(), String> {
    let target = args
        .get(1)
        .ok_or("usage: kassa-adapters-bench <url|dir> [n] [workers] [skus]")?;
    let per_worker: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let counts: Vec<usize> = args
        .get(3)
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 2, 4, 8]);
    let skus: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{skus} SKU(s), {per_worker} checkouts per worker; load average before: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "| workers | checkouts | checkouts/s | p50 ms | p99 ms | bench CPU ms/checkout | backends CPU ms/checkout | postgres CPU ms/checkout | machine CPU ms/checkout | commits/checkout | WAL bytes/checkout | load avg (1 min) after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for workers in counts {
        let store = fresh(target, workers, &format!("{run_id}_{workers}"), skus).await?;
        let engine = Arc::new(
            Engine::new(store.ports(), EngineConfig::default()).map_err(|e| e.to_string())?,
        );
        let building: Vec<_> = (0..workers)
            .map(|w| tokio::spawn(carts(engine.clone(), w, per_worker, skus)))
            .collect();
        let mut prepared = Vec::with_capacity(workers);
        for h in building {
            prepared.push(h.await.map_err(|e| e.to_string())??);
        }
        // Let the backends report the cart phase's statistics before the first reading.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let pg_before = pg_counters(&store).await;
        let backends_before = cpu_of(&backend_pids(&store).await);
        let (cpu_before, busy_before, pg_cpu_before) =
            (process_cpu(), machine_busy(), postgres_cpu());
        let start = Instant::now();
        let handles: Vec<_> = prepared
            .into_iter()
            .enumerate()
            .map(|(w, c)| tokio::spawn(worker(engine.clone(), w, c)))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.map_err(|e| e.to_string())??);
        }
        let elapsed = start.elapsed();
        let (cpu, busy, pg_cpu) = (
            process_cpu() - cpu_before,
            machine_busy() - busy_before,
            postgres_cpu() - pg_cpu_before,
        );
        let backends_after = cpu_of(&backend_pids(&store).await);
        let backends: f64 = backends_after
            .iter()
            .map(|(pid, t)| t - backends_before.get(pid).copied().unwrap_or(0.0))
            .sum();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let n = all.len().max(1) as f64;
        let backends = if store.db.dialect() == kassa_sql::Dialect::Postgres {
            format!("{:.2}", backends * 1e3 / n)
        } else {
            "–".to_owned()
        };
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load = load.split_whitespace().next().unwrap_or("?").to_owned();
        // The reading itself is one committed transaction.
        let pg = match (pg_before, pg_counters(&store).await) {
            (Some((c0, w0)), Some((c1, w1))) => format!(
                "{:.2} | {:.0}",
                (c1 - c0 - 1) as f64 / n,
                (w1 - w0) as f64 / n
            ),
            _ => "– | –".to_owned(),
        };
        all.sort();
        println!(
            "| {workers} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {backends} | {:.2} | {:.2} | {pg} | {load} |",
            all.len(),
            all.len() as f64 / elapsed.as_secs_f64(),
            percentile(&all, 0.5).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3,
            cpu * 1e3 / n,
            pg_cpu * 1e3 / n,
            busy * 1e3 / n,
        );
        store.close().await;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = match tokio::runtime::Builder::new_multi_thread()
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
        eprintln!("kassa-adapters-bench: {e}");
        std::process::exit(1);
    }
}
