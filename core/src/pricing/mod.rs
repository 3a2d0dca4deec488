//! Pricing: one pure function from a cart and its rules to a priced, explained cart.
//!
//! [`price_cart`] takes a [`PricingInput`] (lines already resolved against the catalog,
//! promotions, entered coupon codes with the coupons' usage counts, tax rules, shipping rates,
//! the context and the rounding settings) and returns a [`PricedCart`]: every line's amounts,
//! shipping, tax by rate, totals, and which promotions applied (amount each) or were rejected
//! (with a stable [`RejectionReason`]). The model, the stacking and rounding rules and worked
//! examples are in `docs/pricing.md`.

mod apply;
mod assemble;
mod compute;
mod input;
mod line;
mod line_tax;
mod num;
mod output;
mod promotion;
mod repeats;
mod shipping;
mod tax;
mod units;
mod validate;

pub use input::{PricingContext, PricingInput, RoundingSettings, StackingPolicy, TaxRoundingLevel};
pub use line::PricingLine;
pub use output::{
    AppliedPromotion, CouponOutcome, LineDiscount, LineDiscounts, PricedCart, PricedLine,
    PricedShipping, RejectedPromotion, RejectionReason, TaxAmount, Totals,
};
pub use promotion::{Action, Conditions, Coupon, Promotion, Target, Tier, TierBasis};
pub use shipping::{PriceTier, ShippingCalculation, ShippingRate, WeightTier};
pub use tax::TaxRule;

use crate::error::Result;

/// Prices a cart: a pure, deterministic function of its input.
///
/// Bad input (currency mismatch, zero quantity, negative price, malformed promotion) is a
/// `VALIDATION_ERROR` naming the field path, e.g. `lines[2].quantity`.
pub fn price_cart(input: &PricingInput) -> Result<PricedCart> {
    compute::price(input)
}
