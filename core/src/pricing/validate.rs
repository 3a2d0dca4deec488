//! Validation of a [`PricingInput`](super::PricingInput): every problem is reported with its field path.

use super::input::View;
use super::repeats::Repeats;
use super::text::text_less;
use super::{Action, Coupon, Promotion, ShippingCalculation, ShippingRate, Target, TaxRule};
use crate::error::{FieldError, KassaError, Result};
use crate::money::{Currency, Money};

struct Check {
    currency: Currency,
    details: Vec<FieldError>,
}

impl Check {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.details.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// An amount in the cart's currency, not negative, and (when `rounded`) in minor units.
    fn amount(&mut self, field: impl FnOnce() -> String, m: &Money, positive: bool, rounded: bool) {
        let ok = m.currency() == self.currency
            && !(m.is_negative() || (positive && m.is_zero()))
            && (!rounded || m.is_rounded());
        if ok {
            return;
        }
        let field = field();
        if m.currency() != self.currency {
            self.fail(
                format!("{field}.currency"),
                format!("must be {}, the cart's currency", self.currency),
            );
        } else if m.is_negative() || (positive && m.is_zero()) {
            let what = if positive { "positive" } else { "not negative" };
            self.fail(format!("{field}.amount"), format!("must be {what}"));
        } else if rounded && !m.is_rounded() {
            self.fail(
                format!("{field}.amount"),
                format!("must have at most {} decimals", self.currency.minor_units()),
            );
        }
    }

    fn percent(&mut self, field: impl FnOnce() -> String, p: rust_decimal::Decimal) {
        if p <= rust_decimal::Decimal::ZERO || p > rust_decimal::Decimal::ONE_HUNDRED {
            self.fail(field(), "must be above 0 and at most 100");
        }
    }

    /// Entry `i` of an id list: not empty, and not the id of an earlier entry.
    fn unique_id<'a>(
        &mut self,
        field: impl FnOnce() -> String,
        ids: impl Fn(usize) -> Option<&'a str>,
        i: usize,
        repeats: &Repeats,
    ) {
        let Some(id) = ids(i) else { return };
        if id.trim().is_empty() {
            self.fail(field(), "must not be empty");
        } else if repeats.at(i, |j| id_key(ids(j))) {
            self.fail(field(), format!("duplicate id '{id}'"));
        }
    }
}

/// Whether an id is empty once trimmed; ids start with a visible ASCII character nearly
/// always, which answers without scanning both ends.
fn blank(id: &str) -> bool {
    match id.as_bytes().first() {
        Some(b) if b.is_ascii() && !char::from(*b).is_whitespace() => false,
        _ => id.trim().is_empty(),
    }
}

/// An id as a duplicate key: empty ids are reported as such, never as duplicates.
fn id_key(id: Option<&str>) -> Option<&str> {
    id.filter(|s| !s.trim().is_empty())
}

/// Whether `id` is one of the (non-empty) ids of a list.
fn has_id<'a>(mut ids: impl Iterator<Item = &'a str>, id: &str) -> bool {
    ids.any(|x| x == id && !x.trim().is_empty())
}

/// Checks the whole input; the error lists every problem found. Returns the line indices
/// sorted by line id (the deterministic order of allocations and tie-breaks), or none when
/// that is the input order.
pub(super) fn validate(input: View<'_>) -> Result<Vec<usize>> {
    let mut c = Check {
        currency: input.context.currency,
        details: Vec::new(),
    };
    let lines = &input.lines;
    // Targeted line indices are held as `u32` (compute::Targets).
    if u32::try_from(lines.len()).is_err() {
        c.fail("lines", format!("at most {} lines", u32::MAX));
    }
    for (i, line) in lines.iter().enumerate() {
        if blank(&line.line_id) {
            c.fail(format!("lines[{i}].lineId"), "must not be empty");
        }
        if line.quantity == 0 {
            c.fail(format!("lines[{i}].quantity"), "must be at least 1");
        }
        c.amount(
            || format!("lines[{i}].unitPrice"),
            &line.unit_price,
            false,
            false,
        );
    }
    // Lines usually come sorted by id with no duplicate: one comparison per pair then
    // settles both the order and the duplicate check below, and no index vector is built.
    let strictly_sorted = lines.windows(2).all(|w| match w {
        [a, b] => text_less(&a.line_id, &b.line_id),
        _ => true,
    });
    let mut order: Vec<usize> = Vec::new();
    if !strictly_sorted {
        order.extend(0..lines.len());
        crate::sorting::sort_unstable_by(&mut order, |a, b| {
            let (x, y) = (lines.get(*a), lines.get(*b));
            x.map(|l| &*l.line_id)
                .cmp(&y.map(|l| &*l.line_id))
                .then(a.cmp(b))
        });
    }
    for pair in order.windows(2).filter(|_| !strictly_sorted) {
        if let [a, b] = pair {
            if let (Some(x), Some(y)) = (lines.get(*a), lines.get(*b)) {
                if x.line_id == y.line_id && !blank(&x.line_id) {
                    c.fail(
                        format!("lines[{b}].lineId"),
                        format!("duplicate id '{}'", y.line_id),
                    );
                }
            }
        }
    }
    let promos = &input.promotions;
    let promo_id = |i: usize| promos.get(i).map(|p| &*p.id);
    let repeats = Repeats::new(promos.len(), |j| id_key(promo_id(j)));
    for (i, p) in promos.iter().enumerate() {
        c.unique_id(|| format!("promotions[{i}].id"), promo_id, i, &repeats);
        promotion(&mut c, i, p);
    }
    let codes: Vec<String> = input
        .coupons
        .iter()
        .map(|coupon| super::compute::normalize_code(&coupon.code))
        .collect();
    let code_key = |j: usize| codes.get(j).filter(|code| !code.is_empty());
    let repeats = Repeats::new(codes.len(), code_key);
    for (i, (coupon, code)) in input.coupons.iter().zip(&codes).enumerate() {
        if code.is_empty() {
            c.fail(format!("coupons[{i}].code"), "must not be empty");
        } else if repeats.at(i, code_key) {
            c.fail(
                format!("coupons[{i}].code"),
                format!("duplicate code '{}'", coupon.code),
            );
        }
        let known = has_id(promos.iter().map(|p| &*p.id), &coupon.promotion_id);
        self::coupon(&mut c, i, coupon, known);
    }
    for (i, code) in input.coupon_codes.iter().enumerate() {
        if code.trim().is_empty() {
            c.fail(format!("couponCodes[{i}]"), "must not be empty");
        }
    }
    let rules = &input.tax_rules;
    let rule_id = |i: usize| rules.get(i).map(|r| r.id.as_str());
    let repeats = Repeats::new(rules.len(), |j| id_key(rule_id(j)));
    let rule_key = |j: usize| {
        rules
            .get(j)
            .map(|r| (r.region.as_str(), r.tax_class.as_str()))
    };
    let key_repeats = Repeats::new(rules.len(), rule_key);
    for (i, rule) in rules.iter().enumerate() {
        c.unique_id(|| format!("taxRules[{i}].id"), rule_id, i, &repeats);
        tax_rule(&mut c, i, rule, key_repeats.at(i, rule_key));
    }
    let rates = &input.shipping_rates;
    let rate_id = |i: usize| rates.get(i).map(|r| r.id.as_str());
    let repeats = Repeats::new(rates.len(), |j| id_key(rate_id(j)));
    for (i, rate) in rates.iter().enumerate() {
        c.unique_id(|| format!("shippingRates[{i}].id"), rate_id, i, &repeats);
        shipping_rate(&mut c, i, rate);
    }
    if let Some(method) = &input.shipping_method {
        if !has_id(rates.iter().map(|r| r.id.as_str()), method) {
            c.fail(
                "shippingMethod",
                format!("unknown shipping rate '{method}'"),
            );
        }
    }
    if c.details.is_empty() {
        Ok(order)
    } else {
        Err(KassaError::validation_many(c.details))
    }
}

fn promotion(c: &mut Check, i: usize, p: &Promotion) {
    let at = |f: &str| format!("promotions[{i}].{f}");
    if let Some(min) = &p.conditions.min_subtotal {
        c.amount(|| at("conditions.minSubtotal"), min, false, false);
    }
    if let (Some(s), Some(e)) = (p.conditions.starts_at, p.conditions.ends_at) {
        if e <= s {
            c.fail(at("conditions.endsAt"), "must be after startsAt");
        }
    }
    match &p.target {
        Target::Products { ids } | Target::Categories { ids } if ids.is_empty() => {
            c.fail(at("target.ids"), "must not be empty")
        }
        Target::Variants { skus } if skus.is_empty() => {
            c.fail(at("target.skus"), "must not be empty")
        }
        _ => {}
    }
    let shipping = matches!(p.target, Target::Shipping);
    match &p.action {
        Action::PercentOff { percent } => c.percent(|| at("action.percent"), *percent),
        Action::AmountOff { amount, per_unit } => {
            c.amount(|| at("action.amount"), amount, true, true);
            if *per_unit && shipping {
                c.fail(at("action.perUnit"), "a shipping discount has no units");
            }
        }
        Action::FixedPrice { unit_price } => {
            c.amount(|| at("action.unitPrice"), unit_price, false, true);
            if shipping {
                c.fail(at("target"), "fixed_price cannot target shipping");
            }
        }
        Action::BuyXGetY { buy, get, percent } => {
            if *buy == 0 {
                c.fail(at("action.buy"), "must be at least 1");
            }
            if *get == 0 {
                c.fail(at("action.get"), "must be at least 1");
            }
            c.percent(|| at("action.percent"), *percent);
            if shipping {
                c.fail(at("target"), "buy_x_get_y cannot target shipping");
            }
        }
        Action::Tiered { tiers, .. } => {
            if tiers.is_empty() {
                c.fail(at("action.tiers"), "must not be empty");
            }
            // Negative minimums are reported as such, never as duplicates.
            let min_key = |k: usize| {
                tiers
                    .get(k)
                    .map(|t| t.min)
                    .filter(|m| !m.is_sign_negative() || m.is_zero())
                    .map(|m| m.normalize())
            };
            let repeats = Repeats::new(tiers.len(), min_key);
            for (j, tier) in tiers.iter().enumerate() {
                if tier.min.is_sign_negative() && !tier.min.is_zero() {
                    c.fail(
                        at(&format!("action.tiers[{j}].min")),
                        "must not be negative",
                    );
                } else if repeats.at(j, min_key) {
                    c.fail(at(&format!("action.tiers[{j}].min")), "duplicate tier");
                }
                c.percent(|| at(&format!("action.tiers[{j}].percent")), tier.percent);
            }
            if shipping {
                c.fail(at("target"), "tiered cannot target shipping");
            }
        }
        Action::FreeShipping => {}
    }
}

fn coupon(c: &mut Check, i: usize, coupon: &Coupon, known_promotion: bool) {
    if !known_promotion {
        c.fail(
            format!("coupons[{i}].promotionId"),
            format!("unknown promotion '{}'", coupon.promotion_id),
        );
    }
    if let Some(min) = &coupon.min_spend {
        c.amount(|| format!("coupons[{i}].minSpend"), min, false, false);
    }
    if let (Some(s), Some(e)) = (coupon.starts_at, coupon.ends_at) {
        if e <= s {
            c.fail(format!("coupons[{i}].endsAt"), "must be after startsAt");
        }
    }
}

fn tax_rule(c: &mut Check, i: usize, rule: &TaxRule, repeats_region_and_class: bool) {
    if rule.rate.is_sign_negative() && !rule.rate.is_zero() {
        c.fail(format!("taxRules[{i}].rate"), "must not be negative");
    }
    if repeats_region_and_class {
        c.fail(
            format!("taxRules[{i}].taxClass"),
            format!(
                "a rule for region '{}' and class '{}' already exists",
                rule.region, rule.tax_class
            ),
        );
    }
}

fn shipping_rate(c: &mut Check, i: usize, rate: &ShippingRate) {
    let at = |f: &str| format!("shippingRates[{i}].{f}");
    match &rate.calculation {
        ShippingCalculation::Flat { price } => {
            c.amount(|| at("calculation.price"), price, false, true)
        }
        ShippingCalculation::WeightTiers { tiers } => {
            if tiers.is_empty() {
                c.fail(at("calculation.tiers"), "must not be empty");
            }
            let max_key = |k: usize| tiers.get(k).map(|t| t.max_grams);
            let repeats = Repeats::new(tiers.len(), max_key);
            for (j, tier) in tiers.iter().enumerate() {
                c.amount(
                    || at(&format!("calculation.tiers[{j}].price")),
                    &tier.price,
                    false,
                    true,
                );
                if repeats.at(j, max_key) {
                    c.fail(
                        at(&format!("calculation.tiers[{j}].maxGrams")),
                        "duplicate tier",
                    );
                }
            }
        }
        ShippingCalculation::PriceTiers { tiers } => {
            if !tiers.iter().any(|t| t.min_subtotal.is_zero()) {
                c.fail(at("calculation.tiers"), "needs a tier with minSubtotal 0");
            }
            let min_key = |k: usize| tiers.get(k).map(|t| t.min_subtotal.amount().normalize());
            let repeats = Repeats::new(tiers.len(), min_key);
            for (j, tier) in tiers.iter().enumerate() {
                c.amount(
                    || at(&format!("calculation.tiers[{j}].price")),
                    &tier.price,
                    false,
                    true,
                );
                c.amount(
                    || at(&format!("calculation.tiers[{j}].minSubtotal")),
                    &tier.min_subtotal,
                    false,
                    false,
                );
                if repeats.at(j, min_key) {
                    c.fail(
                        at(&format!("calculation.tiers[{j}].minSubtotal")),
                        "duplicate tier",
                    );
                }
            }
        }
    }
    if let Some(free) = &rate.free_over {
        c.amount(|| at("freeOver"), free, false, false);
    }
}
