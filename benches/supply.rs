//! Inventory and supply benches: the reorder run over 100,000 SKU-locations and the
//! Holt-Winters fit on 3 years of weekly data (statsmodels is timed on the same series by
//! `scripts/test.d/forecast.sh`, through the `forecast_timing` binary).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kassa::forecast::{fit, Seasonality, SmoothingSettings, Trend};
use kassa::inventory::reorder::{reorder_run, ReorderItem, ReorderPolicy, ReorderRunInput};
use kassa::supply::Supplier;
use kassa::{Currency, Money};
use std::hint::black_box;

fn reorder_input(n: usize) -> ReorderRunInput {
    let suppliers: Vec<Supplier> = (0..50)
        .map(|i| Supplier {
            id: format!("sup-{i}"),
            name: String::new(),
            lead_time_days: 7,
            minimum_order_quantity: (i % 4) as i64 * 10,
            currency: Currency::USD,
        })
        .collect();
    let items = (0..n)
        .map(|i| {
            let policy = match i % 3 {
                0 => ReorderPolicy::MinMax { min: 20, max: 80 },
                1 => ReorderPolicy::SS { s: 15, big_s: 60 },
                _ => ReorderPolicy::ReorderPoint {
                    reorder_level: 25,
                    order_quantity: 40,
                },
            };
            ReorderItem {
                sku: format!("SKU-{i:06}"),
                location: format!("W{}", i % 4),
                on_hand: ((i * 7919) % 100) as i64,
                reserved: ((i * 31) % 10) as i64,
                on_order: if i % 5 == 0 { 12 } else { 0 },
                policy,
                order_multiple: [1, 6, 12][i % 3],
                supplier_id: format!("sup-{}", i % 50),
                unit_cost: Money::from_minor(100 + (i % 900) as i64, Currency::USD),
            }
        })
        .collect();
    ReorderRunInput { suppliers, items }
}

fn fixture_series(name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/forecast_statsmodels.json"
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    serde_json::from_value(case["series"].clone()).unwrap()
}

fn bench_reorder(c: &mut Criterion) {
    let input = reorder_input(100_000);
    let out = reorder_run(&input).unwrap();
    assert!(!out.purchase_orders.is_empty());
    let mut g = c.benchmark_group("reorder_run");
    g.sample_size(20);
    g.bench_function("kassa_100k_skus", |b| {
        b.iter(|| reorder_run(black_box(&input)).unwrap())
    });
    g.finish();
}

fn bench_holt_winters(c: &mut Criterion) {
    let mut g = c.benchmark_group("holt_winters_fit_3y_weekly");
    for (name, seasonal) in [
        ("hw_additive_weekly_3y", Seasonality::Add),
        ("hw_multiplicative_weekly_3y", Seasonality::Mul),
    ] {
        let y = fixture_series(name);
        let settings = SmoothingSettings {
            trend: Trend::Add,
            seasonal,
            seasonal_periods: Some(52),
            ..SmoothingSettings::default()
        };
        g.bench_with_input(BenchmarkId::new("kassa", name), &y, |b, y| {
            b.iter(|| fit(black_box(y), &settings).unwrap().forecast(52))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_reorder, bench_holt_winters);
criterion_main!(benches);
