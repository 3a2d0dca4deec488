//! Promotions and coupons: what a discount is, what it applies to, and when.

use crate::money::{decimal_string, Money};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A promotion: conditions, a target, an action, and its place in the stacking order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Promotion {
    /// Unique id; also the final tie-break of the stacking order. Shared (not copied) by
    /// every discount, applied and rejected entry that names the promotion.
    pub id: Arc<str>,
    /// Human-readable name (display only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Stacking order: lower numbers apply first; equal priorities apply in `id` order.
    #[serde(default)]
    pub priority: i32,
    /// When this promotion applies, no other promotion does (see docs/pricing.md).
    #[serde(default)]
    pub exclusive: bool,
    /// When this promotion is eligible, promotions after it in the stacking order are skipped.
    #[serde(default)]
    pub stop_after: bool,
    /// What must hold for the promotion to apply.
    #[serde(default)]
    pub conditions: Conditions,
    /// What the action discounts.
    pub target: Target,
    /// How much it discounts.
    pub action: Action,
}

/// Conditions of a promotion; every condition given must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    /// The cart's merchandise subtotal before any discount must reach this amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_subtotal: Option<Money>,
    /// The units of the targeted lines (all lines for order and shipping targets) must reach this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quantity: Option<u32>,
    /// The customer must belong to at least one of these groups (empty: anyone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_groups: Vec<String>,
    /// Valid from this instant (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    /// Valid until this instant (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// The promotion applies only through a valid entered coupon that names it.
    #[serde(default)]
    pub coupon_required: bool,
    /// Only a customer's first order qualifies.
    #[serde(default)]
    pub first_order_only: bool,
}

/// What a promotion discounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Target {
    /// Every line of the cart; percentage, amount-across and tiered actions on the order
    /// are order-level discounts spread over the lines.
    Order,
    /// Lines whose product id is one of `ids`.
    Products {
        /// Product ids.
        ids: Vec<String>,
    },
    /// Lines whose SKU (variant) is one of `skus`.
    Variants {
        /// SKUs.
        skus: Vec<String>,
    },
    /// Lines with at least one category (including ancestors) among `ids`.
    Categories {
        /// Category ids.
        ids: Vec<String>,
    },
    /// The selected shipping rate.
    Shipping,
}

/// How a promotion computes its discount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    /// `percent` (0 < p ≤ 100, e.g. `"15"`) off the targeted amount.
    PercentOff {
        /// Percentage, a decimal string.
        #[serde(with = "decimal_string")]
        percent: Decimal,
    },
    /// A fixed amount off: per targeted unit, or once across all targeted lines.
    AmountOff {
        /// The amount (positive, in the cart's currency).
        amount: Money,
        /// `true`: off every targeted unit; `false`: once, spread over the targeted lines.
        #[serde(default)]
        per_unit: bool,
    },
    /// Every targeted unit costs `unitPrice` (never raises a price).
    FixedPrice {
        /// The promotional unit price (not negative, in the cart's currency).
        unit_price: Money,
    },
    /// For every `buy + get` targeted units, the `get` cheapest get `percent` off (100: free).
    BuyXGetY {
        /// Units to buy per group (at least 1).
        buy: u32,
        /// Discounted units per group (at least 1).
        get: u32,
        /// Percentage off the discounted units; default 100 (free).
        #[serde(default = "hundred", with = "decimal_string")]
        percent: Decimal,
    },
    /// A percentage off chosen by the highest tier reached by quantity or spend.
    Tiered {
        /// What the tiers measure.
        basis: TierBasis,
        /// Tiers; the highest `min` not above the measure wins.
        tiers: Vec<Tier>,
    },
    /// The shipping price becomes zero (the target is ignored).
    FreeShipping,
}

fn hundred() -> Decimal {
    Decimal::ONE_HUNDRED
}

/// What a tiered promotion measures over its targeted lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// Units of the targeted lines.
    Quantity,
    /// Subtotal of the targeted lines before discounts, in the cart's currency.
    Spend,
}

/// One tier of a [`Action::Tiered`] promotion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// Threshold (units, or an amount of the cart's currency), a decimal string.
    #[serde(with = "decimal_string")]
    pub min: Decimal,
    /// Percentage off once the threshold is reached (0 < p ≤ 100).
    #[serde(with = "decimal_string")]
    pub percent: Decimal,
}

/// A coupon definition with its current usage counts (as read by the engine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    /// The code; `a`–`z` matched case-insensitively, surrounding spaces ignored.
    pub code: String,
    /// The promotion this coupon unlocks.
    pub promotion_id: String,
    /// Redemptions allowed overall (none: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_limit: Option<u32>,
    /// Redemptions so far overall.
    #[serde(default)]
    pub times_used: u32,
    /// Redemptions allowed per customer (none: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer_limit: Option<u32>,
    /// Redemptions so far by this cart's customer.
    #[serde(default)]
    pub customer_times_used: u32,
    /// Valid from this instant (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    /// Valid until this instant (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// The merchandise subtotal before discounts must reach this amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spend: Option<Money>,
}
