//! Shared by the pricing test crates: the input split the way a service holds it.

use kassa::pricing::{Pricer, PricingCart, PricingInput, PricingRules};

/// The input split the way a service holds it: rules in a `Pricer`, the cart per request.
pub fn split(input: &PricingInput) -> (Pricer, PricingCart) {
    let rules = PricingRules {
        promotions: input.promotions.clone(),
        coupons: input.coupons.clone(),
        tax_rules: input.tax_rules.clone(),
        shipping_rates: input.shipping_rates.clone(),
        rounding: input.rounding,
        stacking: input.stacking,
    };
    let cart = PricingCart {
        lines: input.lines.clone(),
        coupon_codes: input.coupon_codes.clone(),
        shipping_method: input.shipping_method.clone(),
        context: input.context.clone(),
    };
    (Pricer::new(rules), cart)
}
