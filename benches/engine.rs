//! Checkout engine benches: a 5-line checkout on the in-memory ports (throughput, plus
//! p50/p99 from individually timed runs), and one order state transition.
//!
//! `KASSA_ENGINE_CALLGRIND=<n>` skips criterion and runs `n` checkouts (carts prepared
//! first), so `valgrind --tool=callgrind` can be run with n = 0 and n = 1000 and the
//! difference divided by 1000 (see docs/performance.md).
//!
//! `KASSA_ENGINE_RUNS=<n>` skips criterion, prepares `n` carts, then times each of the `n`
//! checkouts alone and prints p50, p99 and the throughput of the whole loop (the store grows
//! by one order per checkout, as in the criterion run). Binaries of two commits run
//! alternately this way compare without criterion's analysis in the profile.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use futures::executor::block_on;
use kassa::cart::Cart;
use kassa::catalog::{Catalog, CatalogData};
use kassa::engine::{CheckoutRequest, Engine, EngineConfig, Principal};
use kassa::memory::{InMemory, TOKEN_APPROVE};
use kassa::order::{
    transition, GuardFacts, NewOrder, NewOrderLine, Order, OrderStatus, OrderTotals, PaymentStatus,
    Stamp,
};
use kassa::ports::{CartStore, InventoryStore, PricingRules, StoredCart};
use kassa::Money;
use serde_json::json;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SKUS: [&str; 5] = ["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn setup() -> (InMemory, Engine) {
    let products: Vec<_> = SKUS
        .iter()
        .enumerate()
        .map(|(i, sku)| {
            json!({
                "id": format!("p-{i}"), "name": format!("Product {i}"), "slug": format!("product-{i}"),
                "createdAt": "2026-01-01T00:00:00Z",
                "variants": [{"sku": sku, "prices": [{"amount": {"amount": format!("{}.99", i + 3), "currency": "USD"}}]}]
            })
        })
        .collect();
    let data: CatalogData = serde_json::from_value(json!({"products": products})).expect("catalog");
    let rules: PricingRules = serde_json::from_value(json!({
        "taxRules": [{"id": "ca", "rate": "0.0725", "region": "US-CA", "taxClass": "standard"}],
        "shippingRates": [{"id": "ground", "calculation": {"type": "flat", "price": {"amount": "6.00", "currency": "USD"}}}]
    }))
    .expect("rules");
    let mem = InMemory::new(Catalog::new(data).expect("valid catalog"), rules, t0());
    for sku in SKUS {
        block_on(mem.inventory.set_on_hand(sku, "main", u64::MAX / 4)).expect("stock");
    }
    let config = EngineConfig {
        default_region: "US-CA".into(),
        ..EngineConfig::default()
    };
    let engine = Engine::new(mem.ports(), config).expect("engine");
    (mem, engine)
}

fn put_cart(mem: &InMemory, id: &str) {
    let lines: Vec<_> = SKUS
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"lineId": format!("l{i}"), "sku": s, "quantity": i + 1}))
        .collect();
    let cart: Cart =
        serde_json::from_value(json!({"currency": "USD", "lines": lines})).expect("cart");
    block_on(mem.carts.save(StoredCart {
        id: id.into(),
        owner_id: "bench".into(),
        cart,
        version: 0,
        updated_at: t0(),
    }))
    .expect("save cart");
}

fn request(cart_id: &str) -> CheckoutRequest {
    CheckoutRequest {
        cart_id: cart_id.into(),
        payment_token: TOKEN_APPROVE.into(),
        coupon_codes: vec![],
        expected_total: None,
        region: None,
        channel: None,
        shipping_method: None,
    }
}

fn checkout(c: &mut Criterion) {
    let (mem, engine) = setup();
    let who = Principal::customer("bench");
    let n = AtomicU64::new(0);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));
    group.bench_function("checkout_5_lines_in_memory", |b| {
        b.iter_batched(
            || {
                let id = format!("cart-{}", n.fetch_add(1, Ordering::Relaxed));
                put_cart(&mem, &id);
                request(&id)
            },
            |req| block_on(engine.checkout(&who, None, req)).expect("checkout"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("checkout_5_lines_idempotent_key", |b| {
        b.iter_batched(
            || {
                let i = n.fetch_add(1, Ordering::Relaxed);
                put_cart(&mem, &format!("cart-{i}"));
                (request(&format!("cart-{i}")), format!("key-{i}"))
            },
            |(req, key)| block_on(engine.checkout(&who, Some(&key), req)).expect("checkout"),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // Percentiles: criterion reports means and medians of batches; time single checkouts.
    let runs = 20_000usize;
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let id = format!("p-cart-{i}");
        put_cart(&mem, &id);
        let req = request(&id);
        let start = Instant::now();
        black_box(block_on(engine.checkout(&who, None, req)).expect("checkout"));
        times.push(start.elapsed().as_nanos());
    }
    times.sort_unstable();
    let pct = |p: usize| times.get(runs * p / 100).copied().unwrap_or_default() as f64 / 1000.0;
    let total: u128 = times.iter().sum();
    println!(
        "engine/checkout_5_lines single runs: n={runs} p50={:.1} µs p99={:.1} µs mean throughput={:.0} checkouts/s",
        pct(50),
        pct(99),
        runs as f64 / (total as f64 / 1e9)
    );
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, kassa::Currency::from_code("USD").expect("USD"))
}

fn transitions(c: &mut Criterion) {
    let stamp = Stamp::new("admin-1", t0(), "bench");
    let facts = GuardFacts {
        payment: PaymentStatus::Captured,
        authorized: 100,
        captured: 100,
        ..GuardFacts::default()
    };
    let mut group = c.benchmark_group("engine");
    group.bench_function("order_transition_table_check_and_history", |b| {
        b.iter_batched(
            || (OrderStatus::Pending, Vec::with_capacity(4)),
            |(mut s, mut h)| {
                transition(
                    &mut s,
                    black_box(OrderStatus::Confirmed),
                    &facts,
                    &mut h,
                    stamp,
                )
                .expect("legal");
                (s, h)
            },
            BatchSize::SmallInput,
        )
    });
    let line = |id: &str| NewOrderLine {
        line_id: id.into(),
        sku: id.into(),
        product_id: id.into(),
        name: id.into(),
        variant: String::new(),
        quantity: 1,
        unit_price: usd(500),
        discount: usd(0),
        tax: usd(0),
        total: usd(500),
    };
    let mut order = Order::create(
        NewOrder {
            id: "o".into(),
            number: "KS-1".into(),
            customer_id: "c".into(),
            cart_id: None,
            lines: vec![line("a"), line("b")],
            totals: OrderTotals {
                subtotal: usd(1000),
                discount: usd(0),
                tax: usd(0),
                shipping: usd(0),
                total: usd(1000),
            },
            coupon_codes: vec![],
            reservation_id: None,
        },
        t0(),
    )
    .expect("order");
    order
        .with_payment(t0(), |p, h| {
            p.authorize_and_capture(usd(1000), None, h, stamp)
        })
        .expect("pay");
    order.history.reserve(8);
    group.bench_function("order_confirm_on_aggregate", |b| {
        b.iter_batched(
            || order.clone(),
            |mut o| {
                o.confirm(stamp).expect("legal");
                o
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, checkout, transitions);

/// `n` stored carts (`{prefix}-0`, ...) and a checkout request for each.
fn prepared_requests(mem: &InMemory, prefix: &str, n: usize) -> Vec<CheckoutRequest> {
    (0..n)
        .map(|i| {
            let id = format!("{prefix}-{i}");
            put_cart(mem, &id);
            request(&id)
        })
        .collect()
}

fn timed_runs(n: usize) {
    let (mem, engine) = setup();
    let who = Principal::customer("bench");
    let reqs = prepared_requests(&mem, "t-cart", n);
    let mut times = Vec::with_capacity(n);
    let start = Instant::now();
    for req in reqs {
        let t = Instant::now();
        black_box(block_on(engine.checkout(&who, None, req)).expect("checkout"));
        times.push(t.elapsed().as_nanos());
    }
    let total = start.elapsed();
    times.sort_unstable();
    let pct = |p: usize| times.get(n * p / 100).copied().unwrap_or_default() as f64 / 1000.0;
    println!(
        "engine/checkout_5_lines timed runs: n={n} p50={:.1} µs p99={:.1} µs throughput={:.0} checkouts/s",
        pct(50),
        pct(99),
        n as f64 / total.as_secs_f64()
    );
}

fn main() {
    if let Ok(n) = std::env::var("KASSA_ENGINE_RUNS") {
        timed_runs(n.parse().expect("a count"));
        return;
    }
    if let Ok(n) = std::env::var("KASSA_ENGINE_CALLGRIND") {
        let n: usize = n.parse().expect("a count");
        let (mem, engine) = setup();
        let who = Principal::customer("bench");
        let reqs = prepared_requests(&mem, "cg-cart", n);
        for req in reqs {
            black_box(block_on(engine.checkout(&who, None, req)).expect("checkout"));
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
