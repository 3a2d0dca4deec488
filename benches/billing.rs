//! Billing benches: proration, a period invoice through pricing, and the renewal run over
//! 1,000 monthly subscriptions on the in-memory ports (each run bills and charges one period
//! per subscription at the sandbox gateway).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use futures::executor::block_on;
use kassa::billing::{
    compute_invoice, prorate, Interval, InvoiceInput, LineInput, LineKind, Period, Plan,
    ProrationInput, ProrationRounding,
};
use kassa::catalog::{Catalog, CatalogData};
use kassa::engine::{Billing, BillingConfig, Principal, SubscribeRequest};
use kassa::memory::{InMemory, TOKEN_APPROVE};
use kassa::ports::PricingRules;
use kassa::Money;
use std::hint::black_box;

fn eur(s: &str) -> Money {
    Money::parse(s, "EUR").unwrap()
}

fn bench(c: &mut Criterion) {
    let start = Utc.with_ymd_and_hms(2026, 1, 31, 10, 0, 0).unwrap();
    let period = Period {
        index: 0,
        start,
        end: start + Duration::days(28),
    };
    let input = ProrationInput {
        period,
        at: start + Duration::seconds(1_234_567),
        old_amount: eur("29.97"),
        new_amount: eur("99.00"),
        rounding: ProrationRounding::default(),
    };
    c.bench_function("billing/prorate", |b| {
        b.iter(|| prorate(black_box(&input)).unwrap())
    });

    let rules: PricingRules = serde_json::from_value(serde_json::json!({
        "taxRules": [{"id": "de-vat", "region": "DE", "taxClass": "standard", "rate": "0.19"}]
    }))
    .unwrap();
    let inv = InvoiceInput {
        currency: eur("0").currency(),
        region: "DE".into(),
        lines: vec![
            LineInput {
                kind: LineKind::ProrationCredit,
                description: "credit".into(),
                quantity: 1,
                unit_amount: eur("5.00"),
                tax_inclusive: false,
                tax_class: "standard".into(),
                period: None,
            },
            LineInput {
                kind: LineKind::ProrationCharge,
                description: "charge".into(),
                quantity: 1,
                unit_amount: eur("15.00"),
                tax_inclusive: false,
                tax_class: "standard".into(),
                period: None,
            },
        ],
        tax_rules: rules.tax_rules.clone(),
        coupon: None,
        credit_balance: None,
        rounding: Default::default(),
        at: start,
    };
    c.bench_function("billing/proration_invoice_with_tax", |b| {
        b.iter(|| compute_invoice(black_box(&inv)).unwrap())
    });

    let mut group = c.benchmark_group("billing/renewal_run");
    group.sample_size(10);
    group.bench_function("1000_subscriptions_one_period", |b| {
        b.iter_batched(
            || {
                let data: CatalogData = serde_json::from_value(serde_json::json!({})).unwrap();
                let mem = InMemory::new(Catalog::new(data).unwrap(), rules.clone(), start);
                let billing =
                    Billing::new(mem.ports(), mem.billing_ports(), BillingConfig::default())
                        .unwrap();
                let plan = Plan {
                    id: "pro".into(),
                    name: "Pro".into(),
                    price: eur("9.99"),
                    interval: Interval::Month,
                    interval_count: 1,
                    trial_days: 0,
                    tax_inclusive: false,
                    tax_class: "standard".into(),
                    usage: None,
                };
                for i in 0..1000 {
                    let who = format!("c{i}");
                    block_on(billing.subscribe(
                        &Principal::customer(who.clone()),
                        "k",
                        SubscribeRequest {
                            customer_id: who,
                            email: None,
                            plan: plan.clone(),
                            quantity: 1,
                            payment_token: TOKEN_APPROVE.into(),
                            region: "DE".into(),
                            utc_offset_seconds: 0,
                            coupon: None,
                            term_periods: None,
                        },
                    ))
                    .unwrap();
                }
                (mem, billing)
            },
            |(_mem, billing)| {
                let r = block_on(
                    billing.run_renewals(&Principal::system(), start + Duration::days(29)),
                )
                .unwrap();
                assert_eq!(r.items.len(), 1000);
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
