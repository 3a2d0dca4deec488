//! The whole input of [`price_cart`](super::price_cart).

use super::{Coupon, PricingLine, Promotion, ShippingRate, TaxRule};
use crate::money::{Currency, RoundingMode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything pricing needs: lines already resolved against the catalog, the rules, and the
/// context. The serde form is the `pricing.price_cart` request of the cross-host vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PricingInput {
    /// Cart lines with their catalog unit prices.
    pub lines: Vec<PricingLine>,
    /// Promotions that may apply (any order; stacking order is priority, then id).
    #[serde(default)]
    pub promotions: Vec<Promotion>,
    /// Codes the customer entered (`a`–`z` matched case-insensitively; duplicates count once).
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// Coupon definitions with their current usage counts.
    #[serde(default)]
    pub coupons: Vec<Coupon>,
    /// Tax rules; a line without a rule for its region and class is not taxed.
    #[serde(default)]
    pub tax_rules: Vec<TaxRule>,
    /// Shipping rates; none means the cart has no shipping.
    #[serde(default)]
    pub shipping_rates: Vec<ShippingRate>,
    /// The chosen shipping rate id; none picks the cheapest available rate (ties by id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    /// Who buys, where, in which currency, and when.
    pub context: PricingContext,
    /// Rounding modes at each rounding point, and the tax rounding level.
    #[serde(default)]
    pub rounding: RoundingSettings,
    /// How promotions combine.
    #[serde(default)]
    pub stacking: StackingPolicy,
}

/// Who buys, where, in which currency, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PricingContext {
    /// Tax and shipping region (compared exactly with rules' regions).
    pub region: String,
    /// The cart's currency; every amount of the input must be in it.
    pub currency: Currency,
    /// The customer, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Groups the customer belongs to.
    #[serde(default)]
    pub customer_groups: Vec<String>,
    /// Whether this would be the customer's first order.
    #[serde(default)]
    pub first_order: bool,
    /// The instant promotions and coupons are evaluated at.
    pub now: DateTime<Utc>,
}

/// The rounding mode at each named rounding point (see docs/pricing.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct RoundingSettings {
    /// `line_subtotal`: unit price × quantity to the minor unit.
    pub line_subtotal: RoundingMode,
    /// `discount`: each computed discount to the minor unit.
    pub discount: RoundingMode,
    /// `tax`: each computed tax amount to the minor unit.
    pub tax: RoundingMode,
    /// Where tax is rounded: per unit, per line, or once per rate over the cart.
    pub tax_level: TaxRoundingLevel,
}

impl Default for RoundingSettings {
    fn default() -> Self {
        RoundingSettings {
            line_subtotal: RoundingMode::HalfUp,
            discount: RoundingMode::HalfUp,
            tax: RoundingMode::HalfUp,
            tax_level: TaxRoundingLevel::PerLine,
        }
    }
}

/// Where tax is rounded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum TaxRoundingLevel {
    /// Tax of one unit is rounded, then multiplied by the quantity.
    PerUnit,
    /// Tax of each line is rounded.
    #[default]
    PerLine,
    /// Tax is rounded once per rate over the whole cart, then allocated to the lines exactly.
    PerTotal,
}

/// How promotions combine.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum StackingPolicy {
    /// The first eligible exclusive promotion that gives a discount applies alone; otherwise
    /// every eligible non-exclusive promotion applies in priority order until a stop-after.
    #[default]
    Priority,
    /// Like `priority`, but the customer gets whichever is larger: the stack of
    /// non-exclusive promotions or one exclusive promotion alone.
    BestDeal,
}

/// The rules of a [`Pricer`](super::Pricer): everything of a [`PricingInput`] that stays the
/// same from one cart to the next. The serde form is the rule fields of the
/// `pricing.price_cart` request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PricingRules {
    /// Promotions that may apply (any order; stacking order is priority, then id).
    #[serde(default)]
    pub promotions: Vec<Promotion>,
    /// Coupon definitions with their current usage counts.
    #[serde(default)]
    pub coupons: Vec<Coupon>,
    /// Tax rules; a line without a rule for its region and class is not taxed.
    #[serde(default)]
    pub tax_rules: Vec<TaxRule>,
    /// Shipping rates; none means carts have no shipping.
    #[serde(default)]
    pub shipping_rates: Vec<ShippingRate>,
    /// Rounding modes at each rounding point, and the tax rounding level.
    #[serde(default)]
    pub rounding: RoundingSettings,
    /// How promotions combine.
    #[serde(default)]
    pub stacking: StackingPolicy,
}

/// One cart to price under a [`Pricer`](super::Pricer)'s rules: the per-request fields of a
/// [`PricingInput`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PricingCart {
    /// Cart lines with their catalog unit prices.
    pub lines: Vec<PricingLine>,
    /// Codes the customer entered (`a`–`z` matched case-insensitively; duplicates count once).
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// The chosen shipping rate id; none picks the cheapest available rate (ties by id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    /// Who buys, where, in which currency, and when.
    pub context: PricingContext,
}

/// A borrowed [`PricingInput`]: what the pricer reads, whether the rules and the cart come in
/// one request or the rules are held by a [`Pricer`](super::Pricer) across carts.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    pub(super) lines: &'a [PricingLine],
    pub(super) promotions: &'a [Promotion],
    pub(super) coupon_codes: &'a [String],
    pub(super) coupons: &'a [Coupon],
    pub(super) tax_rules: &'a [TaxRule],
    pub(super) shipping_rates: &'a [ShippingRate],
    pub(super) shipping_method: Option<&'a str>,
    pub(super) context: &'a PricingContext,
    pub(super) rounding: RoundingSettings,
    pub(super) stacking: StackingPolicy,
}

impl<'a> View<'a> {
    pub(super) fn of_input(input: &'a PricingInput) -> Self {
        View {
            lines: &input.lines,
            promotions: &input.promotions,
            coupon_codes: &input.coupon_codes,
            coupons: &input.coupons,
            tax_rules: &input.tax_rules,
            shipping_rates: &input.shipping_rates,
            shipping_method: input.shipping_method.as_deref(),
            context: &input.context,
            rounding: input.rounding,
            stacking: input.stacking,
        }
    }

    pub(super) fn of_parts(rules: &'a PricingRules, cart: &'a PricingCart) -> Self {
        View {
            lines: &cart.lines,
            promotions: &rules.promotions,
            coupon_codes: &cart.coupon_codes,
            coupons: &rules.coupons,
            tax_rules: &rules.tax_rules,
            shipping_rates: &rules.shipping_rates,
            shipping_method: cart.shipping_method.as_deref(),
            context: &cart.context,
            rounding: rules.rounding,
            stacking: rules.stacking,
        }
    }
}
