//! Scale-out proof: 4 OS processes (`kassa-pg-worker`), each with several concurrent
//! checkouts, on one PostgreSQL database, competing for S units and a coupon with limit L.
//! Exactly min(demand, S) units are sold, exactly min(attempts, L) coupons redeemed, every
//! idempotent retry returns the same order, and the drained outbox holds every event once.
//! Also: migrations started by 4 processes at once apply once; an unreachable database is
//! `UNAVAILABLE` with a retry hint.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use kassa::ports::{CatalogStore, CouponStore, InventoryStore, OrderFilter, OrderStore};
use kassa::ErrorCode;
use kassa_postgres::OpenOptions;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WORKERS: usize = 4;
const CUSTOMERS: usize = 6; // per worker: demand 24 units
const STOCK: u64 = 15;
const COUPON_LIMIT: u32 = 5;

fn worker(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kassa-pg-worker"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn lines(child: std::process::Child) -> Vec<Value> {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "worker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_never_oversell_and_lose_no_event() {
    let Some(url) = common::pg_url("scale-out checkout") else {
        return;
    };
    let (store, schema) = common::fresh_store(&url, 4).await;
    store
        .catalog
        .create_product(kassa_conformance::cases::product("p-a", "SKU-A", "10.00"))
        .await
        .unwrap();
    store
        .catalog
        .set_pricing_rules(
            serde_json::from_value(json!({
                "promotions": [{
                    "id": "promo-rush",
                    "conditions": {"couponRequired": true},
                    "target": {"type": "order"},
                    "action": {"type": "percent_off", "percent": "10"}
                }],
                "coupons": [{"code": "RUSH", "promotionId": "promo-rush", "usageLimit": COUPON_LIMIT}]
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    store
        .inventory
        .set_on_hand("SKU-A", "main", STOCK)
        .await
        .unwrap();

    let children: Vec<_> = (0..WORKERS)
        .map(|w| {
            worker(&[
                "checkout",
                &url,
                &schema,
                &w.to_string(),
                &CUSTOMERS.to_string(),
            ])
        })
        .collect();
    let results: Vec<Value> = children.into_iter().flat_map(lines).collect();
    assert_eq!(results.len(), WORKERS * CUSTOMERS);
    let errors: Vec<_> = results.iter().filter(|r| r["outcome"] == "error").collect();
    assert!(errors.is_empty(), "unexpected failures: {errors:#?}");

    let sold: Vec<_> = results.iter().filter(|r| r["outcome"] == "sold").collect();
    let demand = (WORKERS * CUSTOMERS) as u64;
    assert_eq!(sold.len() as u64, demand.min(STOCK), "units sold");
    for s in &sold {
        assert_eq!(s["status"], "confirmed");
        assert_eq!(s["replayId"], s["orderId"], "idempotent retry: {s}");
    }
    let with_coupon = sold.iter().filter(|s| s["coupon"] == true).count();
    assert_eq!(with_coupon, COUPON_LIMIT as usize, "coupon redemptions");

    // The database agrees with what the clients saw.
    let usage = store.coupons.usage("RUSH").await.unwrap().unwrap();
    assert_eq!(usage.times_used(), u64::from(COUPON_LIMIT));
    let level = &store.inventory.stock("SKU-A").await.unwrap()[0];
    assert_eq!(
        (level.on_hand, level.reserved),
        (STOCK - sold.len() as u64, 0)
    );
    let confirmed = store
        .orders
        .list(
            &OrderFilter {
                status: Some(kassa::order::OrderStatus::Confirmed),
                ..OrderFilter::default()
            },
            kassa::page::PageRequest {
                page: 1,
                page_size: 100,
            },
        )
        .await
        .unwrap();
    let confirmed_ids: BTreeSet<String> = confirmed.items.iter().map(|o| o.id.clone()).collect();
    let client_ids: BTreeSet<String> = sold
        .iter()
        .map(|s| s["orderId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(confirmed_ids, client_ids);

    // Two relays drain concurrently (SKIP LOCKED): every event exactly once overall.
    let pending = store.outbox.pending().await.unwrap();
    assert!(pending > 0);
    let seen: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let relays: Vec<_> = (0..2)
        .map(|_| {
            let outbox = store.outbox.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                loop {
                    let seen = seen.clone();
                    let n = outbox
                        .drain(7, |batch| async move {
                            seen.lock()
                                .unwrap()
                                .extend(batch.into_iter().map(|d| d.event.id));
                            Ok(())
                        })
                        .await
                        .unwrap();
                    if n == 0 {
                        break;
                    }
                }
            })
        })
        .collect();
    for r in relays {
        r.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &seen {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    assert!(counts.values().all(|c| *c == 1), "no duplicate delivery");
    assert_eq!(seen.len() as u64, pending);
    assert_eq!(store.outbox.pending().await.unwrap(), 0);
    let all = store.outbox.all().await.unwrap();
    let placed: BTreeSet<String> = all
        .iter()
        .filter(|e| e.event_type == "order_placed")
        .map(|e| e.aggregate_id.clone())
        .collect();
    assert_eq!(placed, client_ids, "one order_placed per sold order");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_migrate_one_fresh_schema_at_once() {
    let Some(url) = common::pg_url("concurrent migrations") else {
        return;
    };
    let schema = common::fresh_schema();
    let children: Vec<_> = (0..WORKERS)
        .map(|_| worker(&["migrate", &url, &schema]))
        .collect();
    for c in children {
        let out = lines(c);
        assert_eq!(out, vec![json!({"outcome": "migrated"})]);
    }
    let store = kassa_postgres::connect_with(
        &url,
        OpenOptions {
            schema: Some(schema),
            max_connections: 1,
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let applied = store.applied_migrations().await.unwrap();
    let known: Vec<i64> = kassa_sql::MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(applied, known, "each migration recorded once");
    store.close().await;
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_with_a_retry_hint() {
    // Nothing listens on port 1: the connection is refused at once.
    let err = kassa_postgres::connect_with(
        "postgres://postgres@127.0.0.1:1/test",
        OpenOptions {
            acquire_timeout: Duration::from_secs(3),
            ..OpenOptions::default()
        },
    )
    .await
    .err()
    .expect("no server there");
    assert_eq!(err.code, ErrorCode::Unavailable, "{err:?}");
    assert!(err.meta.contains_key("retryAfterSeconds"), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_payment_is_not_charged_twice_and_its_stock_comes_back() {
    use std::io::BufRead;
    let Some(url) = common::pg_url("process killed mid-checkout") else {
        return;
    };
    let (store, schema) = common::fresh_store(&url, 3).await;
    store
        .catalog
        .create_product(kassa_conformance::cases::product("p-a", "SKU-A", "10.00"))
        .await
        .unwrap();
    store
        .inventory
        .set_on_hand("SKU-A", "main", 5)
        .await
        .unwrap();

    // The worker reserves, creates the order, starts the payment attempt, calls the gateway
    // (which hangs) and is killed there: its connections drop mid-checkout.
    let mut child = worker(&["hang", &url, &schema]);
    let stdout = child.stdout.take().unwrap();
    let mut cart_id = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if v["outcome"] == "cart" {
            cart_id = v["cartId"].as_str().unwrap().to_owned();
        }
        if v["outcome"] == "charging" {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!cart_id.is_empty());
    let level = store.inventory.stock("SKU-A").await.unwrap()[0].clone();
    assert_eq!(
        (level.on_hand, level.reserved),
        (5, 2),
        "the dead checkout holds its stock"
    );

    // Another instance retries with the same key: refused while the claim is held, so no
    // second order and no second charge.
    let gateway = Arc::new(kassa::memory::SandboxGateway::new());
    let engine = kassa::engine::Engine::new(
        store.ports_with(gateway.clone()),
        kassa::engine::EngineConfig::default(),
    )
    .unwrap();
    let who = kassa::engine::Principal::customer("hang");
    let req = kassa::engine::CheckoutRequest {
        cart_id: cart_id.clone(),
        payment_token: kassa::memory::TOKEN_APPROVE.into(),
        coupon_codes: vec![],
        expected_total: None,
        region: None,
        channel: None,
        shipping_method: None,
    };
    let retry = engine
        .checkout(&who, Some("key-hang"), req)
        .await
        .unwrap_err();
    assert_eq!(retry.code, ErrorCode::Conflict);
    assert_eq!(retry.meta.get("idempotency"), Some(&json!("in_progress")));
    assert!(gateway.charges().is_empty(), "no second charge");
    let orders = store
        .orders
        .list(
            &OrderFilter {
                customer_id: Some("hang".into()),
                ..OrderFilter::default()
            },
            kassa::page::PageRequest {
                page: 1,
                page_size: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(orders.pagination.total, 1, "one order, still pending");
    assert_eq!(orders.items[0].status, kassa::order::OrderStatus::Pending);

    // Its reservation (TTL 1 s) is released by the expiry sweep; the sweep is given a time
    // past the expiry instead of sleeping.
    let later = chrono::Utc::now() + chrono::Duration::seconds(5);
    let swept = store.inventory.sweep_expired(later).await.unwrap();
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].reference, orders.items[0].id);
    let level = store.inventory.stock("SKU-A").await.unwrap()[0].clone();
    assert_eq!(
        (level.on_hand, level.reserved),
        (5, 0),
        "the stock came back"
    );
    store.close().await;
}
