//! Properties of `pricing::price_cart` (proptest), and the pricing vector blesser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod pricing_common;

use kassa::pricing::{price_cart, PricingCart, PricingInput, PricingRules};
use pricing_common::split;
use serde_json::Value;
use std::path::Path;

/// Every pricing vector gives the same result, or the same error with the same field paths,
/// through a `Pricer` holding its rules as through `price_cart`; the rules and the cart also
/// decode from the vector's one request, so the two serde forms agree.
#[test]
fn pricer_agrees_with_price_cart_on_every_vector() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/pricing");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if case["operation"] != "pricing.price_cart" {
            continue;
        }
        let Ok(input) = serde_json::from_value::<PricingInput>(case["input"].clone()) else {
            continue; // a vector of a request that does not decode at all
        };
        let (pricer, cart) = split(&input);
        let rules: PricingRules = serde_json::from_value(case["input"].clone()).unwrap();
        let decoded: PricingCart = serde_json::from_value(case["input"].clone()).unwrap();
        assert_eq!(&rules, pricer.rules(), "{}", path.display());
        assert_eq!(decoded, cart, "{}", path.display());
        match (price_cart(&input), pricer.price(&cart)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", path.display()),
            (Err(a), Err(b)) => {
                assert_eq!(
                    (a.code, a.details),
                    (b.code, b.details),
                    "{}",
                    path.display()
                )
            }
            (a, b) => panic!("{}: {a:?} vs {b:?}", path.display()),
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} pricing vectors found");
}

/// Fills `expected` / `expectedError` of pricing vectors that lack them, after checking the
/// hand-computed figures in their `handChecked` map (JSON pointer → value) against the
/// result. Run with `cargo test -p kassa --test pricing_props -- --ignored bless`.
#[test]
#[ignore = "writes vector files; run by hand when adding vectors"]
fn bless_pricing_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/pricing");
    let mut bad = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let mut case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if case.get("expected").is_some() || case.get("expectedError").is_some() {
            continue;
        }
        let input = serde_json::from_value(case["input"].clone());
        let result = input
            .map_err(|e| kassa::KassaError::validation("input", e.to_string()))
            .and_then(|i| price_cart(&i));
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let out = match result {
            Ok(cart) => serde_json::to_value(cart).unwrap(),
            Err(e) => {
                let field = e.details.first().map(|d| d.field.clone());
                let mut err = serde_json::json!({"code": e.code.as_str()});
                if let Some(f) = field {
                    err["field"] = Value::String(f);
                }
                err
            }
        };
        let mut ok = true;
        if let Some(checks) = case.get("handChecked").and_then(Value::as_object) {
            for (pointer, want) in checks {
                let got = out.pointer(pointer);
                if got != Some(want) {
                    bad.push(format!("{name}: {pointer}: want {want}, got {got:?}"));
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        let key = if out.get("code").is_some() && out.get("lines").is_none() {
            "expectedError"
        } else {
            "expected"
        };
        case[key] = out;
        std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
    }
    assert!(bad.is_empty(), "hand checks failed:\n{}", bad.join("\n"));
}

mod props {
    use super::split;
    use chrono::{TimeZone, Utc};
    use kassa::pricing::*;
    use kassa::{Currency, Decimal, Money, RoundingMode};
    use proptest::prelude::*;

    fn usd(minor: i64, dp: u32) -> Money {
        Money::new(Decimal::new(minor, dp), Currency::USD)
    }

    fn mode() -> impl Strategy<Value = RoundingMode> {
        prop_oneof![
            Just(RoundingMode::HalfEven),
            Just(RoundingMode::HalfUp),
            Just(RoundingMode::HalfDown),
            Just(RoundingMode::Up),
            Just(RoundingMode::Down),
        ]
    }

    fn line(i: usize) -> impl Strategy<Value = PricingLine> {
        (
            0usize..4,
            0usize..3,
            prop::collection::vec(0usize..3, 0..3),
            1u32..6,
            (0i64..20_000, prop::bool::weighted(0.2)),
            any::<bool>(),
            prop::bool::weighted(0.7),
            0u64..3000,
        )
            .prop_map(
                move |(sku, product, cats, quantity, (price, fine), incl, std, w)| PricingLine {
                    line_id: format!("l{i}").into(),
                    sku: format!("S{sku}"),
                    product_id: format!("P{product}"),
                    category_ids: cats.into_iter().map(|c| format!("C{c}")).collect(),
                    quantity,
                    unit_price: if fine { usd(price, 3) } else { usd(price, 2) },
                    tax_inclusive: incl,
                    tax_class: if std { "standard" } else { "reduced" }.to_owned(),
                    weight_grams: w,
                    compare_at: None,
                },
            )
    }

    fn percent() -> impl Strategy<Value = Decimal> {
        (1i64..=10_000).prop_map(|p| Decimal::new(p, 2))
    }

    fn target() -> impl Strategy<Value = Target> {
        prop_oneof![
            3 => Just(Target::Order),
            1 => (0usize..3).prop_map(|p| Target::Products { ids: vec![format!("P{p}")] }),
            1 => (0usize..4).prop_map(|s| Target::Variants { skus: vec![format!("S{s}")] }),
            1 => (0usize..3).prop_map(|c| Target::Categories { ids: vec![format!("C{c}")] }),
            1 => Just(Target::Shipping),
        ]
    }

    fn action(shipping: bool) -> BoxedStrategy<Action> {
        let common = prop_oneof![
            percent().prop_map(|percent| Action::PercentOff { percent }),
            (1i64..5000).prop_map(|a| Action::AmountOff {
                amount: usd(a, 2),
                per_unit: false
            }),
            Just(Action::FreeShipping),
        ];
        if shipping {
            return common.boxed();
        }
        prop_oneof![
            common,
            (1i64..500).prop_map(|a| Action::AmountOff {
                amount: usd(a, 2),
                per_unit: true
            }),
            (0i64..5000).prop_map(|a| Action::FixedPrice {
                unit_price: usd(a, 2)
            }),
            (1u32..3, 1u32..3, percent()).prop_map(|(buy, get, percent)| Action::BuyXGetY {
                buy,
                get,
                percent
            }),
            (any::<bool>(), percent(), percent()).prop_map(|(q, p1, p2)| Action::Tiered {
                basis: if q {
                    TierBasis::Quantity
                } else {
                    TierBasis::Spend
                },
                tiers: vec![
                    Tier {
                        min: Decimal::from(2),
                        percent: p1
                    },
                    Tier {
                        min: Decimal::from(6),
                        percent: p2
                    },
                ],
            }),
        ]
        .boxed()
    }

    fn promotion(i: usize) -> impl Strategy<Value = Promotion> {
        (
            target(),
            -2i32..3,
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
            prop::option::weighted(0.2, 0i64..10_000),
            any::<bool>(),
        )
            .prop_flat_map(
                move |(target, priority, exclusive, stop_after, min, coupon)| {
                    let shipping = matches!(target, Target::Shipping);
                    action(shipping).prop_map(move |action| Promotion {
                        id: format!("promo{i}").into(),
                        name: String::new(),
                        priority,
                        exclusive,
                        stop_after,
                        conditions: Conditions {
                            min_subtotal: min.map(|m| usd(m, 2)),
                            coupon_required: coupon && i == 0,
                            ..Conditions::default()
                        },
                        target: target.clone(),
                        action,
                    })
                },
            )
    }

    fn lines() -> impl Strategy<Value = Vec<PricingLine>> {
        (1usize..8).prop_flat_map(|n| (0..n).map(line).collect::<Vec<_>>())
    }

    fn promotions() -> impl Strategy<Value = Vec<Promotion>> {
        (0usize..5).prop_flat_map(|n| (0..n).map(promotion).collect::<Vec<_>>())
    }

    pub fn input() -> impl Strategy<Value = PricingInput> {
        (
            lines(),
            promotions(),
            (any::<bool>(), 0u32..3),
            (0i64..2000, prop::option::of(0i64..20_000), any::<bool>()),
            (mode(), mode(), mode(), 0usize..3, any::<bool>()),
        )
            .prop_map(
                |(lines, promotions, (entered, used), (ship, free, tiers), rounding)| {
                    let (line_subtotal, discount, tax, level, best) = rounding;
                    let has_promo0 = !promotions.is_empty();
                    let calculation = if tiers {
                        ShippingCalculation::WeightTiers {
                            tiers: vec![
                                WeightTier {
                                    max_grams: 2000,
                                    price: usd(ship, 2),
                                },
                                WeightTier {
                                    max_grams: 20_000,
                                    price: usd(ship * 2, 2),
                                },
                            ],
                        }
                    } else {
                        ShippingCalculation::Flat {
                            price: usd(ship, 2),
                        }
                    };
                    PricingInput {
                        lines,
                        promotions,
                        coupon_codes: if entered {
                            vec![" code0 ".into()]
                        } else {
                            vec![]
                        },
                        coupons: vec![Coupon {
                            code: "CODE0".into(),
                            promotion_id: "promo0".into(),
                            usage_limit: Some(2),
                            times_used: used,
                            per_customer_limit: None,
                            customer_times_used: 0,
                            starts_at: None,
                            ends_at: None,
                            min_spend: None,
                        }]
                        .into_iter()
                        .filter(|_| entered && has_promo0)
                        .collect(),
                        tax_rules: vec![
                            TaxRule {
                                id: "std".into(),
                                region: "R".into(),
                                tax_class: "standard".into(),
                                rate: Decimal::new(20, 2),
                            },
                            TaxRule {
                                id: "red".into(),
                                region: "R".into(),
                                tax_class: "reduced".into(),
                                rate: Decimal::new(725, 4),
                            },
                        ],
                        shipping_rates: vec![
                            ShippingRate {
                                id: "ship".into(),
                                regions: vec![],
                                calculation,
                                free_over: free.map(|f| usd(f, 2)),
                            },
                            ShippingRate {
                                id: "flat".into(),
                                regions: vec![],
                                calculation: ShippingCalculation::Flat {
                                    price: usd(1500, 2),
                                },
                                free_over: None,
                            },
                        ],
                        shipping_method: None,
                        context: PricingContext {
                            region: "R".into(),
                            currency: Currency::USD,
                            customer_id: Some("c".into()),
                            customer_groups: vec![],
                            first_order: false,
                            now: Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap(),
                        },
                        rounding: RoundingSettings {
                            line_subtotal,
                            discount,
                            tax,
                            tax_level: [
                                TaxRoundingLevel::PerUnit,
                                TaxRoundingLevel::PerLine,
                                TaxRoundingLevel::PerTotal,
                            ][level],
                        },
                        stacking: if best {
                            StackingPolicy::BestDeal
                        } else {
                            StackingPolicy::Priority
                        },
                    }
                },
            )
    }

    fn sum(items: impl Iterator<Item = Money>) -> Decimal {
        items.map(|m| m.amount()).sum()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// grandTotal = Σ line totals + shipping total; line total = net (+ tax when
        /// exclusive); totals agree with the lines; tax total = included + added.
        #[test]
        fn totals_add_up(input in input()) {
            let cart = price_cart(&input).unwrap();
            let t = &cart.totals;
            let ship = cart.shipping.as_ref().map_or(Decimal::ZERO, |s| s.total.amount());
            prop_assert_eq!(t.grand_total.amount(), sum(cart.lines.iter().map(|l| l.total())) + ship);
            prop_assert_eq!(t.shipping_total.amount(), ship);
            for l in &cart.lines {
                let want = if l.tax_inclusive { l.net().amount() } else { l.net().amount() + l.tax().amount() };
                prop_assert_eq!(l.total().amount(), want);
                prop_assert_eq!(l.net().amount(), l.subtotal().amount() - l.discount_total().amount());
            }
            prop_assert_eq!(t.subtotal.amount(), sum(cart.lines.iter().map(|l| l.subtotal())));
            prop_assert_eq!(t.discount_total.amount(), sum(cart.lines.iter().map(|l| l.discount_total())));
            prop_assert_eq!(t.tax_total.amount(), t.tax_included.amount() + t.tax_added.amount());
            prop_assert_eq!(t.tax_total.amount(), sum(cart.lines.iter().map(|l| l.tax())));
            prop_assert_eq!(t.tax_total.amount(), sum(cart.taxes.iter().map(|x| x.tax)));
            prop_assert_eq!(t.total_excluding_tax.amount(), t.grand_total.amount() - t.tax_total.amount());
        }

        /// No discount exceeds what it applies to; nothing is negative.
        #[test]
        fn discounts_bounded_and_nothing_negative(input in input()) {
            let cart = price_cart(&input).unwrap();
            for l in &cart.lines {
                prop_assert!(!l.discount_total().is_negative());
                prop_assert!(l.discount_total().amount() <= l.subtotal().amount());
                prop_assert!(l.discounts.iter().all(|d| d.amount.is_positive()));
                prop_assert!(!l.net().is_negative() && !l.tax().is_negative() && !l.total().is_negative());
                if l.tax_inclusive {
                    prop_assert!(l.tax().amount() <= l.net().amount());
                }
            }
            if let Some(s) = &cart.shipping {
                prop_assert!(s.discount_total.amount() <= s.price.amount());
                prop_assert!(!s.total.is_negative());
            }
            prop_assert!(cart.applied_promotions.iter().all(|p| p.amount.is_positive()));
            let t = &cart.totals;
            for m in [t.subtotal, t.discount_total, t.shipping_total, t.tax_total, t.grand_total, t.total_excluding_tax] {
                prop_assert!(!m.is_negative(), "{:?}", t);
            }
        }

        /// Every amount is in minor units, and each promotion's amount is exactly the sum of
        /// its shares on lines and shipping.
        #[test]
        fn allocation_exact(input in input()) {
            let cart = price_cart(&input).unwrap();
            for l in &cart.lines {
                for m in [l.subtotal(), l.discount_total(), l.net(), l.tax(), l.total()] {
                    prop_assert!(m.is_rounded(), "{m}");
                }
                prop_assert_eq!(l.discount_total().amount(), sum(l.discounts.iter().map(|d| d.amount)));
            }
            for p in &cart.applied_promotions {
                prop_assert!(p.amount.is_rounded());
                let on_lines = sum(cart.lines.iter().flat_map(|l| &l.discounts)
                    .filter(|d| d.promotion_id == p.promotion_id).map(|d| d.amount));
                let on_ship = cart.shipping.as_ref().map_or(Decimal::ZERO, |s| sum(s.discounts.iter()
                    .filter(|d| d.promotion_id == p.promotion_id).map(|d| d.amount)));
                prop_assert_eq!(p.amount.amount(), on_lines + on_ship);
            }
            let rejected: Vec<_> = cart.rejected_promotions.iter().map(|r| &r.promotion_id).collect();
            prop_assert_eq!(cart.applied_promotions.len() + rejected.len(), input.promotions.len());
        }

        /// A `Pricer` holding the rules prices every cart exactly as `price_cart` does.
        #[test]
        fn pricer_is_price_cart(input in input()) {
            let (pricer, cart) = split(&input);
            prop_assert_eq!(price_cart(&input).unwrap(), pricer.price(&cart).unwrap());
        }

        /// Reordering lines and promotions changes nothing but the order of the output lines.
        #[test]
        fn invariant_under_reordering(
            (input, line_perm, promo_perm) in input().prop_flat_map(|i| {
                let lp = Just((0..i.lines.len()).collect::<Vec<_>>()).prop_shuffle();
                let pp = Just((0..i.promotions.len()).collect::<Vec<_>>()).prop_shuffle();
                (Just(i), lp, pp)
            })
        ) {
            let base = price_cart(&input).unwrap();
            let mut shuffled = input.clone();
            shuffled.lines = line_perm.iter().map(|&i| input.lines[i].clone()).collect();
            shuffled.promotions = promo_perm.iter().map(|&i| input.promotions[i].clone()).collect();
            let mut other = price_cart(&shuffled).unwrap();
            other.lines.sort_by(|a, b| a.line_id.cmp(&b.line_id));
            let mut base_sorted = base.clone();
            base_sorted.lines.sort_by(|a, b| a.line_id.cmp(&b.line_id));
            prop_assert_eq!(base_sorted, other);
        }

        /// Feeding the priced lines (unit price, quantity) back prices to the same cart.
        #[test]
        fn repricing_is_stable(input in input()) {
            let first = price_cart(&input).unwrap();
            let mut again = input.clone();
            again.lines = first.lines.iter().map(|pl| {
                let mut l = input.lines.iter().find(|l| l.line_id == pl.line_id).unwrap().clone();
                l.unit_price = pl.unit_price;
                l.quantity = pl.quantity;
                l
            }).collect();
            prop_assert_eq!(first, price_cart(&again).unwrap());
        }
    }
}
