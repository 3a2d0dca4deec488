//! Pricing: one pure function from a cart and its rules to a priced, explained cart.

mod line;

pub use line::PricingLine;
