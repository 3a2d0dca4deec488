//! Pricing benches: a 20-line cart with 3 promotions, tax and shipping (target < 5 µs), and a
//! 200-line cart (instructions per line measured with callgrind, target ≤ 1,000).
//!
//! `KASSA_PRICING_CALLGRIND=<n>` skips criterion and prices the 200-line cart once (warm-up)
//! and then `n` times, so `valgrind --tool=callgrind` can be run with n = 0 and n = 100 and
//! the difference divided by 100 × 200 (see docs/performance.md). `KASSA_PRICING_LINES`
//! changes the cart size.
//!
//! The `host_json` group measures what every binding pays on top: the 20-line request as JSON
//! text through `kassa::host::ops::call_str` (decode, price, encode), and decode and encode
//! alone, so the JSON layer's share is visible next to pricing itself.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, Criterion};
use kassa::pricing::{price_cart, PricingInput};
use kassa::Decimal;
use serde_json::json;
use std::hint::black_box;

fn cart(lines: usize) -> PricingInput {
    let lines: Vec<_> = (0..lines)
        .map(|i| {
            json!({
                "lineId": format!("line-{i:04}"),
                "sku": format!("SKU-{}", i % 37),
                "productId": format!("P-{}", i % 23),
                "categoryIds": [format!("C-{}", i % 5), "all"],
                "quantity": 1 + (i % 4),
                "unitPrice": {"amount": format!("{}.{:02}", 3 + (i * 7) % 90, (i * 13) % 100), "currency": "EUR"},
                "taxInclusive": true,
                "taxClass": if i % 3 == 0 { "reduced" } else { "standard" },
                "weightGrams": 150 + (i % 7) * 100
            })
        })
        .collect();
    serde_json::from_value(json!({
        "lines": lines,
        "promotions": [
            {"id": "cat10", "priority": 1, "target": {"type": "categories", "ids": ["C-1", "C-3"]},
             "action": {"type": "percent_off", "percent": "10"}},
            {"id": "b2g1", "priority": 2, "target": {"type": "products", "ids": ["P-4", "P-5", "P-6"]},
             "action": {"type": "buy_x_get_y", "buy": 2, "get": 1}},
            {"id": "order5", "priority": 3, "conditions": {"minSubtotal": {"amount": "50.00", "currency": "EUR"}},
             "target": {"type": "order"}, "action": {"type": "amount_off", "amount": {"amount": "5.00", "currency": "EUR"}}}
        ],
        "taxRules": [
            {"id": "de-std", "region": "DE", "taxClass": "standard", "rate": "0.19"},
            {"id": "de-red", "region": "DE", "taxClass": "reduced", "rate": "0.07"}
        ],
        "shippingRates": [
            {"id": "dhl", "calculation": {"type": "weight_tiers", "tiers": [
                {"maxGrams": 2000, "price": {"amount": "4.99", "currency": "EUR"}},
                {"maxGrams": 1000000, "price": {"amount": "9.99", "currency": "EUR"}}]},
             "freeOver": {"amount": "500.00", "currency": "EUR"}},
            {"id": "express", "calculation": {"type": "flat", "price": {"amount": "14.90", "currency": "EUR"}}}
        ],
        "context": {"region": "DE", "currency": "EUR", "customerId": "c-1", "now": "2026-03-15T12:00:00Z"}
    }))
    .unwrap()
}

/// The floor any pricing engine pays: unit price × quantity summed with rust_decimal.
fn baseline_sum(input: &PricingInput) -> Decimal {
    input
        .lines
        .iter()
        .map(|l| l.unit_price.amount() * Decimal::from(l.quantity))
        .sum()
}

fn bench(c: &mut Criterion) {
    let small = cart(20);
    let large = cart(200);
    assert_eq!(price_cart(&small).unwrap().applied_promotions.len(), 3);
    let mut g = c.benchmark_group("pricing");
    g.bench_function("kassa_price_cart_20_lines_3_promotions", |b| {
        b.iter(|| price_cart(black_box(&small)).unwrap())
    });
    g.bench_function("baseline_decimal_sum_20_lines", |b| {
        b.iter(|| baseline_sum(black_box(&small)))
    });
    g.bench_function("kassa_price_cart_200_lines", |b| {
        b.iter(|| price_cart(black_box(&large)).unwrap())
    });
    g.finish();

    let text = serde_json::to_string(&small).unwrap();
    let priced = price_cart(&small).unwrap();
    let mut h = c.benchmark_group("host_json");
    h.bench_function("call_str_price_cart_20_lines", |b| {
        b.iter(|| kassa::host::ops::call_str("pricing.price_cart", black_box(&text)).unwrap())
    });
    h.bench_function("decode_request_20_lines", |b| {
        b.iter(|| kassa::host::from_str::<PricingInput>(black_box(&text)).unwrap())
    });
    // The decoder the wasm module runs on every request (text → tree → type, naming the
    // failing field), beside the one it replaced: serde_json under serde_path_to_error.
    h.bench_function("decode_tracked_20_lines", |b| {
        b.iter(|| kassa::host::from_str_tracked::<PricingInput>(black_box(&text)).unwrap())
    });
    h.bench_function("serde_path_to_error_20_lines", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_str(black_box(&text));
            serde_path_to_error::deserialize::<_, PricingInput>(&mut de).unwrap()
        })
    });
    // What the Python binding does: a `serde_json::Value` built from Python objects.
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    h.bench_function("from_value_20_lines", |b| {
        b.iter(|| kassa::host::from_value::<PricingInput>(black_box(value.clone())).unwrap())
    });
    h.bench_function("serde_path_to_error_value_20_lines", |b| {
        b.iter(|| {
            serde_path_to_error::deserialize::<_, PricingInput>(black_box(value.clone())).unwrap()
        })
    });
    h.bench_function("serde_json_from_str_20_lines", |b| {
        b.iter(|| serde_json::from_str::<PricingInput>(black_box(&text)).unwrap())
    });
    h.bench_function("encode_result_20_lines", |b| {
        b.iter(|| serde_json::to_string(black_box(&priced)).unwrap())
    });
    h.finish();
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(n) = std::env::var("KASSA_PRICING_CALLGRIND") {
        let n: usize = n.parse().expect("a count");
        let lines =
            std::env::var("KASSA_PRICING_LINES").map_or(200, |l| l.parse().expect("a count"));
        let large = cart(lines);
        // One call before the counted ones, also when n = 0: the first call pays one-time
        // costs that are not pricing's, chiefly glibc consolidating the chunks the cart's
        // JSON setup freed (~25 instructions per line of a 200-line cart), which n = 0 would
        // otherwise subtract from none of the counted calls (docs/performance.md, "Session 9").
        black_box(price_cart(black_box(&large)).unwrap());
        for _ in 0..n {
            black_box(price_cart(black_box(&large)).unwrap());
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
