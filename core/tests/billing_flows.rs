//! The billing engine flows over the in-memory ports and the sandbox gateway.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod billing_common;

use billing_common::*;
use chrono::Duration;
use kassa::billing::{
    BillingCoupon, DunningPolicy, FinalAction, Interval, InvoiceKind, InvoiceStatus,
    SubscriptionStatus as S, UsageMode, UsagePricing, UsageTier,
};
use kassa::engine::{BillingConfig, ChangePlanRequest, Principal};
use kassa::memory::{TOKEN_APPROVE, TOKEN_DECLINE, TOKEN_TIMEOUT};
use kassa::ErrorCode;

fn alice() -> Principal {
    Principal::customer("alice")
}

#[test]
fn subscribe_charges_first_period_creates_gateway_records_and_confirms() {
    let w = world(at(2026, 1, 31, 10), true, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k1",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    assert_eq!(s.status, S::Active);
    assert_eq!(s.current_period.end, at(2026, 2, 28, 10));
    let inv = &s.invoices[0];
    assert_eq!(
        (inv.kind, inv.status),
        (InvoiceKind::Initial, InvoiceStatus::Paid)
    );
    assert_eq!(inv.amounts.tax_total, eur("1.90"));
    assert_eq!(inv.amounts.amount_due, eur("11.90"));
    assert_eq!(w.mem.gateway.customers().len(), 1);
    assert_eq!(w.mem.gateway.subscriptions()[0].subscription_id, s.id);
    assert_eq!(s.gateway_subscription_ref.as_deref(), Some("sub_1"));
    let created: Vec<_> = w
        .mem
        .events
        .events()
        .into_iter()
        .filter(|e| e.event_type == "subscription_created")
        .collect();
    assert_eq!(created.len(), 1);
    assert!(
        created[0].payload.contains("is confirmed"),
        "{}",
        created[0].payload
    );
    // Idempotent: the same key returns the same subscription and charges nothing more.
    let again = run(w.billing.subscribe(
        &alice(),
        "k1",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    assert_eq!(again.id, s.id);
    assert_eq!(w.mem.gateway.charges().len(), 1);
}

#[test]
fn declined_first_payment_stores_nothing_and_frees_the_key() {
    let w = world(at(2026, 1, 1, 0), false, BillingConfig::default());
    let err = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_DECLINE,
        ),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::PaymentDeclined);
    assert!(w.mem.subscriptions.all().unwrap().is_empty());
    let ok = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ));
    assert!(ok.is_err(), "the key was used with a different request");
    run(w.billing.subscribe(
        &alice(),
        "k2",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
}

#[test]
fn trial_converts_or_expires_at_trial_end() {
    let w = world(at(2026, 3, 1, 0), false, BillingConfig::default());
    let paid = run(w.billing.subscribe(
        &alice(),
        "k1",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 14),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    let bob = Principal::customer("bob");
    let no_card = run(w.billing.subscribe(
        &bob,
        "k2",
        subscribe_req("bob", plan("pro", "10.00", Interval::Month, 14), ""),
    ))
    .unwrap();
    assert_eq!((paid.status, no_card.status), (S::Trialing, S::Trialing));
    assert!(paid.invoices.is_empty());
    run(w.billing.run_renewals(&system(), at(2026, 3, 14, 0))).unwrap();
    assert_eq!(
        run(w.billing.subscription(&system(), &paid.id))
            .unwrap()
            .status,
        S::Trialing
    );
    run(w.billing.run_renewals(&system(), at(2026, 3, 15, 0))).unwrap();
    let paid = run(w.billing.subscription(&system(), &paid.id)).unwrap();
    assert_eq!(paid.status, S::Active);
    assert_eq!(paid.current_period.start, at(2026, 3, 15, 0));
    assert_eq!(paid.invoices[0].status, InvoiceStatus::Paid);
    assert_eq!(
        run(w.billing.subscription(&system(), &no_card.id))
            .unwrap()
            .status,
        S::Expired
    );
}

#[test]
fn upgrade_mid_period_charges_the_prorated_difference_with_tax() {
    let w = world(at(2026, 3, 1, 0), true, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("basic", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    w.mem.clock.set(at(2026, 3, 16, 12));
    let s = run(w.billing.change_plan(
        &alice(),
        &s.id,
        ChangePlanRequest {
            plan: Some(plan("pro", "30.00", Interval::Month, 0)),
            quantity: None,
        },
    ))
    .unwrap();
    let inv = s.invoices.last().unwrap();
    assert_eq!(inv.kind, InvoiceKind::Proration);
    assert_eq!(inv.amounts.subtotal, eur("10.00")); // −5.00 + 15.00
    assert_eq!(inv.amounts.tax_total, eur("1.90")); // −0.95 + 2.85
    assert_eq!(inv.amounts.amount_due, eur("11.90"));
    assert_eq!(inv.status, InvoiceStatus::Paid);
    assert_eq!(s.plan.id, "pro");
    assert_eq!(s.history.last().unwrap().reason, "1 × basic → 1 × pro");
}

#[test]
fn downgrade_becomes_credit_used_by_the_next_renewal() {
    let w = world(at(2026, 3, 1, 0), false, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "30.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    w.mem.clock.set(at(2026, 3, 16, 12));
    let s = run(w.billing.change_plan(
        &alice(),
        &s.id,
        ChangePlanRequest {
            plan: Some(plan("basic", "10.00", Interval::Month, 0)),
            quantity: None,
        },
    ))
    .unwrap();
    assert_eq!(s.credit_balance, eur("10.00")); // 15.00 credit − 5.00 charge
    run(w.billing.run_renewals(&system(), at(2026, 4, 1, 0))).unwrap();
    let s = run(w.billing.subscription(&system(), &s.id)).unwrap();
    let renewal = s.invoices.last().unwrap();
    assert_eq!(renewal.kind, InvoiceKind::Renewal);
    assert_eq!(
        (renewal.amounts.credit_applied, renewal.amounts.amount_due),
        (eur("10.00"), eur("0.00"))
    );
    assert_eq!(renewal.status, InvoiceStatus::Paid);
    assert_eq!(s.status, S::Active);
    assert_eq!(s.credit_balance, eur("0.00"));
}

#[test]
fn failed_renewal_dunning_then_recovery_with_a_new_card() {
    let w = world(at(2026, 1, 31, 10), false, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    run(w
        .billing
        .update_payment_method(&alice(), &s.id, TOKEN_DECLINE))
    .unwrap();
    let due = at(2026, 2, 28, 10);
    run(w.billing.run_renewals(&system(), due)).unwrap();
    let s1 = run(w.billing.subscription(&system(), &s.id)).unwrap();
    assert_eq!(s1.status, S::PastDue);
    let d = s1.dunning.clone().unwrap();
    assert_eq!(
        (d.attempts_made, d.next_attempt_at),
        (1, due + Duration::days(1))
    );
    // Re-running at the same time makes no new attempt.
    run(w.billing.run_renewals(&system(), due)).unwrap();
    run(w.billing.run_renewals(&system(), due + Duration::hours(23))).unwrap();
    assert_eq!(
        run(w.billing.subscription(&system(), &s.id))
            .unwrap()
            .invoices
            .last()
            .unwrap()
            .attempts
            .len(),
        1
    );
    run(w.billing.run_renewals(&system(), due + Duration::days(1))).unwrap();
    let s2 = run(w.billing.subscription(&system(), &s.id)).unwrap();
    assert_eq!(
        s2.dunning.as_ref().unwrap().next_attempt_at,
        due + Duration::days(3)
    );
    run(w
        .billing
        .update_payment_method(&alice(), &s.id, TOKEN_APPROVE))
    .unwrap();
    let s3 = run(w.billing.retry_payment(&alice(), &s.id)).unwrap();
    assert_eq!(s3.status, S::Active);
    assert!(s3.dunning.is_none());
    let inv = s3.invoices.last().unwrap();
    assert_eq!(inv.status, InvoiceStatus::Paid);
    assert_eq!(
        inv.attempts
            .iter()
            .map(|a| a.outcome.as_str())
            .collect::<Vec<_>>(),
        ["declined", "declined", "approved"]
    );
    let actions: Vec<_> = s3.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["fail_payment", "recover_payment"]);
}

fn exhaust(final_action: FinalAction) -> kassa::billing::Subscription {
    let config = BillingConfig {
        dunning: DunningPolicy {
            retry_days: vec![1, 3],
            final_action,
        },
        ..BillingConfig::default()
    };
    let w = world(at(2026, 1, 1, 0), false, config);
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    run(w
        .billing
        .update_payment_method(&alice(), &s.id, TOKEN_DECLINE))
    .unwrap();
    for day in [1, 2, 3, 4, 5, 10] {
        run(w.billing.run_renewals(&system(), at(2026, 2, day, 0))).unwrap();
    }
    run(w.billing.subscription(&system(), &s.id)).unwrap()
}

#[test]
fn exhausted_dunning_cancels_or_pauses_by_policy() {
    let c = exhaust(FinalAction::Cancel);
    assert_eq!(c.status, S::Cancelled);
    assert_eq!(
        c.invoices.last().unwrap().status,
        InvoiceStatus::Uncollectible
    );
    assert_eq!(c.invoices.last().unwrap().attempts.len(), 3);
    assert_eq!(
        c.history.last().unwrap().reason,
        "3 payment attempts declined"
    );
    assert_eq!(exhaust(FinalAction::Pause).status, S::Paused);
}

#[test]
fn cancel_at_period_end_and_immediately() {
    let w = world(at(2026, 1, 1, 0), false, BillingConfig::default());
    let a = run(w.billing.subscribe(
        &alice(),
        "k1",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    let b = run(w.billing.subscribe(
        &alice(),
        "k2",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    let a = run(w.billing.cancel(&alice(), &a.id, true, "too expensive")).unwrap();
    assert_eq!((a.status, a.cancel_at_period_end), (S::Active, true));
    let b = run(w.billing.cancel(&alice(), &b.id, false, "moved away")).unwrap();
    assert_eq!(b.status, S::Cancelled);
    let err = run(w.billing.cancel(&alice(), &b.id, false, "again")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    run(w.billing.run_renewals(&system(), at(2026, 2, 1, 0))).unwrap();
    let a = run(w.billing.subscription(&alice(), &a.id)).unwrap();
    assert_eq!(a.status, S::Cancelled);
    assert_eq!(a.invoices.len(), 1, "no renewal after cancel-at-period-end");
}

#[test]
fn pause_credits_unused_time_and_resume_bills_a_new_period() {
    let w = world(at(2026, 4, 1, 0), false, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "30.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    w.mem.clock.set(at(2026, 4, 21, 0)); // 10 of 30 days left
    let s = run(w.billing.pause(&alice(), &s.id, "holiday")).unwrap();
    assert_eq!((s.status, s.credit_balance), (S::Paused, eur("10.00")));
    assert!(run(w.billing.run_renewals(&system(), at(2026, 6, 1, 0)))
        .unwrap()
        .items
        .is_empty());
    w.mem.clock.set(at(2026, 6, 10, 0));
    let s = run(w.billing.resume(&alice(), &s.id)).unwrap();
    assert_eq!(s.status, S::Active);
    assert_eq!(
        (s.current_period.start, s.current_period.end),
        (at(2026, 6, 10, 0), at(2026, 7, 10, 0))
    );
    let inv = s.invoices.last().unwrap();
    assert_eq!(
        (inv.kind, inv.amounts.amount_due, inv.status),
        (InvoiceKind::Resume, eur("20.00"), InvoiceStatus::Paid)
    );
}

#[test]
fn unknown_outcome_is_settled_once_by_the_gateway_event() {
    let w = world(at(2026, 1, 1, 0), false, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    run(w
        .billing
        .update_payment_method(&alice(), &s.id, TOKEN_TIMEOUT))
    .unwrap();
    run(w.billing.run_renewals(&system(), at(2026, 2, 1, 0))).unwrap();
    let s1 = run(w.billing.subscription(&system(), &s.id)).unwrap();
    let inv = s1.invoices.last().unwrap().clone();
    assert_eq!((s1.status, inv.status), (S::Active, InvoiceStatus::Open));
    // Re-running does not charge again while the outcome is unknown.
    run(w.billing.run_renewals(&system(), at(2026, 2, 1, 1))).unwrap();
    assert_eq!(w.mem.gateway.charges_for(&inv.id).len(), 1);
    let events = w
        .mem
        .gateway
        .settle(&inv.id, false, at(2026, 2, 1, 2))
        .unwrap();
    let (s2, changed) = run(w.billing.apply_payment_event(&system(), &s.id, &events[0])).unwrap();
    assert!(changed);
    assert_eq!(s2.status, S::PastDue);
    let (s3, changed) = run(w.billing.apply_payment_event(&system(), &s.id, &events[0])).unwrap();
    assert!(!changed);
    assert_eq!(s3.history.len(), s2.history.len());
}

#[test]
fn coupon_discounts_the_given_number_of_periods_and_usage_is_billed_in_arrears() {
    let w = world(at(2026, 1, 1, 0), false, BillingConfig::default());
    let mut p = plan("api", "10.00", Interval::Month, 0);
    p.usage = Some(UsagePricing {
        metric: "calls".into(),
        mode: UsageMode::Graduated,
        tiers: vec![
            UsageTier {
                up_to: Some(1000),
                unit_price: eur("0"),
                flat_fee: None,
            },
            UsageTier {
                up_to: None,
                unit_price: eur("0.002"),
                flat_fee: None,
            },
        ],
        rounding: kassa::RoundingMode::HalfUp,
    });
    let mut req = subscribe_req("alice", p, TOKEN_APPROVE);
    req.coupon = Some(BillingCoupon {
        code: "HALF".into(),
        percent_off: Some("50".parse().unwrap()),
        amount_off: None,
        duration_periods: Some(2),
    });
    let s = run(w.billing.subscribe(&alice(), "k", req)).unwrap();
    run(w.billing.record_usage(&system(), &s.id, "r1", 2500)).unwrap();
    run(w.billing.record_usage(&system(), &s.id, "r1", 2500)).unwrap(); // duplicate record
    for m in 2..=4 {
        run(w.billing.run_renewals(&system(), at(2026, m, 1, 0))).unwrap();
    }
    let s = run(w.billing.subscription(&system(), &s.id)).unwrap();
    let due: Vec<String> = s
        .invoices
        .iter()
        .map(|i| i.amounts.amount_due.amount().to_string())
        .collect();
    // Jan 5.00 (coupon); Feb 10.00 + 3.00 usage, halved = 6.50; Mar, Apr 10.00.
    assert_eq!(due, ["5.00", "6.50", "10.00", "10.00"]);
}

#[test]
fn customers_reach_only_their_own_subscriptions() {
    let w = world(at(2026, 1, 1, 0), false, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    let mallory = Principal::customer("mallory");
    assert_eq!(
        run(w.billing.cancel(&mallory, &s.id, false, "x"))
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        run(w.billing.run_renewals(&mallory, at(2026, 2, 1, 0)))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        run(w.billing.subscribe(
            &mallory,
            "k",
            subscribe_req(
                "alice",
                plan("pro", "10.00", Interval::Month, 0),
                TOKEN_APPROVE
            )
        ))
        .unwrap_err()
        .code,
        ErrorCode::Forbidden
    );
}

#[test]
fn concurrent_renewal_runs_bill_a_period_once() {
    let w = world(at(2026, 1, 1, 0), false, BillingConfig::default());
    let s = run(w.billing.subscribe(
        &alice(),
        "k",
        subscribe_req(
            "alice",
            plan("pro", "10.00", Interval::Month, 0),
            TOKEN_APPROVE,
        ),
    ))
    .unwrap();
    let billing = std::sync::Arc::new(w.billing);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let b = billing.clone();
            std::thread::spawn(move || run(b.run_renewals(&system(), at(2026, 6, 1, 0))).unwrap())
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let s = run(billing.subscription(&system(), &s.id)).unwrap();
    assert_eq!(s.invoices.len(), 6);
    assert!(s.invoices.iter().all(|i| i.status == InvoiceStatus::Paid));
    assert_eq!(w.mem.gateway.charges().len(), 6);
}
