//! The priced cart: amounts per line, shipping, taxes, totals and the explanation.

use crate::money::{decimal_string, Currency, Money};
use rust_decimal::Decimal;
use serde::Serialize;
use smallvec::SmallVec;
use std::sync::Arc;

/// The result of [`price_cart`](super::price_cart).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PricedCart {
    /// The cart's currency.
    pub currency: Currency,
    /// Priced lines, in input order.
    pub lines: Vec<PricedLine>,
    /// The selected shipping rate and its price, if the cart ships.
    pub shipping: Option<PricedShipping>,
    /// Tax per tax rule, ordered by rule id.
    pub taxes: Vec<TaxAmount>,
    /// Cart totals.
    pub totals: Totals,
    /// Promotions that gave a discount, in the order they applied.
    pub applied_promotions: Vec<AppliedPromotion>,
    /// Promotions that did not apply, ordered by id, each with its reason.
    pub rejected_promotions: Vec<RejectedPromotion>,
    /// The outcome of every entered coupon code, ordered by normalized code.
    pub coupons: Vec<CouponOutcome>,
}

/// One priced line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PricedLine {
    /// The line id (shared with the input line).
    pub line_id: Arc<str>,
    /// Units.
    pub quantity: u32,
    /// Catalog unit price, as given.
    pub unit_price: Money,
    /// Unit price × quantity, rounded (`line_subtotal` point).
    pub subtotal: Money,
    /// Discounts on this line, in the order the promotions applied (order-level shares included).
    pub discounts: LineDiscounts,
    /// Sum of `discounts`.
    pub discount_total: Money,
    /// `subtotal − discountTotal`: what the customer pays for the line, in the line's price basis.
    pub net: Money,
    /// Whether prices of this line include tax.
    pub tax_inclusive: bool,
    /// Tax rate as a fraction (`"0.2"`), zero when untaxed.
    #[serde(with = "decimal_string")]
    pub tax_rate: Decimal,
    /// Tax of the line (contained in `net` when tax-inclusive, added to it otherwise).
    pub tax: Money,
    /// What the line adds to the grand total: `net`, plus `tax` when tax-exclusive.
    pub total: Money,
}

/// The discounts of one line: up to two are held inline, so pricing allocates nothing per
/// line for them (a line rarely gets more). Serializes as a plain JSON array.
pub type LineDiscounts = SmallVec<[LineDiscount; 2]>;

/// A discount on a line, attributed to a promotion.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineDiscount {
    /// The promotion that gave it (shared with the input promotion).
    pub promotion_id: Arc<str>,
    /// The amount (positive).
    pub amount: Money,
}

/// The shipping of the cart.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PricedShipping {
    /// The shipping rate used.
    pub rate_id: String,
    /// Its price before promotions (zero when a `freeOver` threshold is reached).
    pub price: Money,
    /// Shipping discounts, in the order the promotions applied.
    pub discounts: Vec<LineDiscount>,
    /// Sum of `discounts`.
    pub discount_total: Money,
    /// `price − discountTotal`.
    pub total: Money,
}

/// Tax collected under one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxAmount {
    /// The rule id.
    pub tax_rule_id: String,
    /// The rate as a fraction.
    #[serde(with = "decimal_string")]
    pub rate: Decimal,
    /// Sum of the taxed lines' amounts excluding tax.
    pub taxable: Money,
    /// Sum of the taxed lines' tax.
    pub tax: Money,
}

/// Cart totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Sum of line subtotals (each in its line's price basis).
    pub subtotal: Money,
    /// Sum of merchandise discounts (shipping discounts are in `shipping`).
    pub discount_total: Money,
    /// Shipping after its discounts.
    pub shipping_total: Money,
    /// All tax: `taxIncluded + taxAdded`.
    pub tax_total: Money,
    /// Tax contained in tax-inclusive prices.
    pub tax_included: Money,
    /// Tax added on top of tax-exclusive prices.
    pub tax_added: Money,
    /// `grandTotal − taxTotal`.
    pub total_excluding_tax: Money,
    /// What the customer pays: line totals plus shipping total.
    pub grand_total: Money,
}

/// A promotion that applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedPromotion {
    /// The promotion id (shared with the input promotion).
    pub promotion_id: Arc<str>,
    /// Its whole discount (lines and shipping).
    pub amount: Money,
    /// The coupon code that unlocked it, as defined in the coupon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
}

/// A promotion that did not apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedPromotion {
    /// The promotion id (shared with the input promotion).
    pub promotion_id: Arc<str>,
    /// Why.
    pub reason: RejectionReason,
}

/// The outcome of one entered coupon code.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CouponOutcome {
    /// The entered code, trimmed and upper-cased.
    pub code: String,
    /// The promotion the coupon unlocks, when the code is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<Arc<str>>,
    /// Whether its promotion applied through it.
    pub applied: bool,
    /// Why not, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectionReason>,
}

/// Stable machine reasons why a promotion or a coupon did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// The promotion needs a coupon and no entered code unlocks it.
    CouponRequired,
    /// No coupon has the entered code.
    CouponNotFound,
    /// The coupon's overall usage limit is reached.
    CouponUsageLimitReached,
    /// The coupon's per-customer usage limit is reached.
    CouponCustomerLimitReached,
    /// The coupon's minimum spend is not reached.
    CouponMinSpendNotMet,
    /// Another entered coupon already unlocks the same promotion.
    CouponPromotionAlreadyUnlocked,
    /// `now` is outside the promotion's or coupon's validity window.
    OutsideDateWindow,
    /// The customer is in none of the required groups.
    CustomerGroupMismatch,
    /// Only a first order qualifies.
    FirstOrderOnly,
    /// The merchandise subtotal is below the minimum.
    MinSubtotalNotMet,
    /// The targeted units are below the minimum.
    MinQuantityNotMet,
    /// No line matches the target.
    NoMatchingLines,
    /// The promotion targets shipping and the cart has none.
    NoShipping,
    /// No tier of a tiered promotion is reached.
    TierNotReached,
    /// The promotion is eligible but its discount is zero.
    NoDiscount,
    /// An exclusive promotion applied instead.
    ExcludedByExclusivePromotion,
    /// An earlier promotion with stop-after ended the stack.
    StoppedByEarlierPromotion,
    /// Under the best-deal policy, another choice gave a larger discount.
    NotBestDeal,
}

impl RejectionReason {
    /// The stable string form, e.g. `"min_subtotal_not_met"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectionReason::CouponRequired => "coupon_required",
            RejectionReason::CouponNotFound => "coupon_not_found",
            RejectionReason::CouponUsageLimitReached => "coupon_usage_limit_reached",
            RejectionReason::CouponCustomerLimitReached => "coupon_customer_limit_reached",
            RejectionReason::CouponMinSpendNotMet => "coupon_min_spend_not_met",
            RejectionReason::CouponPromotionAlreadyUnlocked => "coupon_promotion_already_unlocked",
            RejectionReason::OutsideDateWindow => "outside_date_window",
            RejectionReason::CustomerGroupMismatch => "customer_group_mismatch",
            RejectionReason::FirstOrderOnly => "first_order_only",
            RejectionReason::MinSubtotalNotMet => "min_subtotal_not_met",
            RejectionReason::MinQuantityNotMet => "min_quantity_not_met",
            RejectionReason::NoMatchingLines => "no_matching_lines",
            RejectionReason::NoShipping => "no_shipping",
            RejectionReason::TierNotReached => "tier_not_reached",
            RejectionReason::NoDiscount => "no_discount",
            RejectionReason::ExcludedByExclusivePromotion => "excluded_by_exclusive_promotion",
            RejectionReason::StoppedByEarlierPromotion => "stopped_by_earlier_promotion",
            RejectionReason::NotBestDeal => "not_best_deal",
        }
    }
}
