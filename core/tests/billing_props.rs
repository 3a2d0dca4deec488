//! Property tests of billing: period invoices sum to the plan price, proration reconciles
//! to the minor unit, repeated renewal runs never bill a period twice, month-end anchors
//! hold over ten years.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod billing_common;

use billing_common::*;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use kassa::billing::{
    prorate, Interval, InvoiceKind, Period, PeriodSchedule, ProrationInput, ProrationRounding,
};
use kassa::engine::BillingConfig;
use kassa::memory::TOKEN_APPROVE;
use kassa::{Money, RoundingMode};
use proptest::prelude::*;
use std::collections::HashSet;

fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .unwrap()
        .pred_opt()
        .unwrap()
        .day()
}

/// Half-up rounding of `num / den` in integers (independent of `Decimal`).
fn div_half_up(num: i128, den: i128) -> i128 {
    (2 * num + den) / (2 * den)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Month-end anchors over 10 years: every period starts on min(anchor day, month
    /// length) at the anchor's local time, periods are contiguous, and `period_at` finds
    /// each period from any instant inside it.
    #[test]
    fn month_end_anchors_hold_for_ten_years(
        year in 1990i32..2090,
        month in 1u32..=12,
        day in 28u32..=31,
        hour in 0u32..24,
        offset_h in -12i32..=14,
        probe in 0.0f64..1.0,
    ) {
        let day = day.min(days_in_month(year, month));
        let offset = offset_h * 3600;
        let tz = chrono::FixedOffset::east_opt(offset).unwrap();
        let local = tz.with_ymd_and_hms(year, month, day, hour, 0, 0).single().unwrap();
        let s = PeriodSchedule {
            anchor: local.to_utc(),
            interval: Interval::Month,
            interval_count: 1,
            utc_offset_seconds: offset,
        };
        let mut prev_end: Option<DateTime<Utc>> = None;
        for n in 0..120u32 {
            let p = s.period(n).unwrap();
            let l = p.start.with_timezone(&tz);
            let months = (year * 12 + month as i32 - 1) + n as i32;
            let (ey, em) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
            prop_assert_eq!((l.year(), l.month()), (ey, em));
            prop_assert_eq!(l.day(), day.min(days_in_month(ey, em)));
            prop_assert_eq!(l.hour(), hour);
            if let Some(e) = prev_end { prop_assert_eq!(e, p.start); }
            prev_end = Some(p.end);
            let inside = p.start + Duration::seconds((p.seconds() as f64 * probe) as i64);
            prop_assert_eq!(s.period_at(inside).unwrap(), p);
        }
    }

    /// Proration to the minor unit: credit and charge equal an independent integer
    /// half-up computation, `used + credit = old`, `net = charge − credit`, and a change to
    /// the same amount nets to zero.
    #[test]
    fn proration_reconciles_exactly(
        old_minor in 0i64..10_000_000,
        new_minor in 0i64..10_000_000,
        days in 1i64..=366,
        at_frac in 0.0f64..1.0,
    ) {
        let start = at(2025, 1, 31, 9);
        let period = Period { index: 0, start, end: start + Duration::days(days) };
        let total = period.seconds();
        let t = start + Duration::seconds(((total as f64) * at_frac) as i64);
        let cur = kassa::Currency::from_code("EUR").unwrap();
        let (old, new) = (Money::from_minor(old_minor, cur), Money::from_minor(new_minor, cur));
        let p = prorate(&ProrationInput { period, at: t, old_amount: old, new_amount: new, rounding: ProrationRounding::default() }).unwrap();
        let unused = (period.end - t).num_seconds() as i128;
        prop_assert_eq!(p.credit.to_minor().unwrap(), div_half_up(old_minor as i128 * unused, total as i128));
        prop_assert_eq!(p.charge.to_minor().unwrap(), div_half_up(new_minor as i128 * unused, total as i128));
        prop_assert_eq!(p.used.checked_add(&p.credit).unwrap(), old);
        prop_assert_eq!(p.net, p.charge.checked_sub(&p.credit).unwrap());
        prop_assert!(!p.credit.is_negative() && p.credit.cmp_amount(&old).unwrap().is_le());
        prop_assert!(p.charge.cmp_amount(&new).unwrap().is_le());
        let same = prorate(&ProrationInput { period, at: t, old_amount: old, new_amount: old, rounding: ProrationRounding::default() }).unwrap();
        prop_assert!(same.net.is_zero());
        let down = prorate(&ProrationInput { period, at: t, old_amount: old, new_amount: new, rounding: ProrationRounding { credit: RoundingMode::Down, charge: RoundingMode::Up } }).unwrap();
        prop_assert!(down.credit.cmp_amount(&p.credit).unwrap().is_le());
        prop_assert!(down.charge.cmp_amount(&p.charge).unwrap().is_ge());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// For an unchanged subscription, each period's invoices sum to price × seats (tax
    /// added on top exactly by the 19 % rule), and repeated, out-of-order renewal runs never
    /// bill a period twice nor charge the gateway twice for one.
    #[test]
    fn repeated_renewal_runs_bill_each_period_once(
        price_minor in 1i64..100_000,
        seats in 1u32..5,
        day in 1u32..=31,
        interval in prop::sample::select(vec![Interval::Day, Interval::Week, Interval::Month, Interval::Year]),
        runs in prop::collection::vec((0i64..400 * 86_400, 1usize..3), 1..12),
        vat in any::<bool>(),
    ) {
        let start = at(2024, 1, day, 10);
        let w = world(start, vat, BillingConfig::default());
        let cur = kassa::Currency::from_code("EUR").unwrap();
        let price = Money::from_minor(price_minor, cur);
        let mut p = plan("basic", &price.amount().to_string(), interval, 0);
        p.price = price;
        let mut req = subscribe_req("c1", p, TOKEN_APPROVE);
        req.quantity = seats;
        let sub = run(w.billing.subscribe(&kassa::engine::Principal::customer("c1"), "k1", req)).unwrap();
        let mut times: Vec<DateTime<Utc>> = runs.iter().map(|(s, _)| start + Duration::seconds(*s)).collect();
        let latest = *times.iter().max().unwrap();
        // Out of order and repeated.
        for ((_, reps), t) in runs.iter().zip(times.iter_mut()) {
            for _ in 0..*reps {
                w.mem.clock.set(*t);
                run(w.billing.run_renewals(&system(), *t)).unwrap();
            }
        }
        let s = run(w.billing.subscription(&system(), &sub.id)).unwrap();
        let mut starts = HashSet::new();
        let per_period = price.times(u64::from(seats)).unwrap();
        for inv in s.invoices.iter().filter(|i| i.kind.is_period()) {
            prop_assert!(starts.insert(inv.period.start), "period {} billed twice", inv.period.start);
            prop_assert_eq!(inv.amounts.subtotal, per_period);
            let tax = if vat { per_period.checked_mul("0.19".parse().unwrap()).unwrap().round(RoundingMode::HalfUp) } else { Money::zero(cur) };
            prop_assert_eq!(inv.amounts.tax_total, tax);
            prop_assert_eq!(inv.amounts.total, per_period.checked_add(&tax).unwrap());
            let sum = kassa::Money::sum(cur, inv.amounts.lines.iter().map(|l| &l.total)).unwrap();
            prop_assert_eq!(sum, inv.amounts.total);
        }
        // Exactly the periods that started by the latest run are billed.
        let expected = (0..).take_while(|n| s.schedule.start_of(*n).unwrap() <= latest).count();
        prop_assert_eq!(starts.len(), expected);
        prop_assert_eq!(s.invoices.iter().filter(|i| i.kind == InvoiceKind::Initial).count(), 1);
        // One gateway charge per invoice.
        prop_assert_eq!(w.mem.gateway.charges().len(), s.invoices.len());
    }
}
