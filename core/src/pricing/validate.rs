//! Validation of a [`PricingInput`]: every problem is reported with its field path.

use super::{
    Action, Coupon, PricingInput, Promotion, ShippingCalculation, ShippingRate, Target, TaxRule,
};
use crate::error::{FieldError, KassaError, Result};
use crate::money::{Currency, Money};
use std::collections::HashSet;

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

    fn unique_id<'a>(
        &mut self,
        seen: &mut HashSet<&'a str>,
        field: impl FnOnce() -> String,
        id: &'a str,
    ) {
        if id.trim().is_empty() {
            self.fail(field(), "must not be empty");
        } else if !seen.insert(id) {
            self.fail(field(), format!("duplicate id '{id}'"));
        }
    }
}

/// Checks the whole input; the error lists every problem found. Returns the line indices
/// sorted by line id (the deterministic order of allocations and tie-breaks).
pub(super) fn validate(input: &PricingInput) -> Result<Vec<usize>> {
    let mut c = Check {
        currency: input.context.currency,
        details: Vec::new(),
    };
    let lines = &input.lines;
    for (i, line) in lines.iter().enumerate() {
        if line.line_id.trim().is_empty() {
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
    let mut order: Vec<usize> = (0..lines.len()).collect();
    // Lines usually come sorted by id with no duplicate: one comparison per pair then
    // settles both the order and the duplicate check below.
    let strictly_sorted = lines.windows(2).all(|w| match w {
        [a, b] => a.line_id < b.line_id,
        _ => true,
    });
    if !strictly_sorted {
        order.sort_unstable_by(|a, b| {
            let (x, y) = (lines.get(*a), lines.get(*b));
            x.map(|l| l.line_id.as_str())
                .cmp(&y.map(|l| l.line_id.as_str()))
                .then(a.cmp(b))
        });
    }
    for pair in order.windows(2).filter(|_| !strictly_sorted) {
        if let [a, b] = pair {
            if let (Some(x), Some(y)) = (lines.get(*a), lines.get(*b)) {
                if x.line_id == y.line_id && !x.line_id.trim().is_empty() {
                    c.fail(
                        format!("lines[{b}].lineId"),
                        format!("duplicate id '{}'", y.line_id),
                    );
                }
            }
        }
    }
    let mut promo_ids = HashSet::new();
    for (i, p) in input.promotions.iter().enumerate() {
        c.unique_id(&mut promo_ids, || format!("promotions[{i}].id"), &p.id);
        promotion(&mut c, i, p);
    }
    let mut codes = HashSet::new();
    for (i, coupon) in input.coupons.iter().enumerate() {
        let code = super::compute::normalize_code(&coupon.code);
        if code.is_empty() {
            c.fail(format!("coupons[{i}].code"), "must not be empty");
        } else if !codes.insert(code) {
            c.fail(
                format!("coupons[{i}].code"),
                format!("duplicate code '{}'", coupon.code),
            );
        }
        self::coupon(&mut c, i, coupon, &promo_ids);
    }
    for (i, code) in input.coupon_codes.iter().enumerate() {
        if code.trim().is_empty() {
            c.fail(format!("couponCodes[{i}]"), "must not be empty");
        }
    }
    let mut rule_ids = HashSet::new();
    let mut rule_keys = HashSet::new();
    for (i, rule) in input.tax_rules.iter().enumerate() {
        c.unique_id(&mut rule_ids, || format!("taxRules[{i}].id"), &rule.id);
        tax_rule(&mut c, i, rule, &mut rule_keys);
    }
    let mut rate_ids = HashSet::new();
    for (i, rate) in input.shipping_rates.iter().enumerate() {
        c.unique_id(&mut rate_ids, || format!("shippingRates[{i}].id"), &rate.id);
        shipping_rate(&mut c, i, rate);
    }
    if let Some(method) = &input.shipping_method {
        if !rate_ids.contains(method.as_str()) {
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
            let mut mins = HashSet::new();
            for (j, tier) in tiers.iter().enumerate() {
                if tier.min.is_sign_negative() && !tier.min.is_zero() {
                    c.fail(
                        at(&format!("action.tiers[{j}].min")),
                        "must not be negative",
                    );
                } else if !mins.insert(tier.min.normalize()) {
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

fn coupon(c: &mut Check, i: usize, coupon: &Coupon, promo_ids: &HashSet<&str>) {
    if !promo_ids.contains(coupon.promotion_id.as_str()) {
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

fn tax_rule<'a>(
    c: &mut Check,
    i: usize,
    rule: &'a TaxRule,
    keys: &mut HashSet<(&'a str, &'a str)>,
) {
    if rule.rate.is_sign_negative() && !rule.rate.is_zero() {
        c.fail(format!("taxRules[{i}].rate"), "must not be negative");
    }
    if !keys.insert((rule.region.as_str(), rule.tax_class.as_str())) {
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
            let mut seen = HashSet::new();
            for (j, tier) in tiers.iter().enumerate() {
                c.amount(
                    || at(&format!("calculation.tiers[{j}].price")),
                    &tier.price,
                    false,
                    true,
                );
                if !seen.insert(tier.max_grams) {
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
            let mut seen = HashSet::new();
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
                if !seen.insert(tier.min_subtotal.amount().normalize()) {
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
