//! The reorder formulas: service-level z, reorder point with safety stock, EOQ, min/max and
//! (s, S), each a pure function over plain numbers.
//!
//! Continuous results (z, safety stock, reorder point, EOQ) are [`Decimal`]s rounded
//! half-even to [`RESULT_DP`] decimals so they print identically on every host; the only float
//! step is the inverse normal CDF, whose z is rounded to [`Z_DP`] decimals before it enters
//! the decimal arithmetic. Square roots are taken in `Decimal` (deterministic everywhere).

use super::normal::inverse_normal_cdf;
use crate::error::{KassaError, Result};
use crate::money::{decimal_string, Money};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Decimals kept in continuous results (reorder point, safety stock, EOQ).
pub const RESULT_DP: u32 = 4;
/// Decimals kept in z (the standard normal quantile of a service level).
pub const Z_DP: u32 = 6;

fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven)
        .normalize()
}

fn sqrt(d: Decimal, field: &str) -> Result<Decimal> {
    d.sqrt()
        .ok_or_else(|| KassaError::validation(field, "cannot take the square root"))
}

fn ceil_units(d: Decimal, field: &str) -> Result<i64> {
    d.ceil()
        .to_i64()
        .ok_or_else(|| KassaError::validation(field, "out of range"))
}

/// Exact powers of ten as `f64` (10^22 is the largest that is exact).
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A probability as `f64`: rounded to 15 significant digits, then `mantissa / 10^scale` in
/// one division, which IEEE rounds correctly when both are exact (mantissa < 2^53, scale
/// ≤ 22): the same `f64` as parsing its decimal text for every value of up to 15 significant
/// digits down to 1e-7. Below that the division takes two steps (within an ulp).
///
/// Not `to_string().parse()`: std's float parser (and its 10 KB power-of-five table) would
/// then be in the wasm module for this one call (docs/performance.md, wasm, "Session 15").
fn probability_to_f64(d: Decimal) -> f64 {
    // 15 significant digits: as many decimals as the scale leaves after the leading zeros
    // (`round_dp`, which the module has anyway, rather than `round_sf`).
    let digits = {
        let mut m = d.mantissa().unsigned_abs();
        let mut n = 0u32;
        while m > 0 {
            m /= 10;
            n += 1;
        }
        n
    };
    let keep = (15 + d.scale()).saturating_sub(digits);
    let d = d
        .round_dp_with_strategy(keep, RoundingStrategy::MidpointNearestEven)
        .normalize();
    // |mantissa| < 10^15 < 2^53 after the rounding: exact as an f64.
    let m = d.mantissa() as f64;
    let scale = d.scale() as usize;
    match EXACT_POW10.get(scale) {
        Some(p) => m / p,
        None => m / 1e22 / EXACT_POW10.get(scale - 22).copied().unwrap_or(1e22),
    }
}

/// z = Φ⁻¹(service level) for a cycle service level strictly between 0 and 1, rounded to
/// [`Z_DP`] decimals (0.95 → 1.644854, 0.99 → 2.326348).
pub fn z_for_service_level(service_level: Decimal) -> Result<Decimal> {
    let field = "serviceLevel";
    if service_level <= Decimal::ZERO || service_level >= Decimal::ONE {
        return Err(KassaError::validation(
            field,
            "must be strictly between 0 and 1",
        ));
    }
    let p = probability_to_f64(service_level);
    let z = inverse_normal_cdf(p)
        .ok_or_else(|| KassaError::validation(field, "must be strictly between 0 and 1"))?;
    let z = Decimal::from_f64_retain(z)
        .ok_or_else(|| KassaError::validation(field, "z out of range"))?;
    Ok(round(z, Z_DP))
}

/// Inputs of [`reorder_point`]: demand per period (mean and standard deviation), the lead
/// time in the same periods, and the cycle service level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderPointInput {
    /// Expected demand per period (≥ 0).
    #[serde(with = "decimal_string")]
    pub demand_per_period: Decimal,
    /// Standard deviation of demand per period (≥ 0).
    #[serde(with = "decimal_string")]
    pub demand_std_dev: Decimal,
    /// Lead time in periods (≥ 0).
    #[serde(with = "decimal_string")]
    pub lead_time_periods: Decimal,
    /// Cycle service level, strictly between 0 and 1 (e.g. `"0.95"`).
    #[serde(with = "decimal_string")]
    pub service_level: Decimal,
}

/// Result of [`reorder_point`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderPointResult {
    /// z for the service level ([`Z_DP`] decimals).
    #[serde(with = "decimal_string")]
    pub z: Decimal,
    /// Demand over the lead time: demand per period × lead time.
    #[serde(with = "decimal_string")]
    pub lead_time_demand: Decimal,
    /// Safety stock: z × σ × √lead time ([`RESULT_DP`] decimals).
    #[serde(with = "decimal_string")]
    pub safety_stock: Decimal,
    /// Reorder point = lead-time demand + safety stock ([`RESULT_DP`] decimals).
    #[serde(with = "decimal_string")]
    pub reorder_point: Decimal,
    /// The reorder point in whole units, rounded up (what a policy compares stock with).
    pub reorder_level: i64,
}

fn non_negative(d: Decimal, field: &str) -> Result<()> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(KassaError::validation(field, "must not be negative"));
    }
    Ok(())
}

/// Reorder point = d̄ × L + z × σ × √L.
pub fn reorder_point(input: &ReorderPointInput) -> Result<ReorderPointResult> {
    non_negative(input.demand_per_period, "demandPerPeriod")?;
    non_negative(input.demand_std_dev, "demandStdDev")?;
    non_negative(input.lead_time_periods, "leadTimePeriods")?;
    let z = z_for_service_level(input.service_level)?;
    let overflow = || KassaError::validation("demandPerPeriod", "out of range");
    let lead_time_demand = input
        .demand_per_period
        .checked_mul(input.lead_time_periods)
        .ok_or_else(overflow)?;
    let safety = z
        .checked_mul(input.demand_std_dev)
        .and_then(|v| v.checked_mul(sqrt(input.lead_time_periods, "leadTimePeriods").ok()?))
        .ok_or_else(overflow)?;
    let safety_stock = round(safety, RESULT_DP);
    let rop = lead_time_demand.checked_add(safety).ok_or_else(overflow)?;
    let reorder_point = round(rop, RESULT_DP);
    Ok(ReorderPointResult {
        z,
        lead_time_demand: lead_time_demand.normalize(),
        safety_stock,
        reorder_level: ceil_units(reorder_point, "reorderPoint")?,
        reorder_point,
    })
}

/// Inputs of [`eoq`]: annual demand D, cost per order S and holding cost per unit per year H
/// (money, same currency).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct EoqInput {
    /// Demand per year in units (≥ 0).
    #[serde(with = "decimal_string")]
    pub annual_demand: Decimal,
    /// Fixed cost of placing one order (S ≥ 0).
    pub ordering_cost: Money,
    /// Cost of holding one unit for a year (H > 0).
    pub holding_cost_per_unit: Money,
}

/// Result of [`eoq`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct EoqResult {
    /// √(2DS/H) ([`RESULT_DP`] decimals).
    #[serde(with = "decimal_string")]
    pub eoq: Decimal,
    /// The EOQ in whole units: rounded half-up, at least 1 when demand is positive.
    pub order_quantity: i64,
}

/// Economic order quantity √(2DS/H).
pub fn eoq(input: &EoqInput) -> Result<EoqResult> {
    non_negative(input.annual_demand, "annualDemand")?;
    if input.ordering_cost.is_negative() {
        return Err(KassaError::validation(
            "orderingCost",
            "must not be negative",
        ));
    }
    if !input.holding_cost_per_unit.is_positive() {
        return Err(KassaError::validation(
            "holdingCostPerUnit",
            "must be positive",
        ));
    }
    if input.ordering_cost.currency() != input.holding_cost_per_unit.currency() {
        return Err(KassaError::validation(
            "holdingCostPerUnit.currency",
            "must be the currency of orderingCost",
        ));
    }
    let ratio = Decimal::TWO
        .checked_mul(input.annual_demand)
        .and_then(|v| v.checked_mul(input.ordering_cost.amount()))
        .and_then(|v| v.checked_div(input.holding_cost_per_unit.amount()))
        .ok_or_else(|| KassaError::validation("annualDemand", "out of range"))?;
    let eoq = round(sqrt(ratio, "annualDemand")?, RESULT_DP);
    let mut units = eoq
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .ok_or_else(|| KassaError::validation("annualDemand", "out of range"))?;
    if units == 0 && input.annual_demand > Decimal::ZERO && !input.ordering_cost.is_zero() {
        units = 1;
    }
    Ok(EoqResult {
        eoq,
        order_quantity: units,
    })
}

/// Why a policy ordered (or did not), and how the quantity was adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum ReorderReason {
    /// Projected stock is at or below the reorder point (R, Q policy).
    AtOrBelowReorderPoint,
    /// Projected stock is at or below min (min/max policy).
    AtOrBelowMin,
    /// Inventory position is at or below s ((s, S) policy).
    AtOrBelowS,
    /// Stock is above the trigger level: nothing to order.
    AboveTrigger,
    /// The quantity was raised to the supplier's minimum order quantity.
    RaisedToMinimumOrderQuantity,
    /// The quantity was rounded up to the order multiple.
    RoundedUpToMultiple,
}

/// A policy's decision: how much to order and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OrderDecision {
    /// Units to order (0 = no order).
    pub quantity: i64,
    /// The trigger reason first, then any quantity adjustments.
    pub reasons: Vec<ReorderReason>,
}

/// Applies the supplier MOQ, then rounds up to the order multiple (both only when ordering).
///
/// Order of operations (documented in docs/inventory.md): raw need → at least the MOQ →
/// rounded up to the multiple, so the result always satisfies both.
pub fn adjust_quantity(
    raw: i64,
    multiple: i64,
    minimum_order_quantity: i64,
    reasons: &mut Vec<ReorderReason>,
) -> Result<i64> {
    if multiple < 1 {
        return Err(KassaError::validation(
            "orderMultiple",
            "must be at least 1",
        ));
    }
    if minimum_order_quantity < 0 {
        return Err(KassaError::validation(
            "minimumOrderQuantity",
            "must not be negative",
        ));
    }
    if raw <= 0 {
        return Ok(0);
    }
    let mut qty = raw;
    if qty < minimum_order_quantity {
        qty = minimum_order_quantity;
        reasons.push(ReorderReason::RaisedToMinimumOrderQuantity);
    }
    let rem = qty % multiple;
    if rem != 0 {
        qty = qty
            .checked_add(multiple - rem)
            .ok_or_else(|| KassaError::validation("orderMultiple", "out of range"))?;
        reasons.push(ReorderReason::RoundedUpToMultiple);
    }
    Ok(qty)
}

/// Inputs of [`min_max`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct MinMaxInput {
    /// Projected stock: on hand − reserved + open purchase orders.
    pub projected: i64,
    /// Order when projected ≤ min.
    pub min: i64,
    /// Order up to max (max ≥ min).
    pub max: i64,
    /// Order multiple (≥ 1; 1 = any quantity).
    #[serde(default = "one")]
    pub order_multiple: i64,
    /// Supplier minimum order quantity (0 = none).
    #[serde(default)]
    pub minimum_order_quantity: i64,
}

fn one() -> i64 {
    1
}

/// Min/max as Odoo does it: when projected ≤ min, order max − projected, raised to the MOQ
/// and rounded UP to the order multiple.
pub fn min_max(input: &MinMaxInput) -> Result<OrderDecision> {
    if input.min < 0 {
        return Err(KassaError::validation("min", "must not be negative"));
    }
    if input.max < input.min {
        return Err(KassaError::validation("max", "must be at least min"));
    }
    if input.projected > input.min {
        return Ok(OrderDecision {
            quantity: 0,
            reasons: vec![ReorderReason::AboveTrigger],
        });
    }
    let mut reasons = vec![ReorderReason::AtOrBelowMin];
    let raw = input
        .max
        .checked_sub(input.projected)
        .ok_or_else(|| KassaError::validation("projected", "out of range"))?;
    let quantity = adjust_quantity(
        raw,
        input.order_multiple,
        input.minimum_order_quantity,
        &mut reasons,
    )?;
    Ok(OrderDecision { quantity, reasons })
}

/// Inputs of [`s_s`]: the (s, S) policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SsInput {
    /// Inventory position: on hand − reserved + on order (may be negative with backorders).
    pub position: i64,
    /// Reorder level s (may be negative: backorders tolerated before ordering).
    pub s: i64,
    /// Order-up-to level S; valid iff S > s.
    #[serde(rename = "S")]
    pub big_s: i64,
    /// Order multiple (≥ 1).
    #[serde(default = "one")]
    pub order_multiple: i64,
    /// Supplier minimum order quantity (0 = none).
    #[serde(default)]
    pub minimum_order_quantity: i64,
}

/// Validates (s, S): valid iff S > s. Nothing else is required: s may be negative
/// (backorder settings) and S = s + 1 is a legal (if busy) policy.
pub fn validate_s_s(s: i64, big_s: i64) -> Result<()> {
    if big_s <= s {
        return Err(KassaError::validation(
            "S",
            format!("S ({big_s}) must be greater than s ({s})"),
        ));
    }
    Ok(())
}

/// (s, S): when the position is at or below s, order S − position (then MOQ and multiple).
pub fn s_s(input: &SsInput) -> Result<OrderDecision> {
    validate_s_s(input.s, input.big_s)?;
    if input.position > input.s {
        return Ok(OrderDecision {
            quantity: 0,
            reasons: vec![ReorderReason::AboveTrigger],
        });
    }
    let mut reasons = vec![ReorderReason::AtOrBelowS];
    let raw = input
        .big_s
        .checked_sub(input.position)
        .ok_or_else(|| KassaError::validation("position", "out of range"))?;
    let quantity = adjust_quantity(
        raw,
        input.order_multiple,
        input.minimum_order_quantity,
        &mut reasons,
    )?;
    Ok(OrderDecision { quantity, reasons })
}

/// (R, Q): when the position is at or below R, order the smallest multiple k·Q that lifts the
/// position above R (then MOQ and order multiple).
pub fn reorder_point_quantity(
    position: i64,
    reorder_level: i64,
    order_quantity: i64,
    order_multiple: i64,
    minimum_order_quantity: i64,
) -> Result<OrderDecision> {
    if order_quantity < 1 {
        return Err(KassaError::validation(
            "orderQuantity",
            "must be at least 1",
        ));
    }
    if position > reorder_level {
        return Ok(OrderDecision {
            quantity: 0,
            reasons: vec![ReorderReason::AboveTrigger],
        });
    }
    let mut reasons = vec![ReorderReason::AtOrBelowReorderPoint];
    let gap = reorder_level
        .checked_sub(position)
        .and_then(|g| g.checked_add(1))
        .ok_or_else(|| KassaError::validation("position", "out of range"))?;
    let batches = gap.div_euclid(order_quantity) + i64::from(gap.rem_euclid(order_quantity) != 0);
    let raw = batches
        .checked_mul(order_quantity)
        .ok_or_else(|| KassaError::validation("orderQuantity", "out of range"))?;
    let quantity = adjust_quantity(raw, order_multiple, minimum_order_quantity, &mut reasons)?;
    Ok(OrderDecision { quantity, reasons })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal_macros::dec;

    proptest::proptest! {
        /// The same `f64` as parsing the decimal text, for up to 15 significant digits.
        #[test]
        fn probability_is_the_parsed_value(m in 1i64..999_999_999_999_999, scale in 0u32..=22) {
            let d = Decimal::new(m, scale);
            let parsed: f64 = d.to_string().parse().unwrap();
            proptest::prop_assert_eq!(probability_to_f64(d).to_bits(), parsed.to_bits());
        }
    }

    #[test]
    fn probability_of_long_and_tiny_values() {
        // 28 decimals: rounded to 15 significant digits first.
        let long = dec!(0.9500000000000000000000000001);
        assert_eq!(probability_to_f64(long), 0.95);
        let tiny = Decimal::new(25, 27);
        assert!((probability_to_f64(tiny) - 2.5e-26).abs() < 1e-40);
    }

    #[test]
    fn z_values() {
        assert_eq!(z_for_service_level(dec!(0.95)).unwrap(), dec!(1.644854));
        assert_eq!(z_for_service_level(dec!(0.99)).unwrap(), dec!(2.326348));
        assert_eq!(z_for_service_level(dec!(0.5)).unwrap(), dec!(0));
        assert!(z_for_service_level(dec!(0)).is_err());
        assert!(z_for_service_level(dec!(1)).is_err());
    }

    #[test]
    fn reorder_point_worked_example() {
        // d = 20/day, σ = 5, L = 4 days, 95 %: 80 + 1.644854 × 5 × 2 = 96.44854.
        let r = reorder_point(&ReorderPointInput {
            demand_per_period: dec!(20),
            demand_std_dev: dec!(5),
            lead_time_periods: dec!(4),
            service_level: dec!(0.95),
        })
        .unwrap();
        assert_eq!(r.lead_time_demand, dec!(80));
        assert_eq!(r.safety_stock, dec!(16.4485));
        assert_eq!(r.reorder_point, dec!(96.4485));
        assert_eq!(r.reorder_level, 97);
        // L = 9: 20 × 9 + 2.326348 × 3 × 3 = 180 + 20.937132.
        let r = reorder_point(&ReorderPointInput {
            demand_per_period: dec!(20),
            demand_std_dev: dec!(3),
            lead_time_periods: dec!(9),
            service_level: dec!(0.99),
        })
        .unwrap();
        assert_eq!(r.reorder_point, dec!(200.9371));
        assert_eq!(r.reorder_level, 201);
    }

    #[test]
    fn eoq_worked_examples() {
        let usd = |a| Money::new(a, Currency::USD);
        // √(2 × 1200 × 50 / 6) = √20000 = 141.421356…
        let r = eoq(&EoqInput {
            annual_demand: dec!(1200),
            ordering_cost: usd(dec!(50)),
            holding_cost_per_unit: usd(dec!(6)),
        })
        .unwrap();
        assert_eq!((r.eoq, r.order_quantity), (dec!(141.4214), 141));
        // √(2 × 5000 × 100 / 4) = √250000 = 500 exactly.
        let r = eoq(&EoqInput {
            annual_demand: dec!(5000),
            ordering_cost: usd(dec!(100)),
            holding_cost_per_unit: usd(dec!(4)),
        })
        .unwrap();
        assert_eq!((r.eoq, r.order_quantity), (dec!(500), 500));
    }

    #[test]
    fn min_max_worked_examples() {
        let run = |projected, min, max, multiple, moq| {
            min_max(&MinMaxInput {
                projected,
                min,
                max,
                order_multiple: multiple,
                minimum_order_quantity: moq,
            })
            .unwrap()
            .quantity
        };
        assert_eq!(run(7, 10, 50, 12, 0), 48); // 43 → 48
        assert_eq!(run(10, 10, 50, 12, 0), 48); // at min: 40 → 48
        assert_eq!(run(11, 10, 50, 12, 0), 0);
        assert_eq!(run(2, 10, 50, 1, 0), 48); // no multiple: exactly max − projected
        assert_eq!(run(45, 45, 50, 12, 24), 24); // 5 → MOQ 24
        assert_eq!(run(45, 45, 50, 10, 24), 30); // 5 → 24 → multiple of 10
        assert_eq!(run(-6, 0, 20, 5, 0), 30); // backorders: 26 → 30
    }

    #[test]
    fn s_s_validation_and_examples() {
        let run = |position, s, big_s| {
            s_s(&SsInput {
                position,
                s,
                big_s,
                order_multiple: 1,
                minimum_order_quantity: 0,
            })
        };
        assert_eq!(run(3, 5, 20).unwrap().quantity, 17);
        assert_eq!(run(9, 9, 10).unwrap().quantity, 1); // s = S − 1 is valid
        assert_eq!(run(-4, -2, 10).unwrap().quantity, 14); // negative s is valid
        assert_eq!(run(-20, -10, -5).unwrap().quantity, 15); // both negative, S > s
        assert_eq!(run(6, 5, 20).unwrap().quantity, 0);
        assert!(run(0, 10, 10).is_err());
        assert!(run(0, 10, 9).is_err());
        assert!(validate_s_s(-1, 0).is_ok());
    }

    #[test]
    fn r_q_orders_whole_batches() {
        let d = reorder_point_quantity(2, 30, 25, 1, 0).unwrap();
        assert_eq!(d.quantity, 50); // 2 + 25 = 27 ≤ 30, 2 + 50 = 52 > 30
        assert_eq!(
            reorder_point_quantity(31, 30, 25, 1, 0).unwrap().quantity,
            0
        );
        assert_eq!(
            reorder_point_quantity(30, 30, 25, 1, 0).unwrap().quantity,
            25
        );
    }
}
