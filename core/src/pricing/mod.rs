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
mod text;
mod units;
mod validate;

pub use input::{
    PricingCart, PricingContext, PricingInput, PricingRules, RoundingSettings, StackingPolicy,
    TaxRoundingLevel,
};
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
    compute::price(input::View::of_input(input))
}

/// Rules held across many carts: a service loads its promotions, coupons, tax rules and
/// shipping rates once and prices each request's cart against them, without copying or
/// re-reading the rules per cart (a binding keeps one `Pricer` on the Rust side, so a cart
/// crosses the FFI boundary without the rules).
///
/// `pricer.price(&cart)` gives exactly what [`price_cart`] gives for the [`PricingInput`]
/// made of the same rules and cart, including the validation errors and their field paths
/// (`promotions[0].action.percent`): the rules are checked with each cart, because a rule's
/// amounts must be in the cart's currency.
///
/// ```
/// use kassa::pricing::{Pricer, PricingCart, PricingRules};
///
/// let rules: PricingRules = serde_json::from_str(r#"{
///     "taxRules": [{"id": "de", "region": "DE", "taxClass": "standard", "rate": "0.19"}]
/// }"#)?;
/// let pricer = Pricer::new(rules);
/// let cart: PricingCart = serde_json::from_str(r#"{
///     "lines": [{"lineId": "l1", "sku": "A", "productId": "p1", "quantity": 2,
///                "unitPrice": {"amount": "10.00", "currency": "EUR"}}],
///     "context": {"region": "DE", "currency": "EUR", "now": "2026-03-15T12:00:00Z"}
/// }"#)?;
/// let priced = pricer.price(&cart)?;
/// assert_eq!(priced.totals.grand_total.to_string(), "23.80 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pricer {
    rules: PricingRules,
}

impl Pricer {
    /// A pricer for these rules.
    pub fn new(rules: PricingRules) -> Self {
        Pricer { rules }
    }

    /// The rules this pricer applies.
    pub fn rules(&self) -> &PricingRules {
        &self.rules
    }

    /// The rules, to change in place (a coupon's usage counts as redemptions happen).
    pub fn rules_mut(&mut self) -> &mut PricingRules {
        &mut self.rules
    }

    /// Prices one cart under the rules: as [`price_cart`] on the combined input.
    ///
    /// # Errors
    /// As [`price_cart`]: a `VALIDATION_ERROR` listing every problem of the cart or of the
    /// rules, with its field path.
    pub fn price(&self, cart: &PricingCart) -> Result<PricedCart> {
        compute::price(input::View::of_parts(&self.rules, cart))
    }
}
