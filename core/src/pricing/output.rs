//! The priced cart: amounts per line, shipping, taxes, totals and the explanation.

use crate::money::{decimal_string, Currency, Money};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
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
///
/// The amounts are held as whole minor units of the cart's currency and read through
/// [`subtotal`](Self::subtotal), [`discount_total`](Self::discount_total), [`net`](Self::net),
/// [`tax`](Self::tax) and [`total`](Self::total): pricing writes three integers per line
/// instead of building five `Money` values nobody may read (docs/performance.md, "Session 8").
/// The JSON form is unchanged: the same fields, in the same order, as `Money` objects.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    /// The line id (shared with the input line).
    pub line_id: Arc<str>,
    /// Units.
    pub quantity: u32,
    /// Catalog unit price, as given.
    pub unit_price: Money,
    /// Discounts on this line, in the order the promotions applied (order-level shares included).
    pub discounts: LineDiscounts,
    /// Whether prices of this line include tax.
    pub tax_inclusive: bool,
    /// Tax rate as a fraction (`"0.2"`), zero when untaxed.
    pub tax_rate: Decimal,
    /// The currency of the amounts (the cart's).
    currency: Currency,
    /// Minor units; every amount the accessors derive from them fits a `Decimal` (checked
    /// when the line is built).
    subtotal: i128,
    net: i128,
    tax: i128,
}

impl PricedLine {
    /// A line from its amounts in minor units of `currency`. `subtotal`, `net`, `tax`,
    /// `subtotal − net` and the line total must each fit a `Decimal` (96 bits), which pricing
    /// checks before it builds a line.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn from_units(
        line_id: Arc<str>,
        quantity: u32,
        unit_price: Money,
        tax_inclusive: bool,
        tax_rate: Decimal,
        currency: Currency,
        (subtotal, net, tax): (i128, i128, i128),
    ) -> PricedLine {
        PricedLine {
            line_id,
            quantity,
            unit_price,
            discounts: LineDiscounts::new(),
            tax_inclusive,
            tax_rate,
            currency,
            subtotal,
            net,
            tax,
        }
    }

    /// (subtotal, net, tax) in minor units.
    pub(super) fn units(&self) -> (i128, i128, i128) {
        (self.subtotal, self.net, self.tax)
    }

    #[inline]
    fn money(&self, units: i128) -> Money {
        // Within 64 bits (every everyday amount) no range check is needed; past it the
        // amount was checked to fit when the line was built.
        match i64::try_from(units) {
            Ok(small) => Money::from_minor(small, self.currency),
            Err(_) => Money::new(
                Decimal::try_from_i128_with_scale(units, self.currency.minor_units())
                    .unwrap_or(Decimal::ZERO),
                self.currency,
            ),
        }
    }

    /// Unit price × quantity, rounded (`line_subtotal` point).
    pub fn subtotal(&self) -> Money {
        self.money(self.subtotal)
    }

    /// Sum of `discounts`.
    pub fn discount_total(&self) -> Money {
        self.money(self.subtotal.wrapping_sub(self.net))
    }

    /// `subtotal − discountTotal`: what the customer pays for the line, in the line's price
    /// basis.
    pub fn net(&self) -> Money {
        self.money(self.net)
    }

    /// Tax of the line (contained in `net` when tax-inclusive, added to it otherwise).
    pub fn tax(&self) -> Money {
        self.money(self.tax)
    }

    /// What the line adds to the grand total: `net`, plus `tax` when tax-exclusive.
    pub fn total(&self) -> Money {
        if self.tax_inclusive {
            self.money(self.net)
        } else {
            self.money(self.net.wrapping_add(self.tax))
        }
    }
}

impl Serialize for PricedLine {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // The field order and names of the wire form (the cross-host vectors pin it).
        let mut st = s.serialize_struct("PricedLine", 11)?;
        st.serialize_field("lineId", &self.line_id)?;
        st.serialize_field("quantity", &self.quantity)?;
        st.serialize_field("unitPrice", &self.unit_price)?;
        st.serialize_field("subtotal", &self.subtotal())?;
        st.serialize_field("discounts", &self.discounts)?;
        st.serialize_field("discountTotal", &self.discount_total())?;
        st.serialize_field("net", &self.net())?;
        st.serialize_field("taxInclusive", &self.tax_inclusive)?;
        st.serialize_field("taxRate", &RateString(self.tax_rate))?;
        st.serialize_field("tax", &self.tax())?;
        st.serialize_field("total", &self.total())?;
        st.end()
    }
}

/// A rate serialized as its decimal string.
struct RateString(Decimal);

impl Serialize for RateString {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        decimal_string::serialize(&self.0, s)
    }
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
    /// The entered code, trimmed, `a`–`z` upper-cased.
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
