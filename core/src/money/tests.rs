use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

#[test]
fn currency_table_is_sorted_unique_and_complete_for_common_codes() {
    let codes: Vec<&str> = currency_table::CURRENCIES.iter().map(|c| c.0).collect();
    assert_eq!(
        currency_table::NAMES.len(),
        codes.len(),
        "one name per currency"
    );
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        codes, sorted,
        "table must be sorted and unique for binary search"
    );
    assert!(codes.len() >= 170);
    assert_eq!(Currency::from_code("jpy").unwrap().minor_units(), 0);
    assert_eq!(Currency::from_code("USD").unwrap().minor_units(), 2);
    assert_eq!(Currency::from_code("KWD").unwrap().minor_units(), 3);
    assert_eq!(Currency::from_code("CLF").unwrap().minor_units(), 4);
    assert_eq!(Currency::USD.numeric_code(), 840);
    assert_eq!(Currency::EUR.name(), "Euro");
    assert_eq!(Currency::from_code("USD").unwrap(), Currency::USD);
    assert_eq!(
        Currency::from_code("XYZ").unwrap_err().code,
        crate::ErrorCode::ValidationError
    );
    assert_eq!(Currency::all().count(), codes.len());
}

#[test]
fn parse_and_print_are_canonical() {
    assert_eq!(
        Money::parse("12.3", "USD").unwrap().amount_string(),
        "12.30"
    );
    assert_eq!(Money::parse("1200", "JPY").unwrap().amount_string(), "1200");
    assert_eq!(
        Money::parse("1.005", "KWD").unwrap().to_string(),
        "1.005 KWD"
    );
    assert_eq!(
        Money::parse("0.335", "USD").unwrap().amount_string(),
        "0.335"
    );
    assert_eq!(Money::parse("-5", "EUR").unwrap().amount_string(), "-5.00");
    for bad in ["", "abc", "1e3", "NaN", "1,000.00", "--1", "1.2.3", "."] {
        assert!(Money::parse(bad, "USD").is_err(), "{bad} should be refused");
    }
}

#[test]
fn serde_uses_strings_and_refuses_numbers() {
    let m = Money::parse("19.9", "EUR").unwrap();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"amount":"19.90","currency":"EUR"}"#);
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    assert!(serde_json::from_str::<Money>(r#"{"amount":19.9,"currency":"EUR"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"ZZZ"}"#).is_err());
}

#[test]
fn cross_currency_arithmetic_is_an_error() {
    let usd = Money::parse("1", "USD").unwrap();
    let eur = Money::parse("1", "EUR").unwrap();
    let err = usd.checked_add(&eur).unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::ValidationError);
    assert_eq!(err.details[0].field, "currency");
    assert!(usd.checked_sub(&eur).is_err());
    assert!(usd.min(&eur).is_err());
}

#[test]
fn rounding_modes_on_ties() {
    let cases = [
        (dec!(2.345), RoundingMode::HalfEven, dec!(2.34)),
        (dec!(2.355), RoundingMode::HalfEven, dec!(2.36)),
        (dec!(2.345), RoundingMode::HalfUp, dec!(2.35)),
        (dec!(2.345), RoundingMode::HalfDown, dec!(2.34)),
        (dec!(2.341), RoundingMode::Up, dec!(2.35)),
        (dec!(2.349), RoundingMode::Down, dec!(2.34)),
        (dec!(-2.345), RoundingMode::HalfUp, dec!(-2.35)),
        (dec!(-2.341), RoundingMode::Up, dec!(-2.35)),
        (dec!(-2.349), RoundingMode::Down, dec!(-2.34)),
    ];
    for (v, mode, want) in cases {
        assert_eq!(
            Money::new(v, Currency::USD).round(mode).amount(),
            want,
            "{v} {mode:?}"
        );
    }
    assert_eq!(
        Money::new(dec!(0.5), Currency::JPY)
            .round(RoundingMode::HalfEven)
            .amount(),
        dec!(0)
    );
    assert_eq!(
        Money::new(dec!(1.0005), Currency::KWD)
            .round(RoundingMode::HalfUp)
            .amount(),
        dec!(1.001)
    );
}

#[test]
fn allocation_examples() {
    let m = Money::parse("100.00", "USD").unwrap();
    let parts = m.split(3).unwrap();
    let s: Vec<String> = parts.iter().map(|p| p.amount_string()).collect();
    assert_eq!(s, ["33.34", "33.33", "33.33"]);
    let parts = Money::parse("0.05", "USD")
        .unwrap()
        .allocate(&[dec!(0.3), dec!(0.7)])
        .unwrap();
    assert_eq!(
        parts.iter().map(|p| p.amount_string()).collect::<Vec<_>>(),
        ["0.02", "0.03"]
    );
    let parts = Money::parse("-10", "JPY").unwrap().split(3).unwrap();
    assert_eq!(
        parts.iter().map(|p| p.amount_string()).collect::<Vec<_>>(),
        ["-4", "-3", "-3"]
    );
    assert!(m.allocate(&[]).is_err());
    assert!(m.allocate(&[dec!(0), dec!(0)]).is_err());
    assert!(m.allocate(&[dec!(1), dec!(-1)]).is_err());
    assert!(Money::parse("0.335", "USD").unwrap().split(2).is_err());
    assert_eq!(
        Money::parse("7", "USD")
            .unwrap()
            .allocate(&[dec!(0), dec!(1)])
            .unwrap()[0]
            .amount(),
        dec!(0)
    );
}

#[test]
fn minor_units_round_trip() {
    assert_eq!(
        Money::from_minor(1234, Currency::USD).amount_string(),
        "12.34"
    );
    assert_eq!(
        Money::parse("12.3", "USD").unwrap().to_minor().unwrap(),
        1230
    );
    assert_eq!(
        Money::parse("1.005", "KWD").unwrap().to_minor().unwrap(),
        1005
    );
    assert!(Money::parse("1.005", "USD").unwrap().to_minor().is_err());
}

fn weights() -> impl Strategy<Value = Vec<Decimal>> {
    prop::collection::vec((0u32..10_000, 0u32..4), 1..20)
        .prop_map(|v| {
            v.into_iter()
                .map(|(m, s)| Decimal::new(i64::from(m), s))
                .collect()
        })
        .prop_filter("not all zero", |w: &Vec<Decimal>| {
            w.iter().any(|d| !d.is_zero())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn allocation_is_exact_and_fair(units in -10_000_000i64..10_000_000, w in weights()) {
        let m = Money::from_minor(units, Currency::USD);
        let parts = m.allocate(&w).unwrap();
        prop_assert_eq!(parts.len(), w.len());
        prop_assert_eq!(Money::sum(Currency::USD, &parts).unwrap(), m);
        let total_w: Decimal = w.iter().sum();
        for (p, wi) in parts.iter().zip(&w) {
            prop_assert!(p.is_rounded());
            let exact = m.amount() * *wi / total_w;
            // Each part is within one minor unit of its exact share.
            prop_assert!((p.amount() - exact).abs() < dec!(0.01) + dec!(0.0000001));
            if wi.is_zero() { prop_assert!(p.is_zero()); }
        }
    }

    #[test]
    fn allocation_is_deterministic(units in 0i64..1_000_000, w in weights()) {
        let m = Money::from_minor(units, Currency::KWD);
        prop_assert_eq!(m.allocate(&w).unwrap(), m.allocate(&w).unwrap());
    }

    #[test]
    fn rounding_is_within_half_unit_and_idempotent(mantissa in -1_000_000_000i64..1_000_000_000, scale in 0u32..8) {
        let m = Money::new(Decimal::new(mantissa, scale), Currency::USD);
        for mode in [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown] {
            let r = m.round(mode);
            prop_assert!((r.amount() - m.amount()).abs() <= dec!(0.005));
            prop_assert_eq!(r.round(mode), r);
        }
        let up = m.round(RoundingMode::Up);
        let down = m.round(RoundingMode::Down);
        prop_assert!(up.amount().abs() >= m.amount().abs());
        prop_assert!(down.amount().abs() <= m.amount().abs());
    }

    #[test]
    fn string_round_trip(mantissa in any::<i64>(), scale in 0u32..10) {
        let m = Money::new(Decimal::new(mantissa, scale), Currency::EUR);
        let back = Money::parse(&m.amount_string(), "EUR").unwrap();
        prop_assert_eq!(back, m);
    }
}
