//! The whole pure domain as JSON operations: one name, one request, one result.
//!
//! Every binding (Python, Node, wasm) and the cross-host vectors call the domain through
//! [`call`], so the four hosts share one mapping from operation names to core functions and
//! one serde form (docs/architecture.md, "Serde form"). Requests and results are the
//! operations' own serde types; a request that does not deserialize is a
//! `VALIDATION_ERROR` naming the offending field path.

use crate::error::{KassaError, Result};
use serde_json::Value;

/// Every operation name [`call`] accepts, in a stable order.
pub const OPERATIONS: &[&str] = &[
    "money.allocate",
    "money.round",
    "order.check_transition",
    "payment.apply_event",
    "payment.check_refund",
    "catalog.validate",
    "catalog.resolve_price",
    "catalog.query",
    "catalog.related",
    "catalog.validate_image",
    "cart.apply",
    "cart.merge",
    "cart.pricing_lines",
    "cart.check_stock",
    "pricing.price_cart",
    "inventory.eoq",
    "inventory.reorder_point",
    "inventory.min_max",
    "inventory.s_s",
    "inventory.reorder_run",
    "inventory.adjust",
    "inventory.gtin",
    "supply.apply_tracking",
    "supply.receive",
    "supply.transition",
    "supply.fulfillment_progress",
    "forecast.holt_winters",
    "optimize.min_variance",
    "optimize.max_sharpe",
    "optimize.efficient_return",
    "optimize.efficient_risk",
    "optimize.frontier",
    "optimize.var",
    "optimize.qubo_exact",
    "optimize.select",
    "optimize.estimate",
    "optimize.scenario",
    "access.authorize",
    "identity.validate_registration",
    "identity.normalize_email",
    "ratelimit.sequence",
    "billing.periods",
    "billing.period_at",
    "billing.prorate",
    "billing.invoice",
    "billing.usage_charge",
    "billing.transition",
    "billing.dunning_step",
];

/// Runs one domain operation on a JSON request and returns its JSON result.
///
/// # Errors
/// `VALIDATION_ERROR` when the request does not match the operation's input type (with the
/// JSON path of the field), `NOT_FOUND` for an unknown operation name, `UNSUPPORTED` for an
/// operation whose `ops-*` cargo feature is off in this build ([`is_available`]), and
/// whatever the operation itself returns.
pub fn call(operation: &str, input: Value) -> Result<Value> {
    dispatch::<JsonCodec>(operation, input)
}

/// [`call`] on JSON text. The request is decoded straight into the operation's input type
/// and the result encoded straight to text, with no `serde_json::Value` in between: for a
/// host that crosses its FFI boundary as a string this is the fast path (a 20-line cart
/// spends more time in a `Value` round trip than in pricing).
///
/// # Errors
/// As [`call`]; a request that is not JSON is a `VALIDATION_ERROR` on `input`.
pub fn call_str(operation: &str, input: &str) -> Result<String> {
    dispatch::<TextCodec>(operation, input)
}

/// How requests arrive and results leave. [`dispatch`] is generic over it, so a host that
/// only calls [`call_str`] (wasm) carries no `Value` decoding of the request types.
pub(crate) trait Codec {
    type In<'a>;
    type Out;
    fn decode<T: serde::de::DeserializeOwned + super::Decode>(input: Self::In<'_>) -> Result<T>;
    fn encode<T: serde::Serialize>(output: &T) -> Result<Self::Out>;
}

/// `serde_json::Value` in and out.
pub(crate) struct JsonCodec;

impl Codec for JsonCodec {
    type In<'a> = Value;
    type Out = Value;
    fn decode<T: serde::de::DeserializeOwned + super::Decode>(input: Value) -> Result<T> {
        super::from_value(input)
    }
    fn encode<T: serde::Serialize>(output: &T) -> Result<Value> {
        serde_json::to_value(output).map_err(|e| KassaError::internal(e.to_string()))
    }
}

/// JSON text in and out.
pub(crate) struct TextCodec;

impl Codec for TextCodec {
    type In<'a> = &'a str;
    type Out = String;
    fn decode<T: serde::de::DeserializeOwned + super::Decode>(input: &str) -> Result<T> {
        super::from_str(input)
    }
    fn encode<T: serde::Serialize>(output: &T) -> Result<String> {
        serde_json::to_string(output).map_err(|e| KassaError::internal(e.to_string()))
    }
}

// With every `ops-*` feature off only the fallback arm is left.
#[cfg_attr(
    not(any(
        feature = "ops-money",
        feature = "ops-order",
        feature = "ops-catalog",
        feature = "ops-cart",
        feature = "ops-pricing",
        feature = "ops-inventory",
        feature = "ops-supply",
        feature = "ops-forecast",
        feature = "ops-optimize",
        feature = "ops-access",
        feature = "ops-identity",
        feature = "ops-ratelimit",
        feature = "ops-billing"
    )),
    allow(unused_variables)
)]
fn dispatch<C: Codec>(operation: &str, input: C::In<'_>) -> Result<C::Out> {
    match operation {
        // Each module registers its operations here.
        #[cfg(feature = "ops-money")]
        "money.allocate" => call_typed::<C, _, _, _>(input, crate::money::ops::allocate),
        #[cfg(feature = "ops-money")]
        "money.round" => call_typed::<C, _, _, _>(input, crate::money::ops::round),
        // Orders and payments (checkout engine).
        #[cfg(feature = "ops-order")]
        "order.check_transition" => {
            call_typed::<C, _, _, _>(input, crate::order::ops::check_transition)
        }
        #[cfg(feature = "ops-order")]
        "payment.apply_event" => call_typed::<C, _, _, _>(input, crate::payment::ops::apply_event),
        #[cfg(feature = "ops-order")]
        "payment.check_refund" => {
            call_typed::<C, _, _, _>(input, crate::payment::ops::check_refund)
        }
        // catalog and cart
        #[cfg(feature = "ops-catalog")]
        "catalog.validate" => call_typed::<C, _, _, _>(input, crate::catalog::ops::validate),
        #[cfg(feature = "ops-catalog")]
        "catalog.resolve_price" => {
            call_typed::<C, _, _, _>(input, crate::catalog::ops::resolve_price)
        }
        #[cfg(feature = "ops-catalog")]
        "catalog.query" => call_typed::<C, _, _, _>(input, crate::catalog::ops::query),
        #[cfg(feature = "ops-catalog")]
        "catalog.related" => call_typed::<C, _, _, _>(input, crate::catalog::ops::related),
        #[cfg(feature = "ops-catalog")]
        "catalog.validate_image" => {
            call_typed::<C, _, _, _>(input, crate::catalog::ops::validate_image_request)
        }
        #[cfg(feature = "ops-cart")]
        "cart.apply" => call_typed::<C, _, _, _>(input, crate::cart::ops::apply),
        #[cfg(feature = "ops-cart")]
        "cart.merge" => call_typed::<C, _, _, _>(input, crate::cart::ops::merge),
        #[cfg(feature = "ops-cart")]
        "cart.pricing_lines" => call_typed::<C, _, _, _>(input, crate::cart::ops::pricing_lines),
        #[cfg(feature = "ops-cart")]
        "cart.check_stock" => call_typed::<C, _, _, _>(input, crate::cart::ops::check_stock),
        // pricing
        #[cfg(feature = "ops-pricing")]
        "pricing.price_cart" => {
            call_typed::<C, _, _, _>(input, |i: crate::pricing::PricingInput| {
                crate::pricing::price_cart(&i)
            })
        }
        // inventory, supply and forecast (supply branch)
        #[cfg(feature = "ops-inventory")]
        "inventory.eoq" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::EoqInput| {
                crate::inventory::reorder::eoq(&r)
            })
        }
        #[cfg(feature = "ops-inventory")]
        "inventory.reorder_point" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::ReorderPointInput| {
                crate::inventory::reorder::reorder_point(&r)
            })
        }
        #[cfg(feature = "ops-inventory")]
        "inventory.min_max" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::MinMaxInput| {
                crate::inventory::reorder::min_max(&r)
            })
        }
        #[cfg(feature = "ops-inventory")]
        "inventory.s_s" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::SsInput| {
                crate::inventory::reorder::s_s(&r)
            })
        }
        #[cfg(feature = "ops-inventory")]
        "inventory.reorder_run" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::ReorderRunInput| {
                crate::inventory::reorder::reorder_run(&r)
            })
        }
        #[cfg(feature = "ops-inventory")]
        "inventory.adjust" => call_typed::<C, _, _, _>(input, crate::inventory::adjustment::adjust),
        #[cfg(feature = "ops-inventory")]
        "inventory.gtin" => call_typed::<C, _, _, _>(input, |code: String| {
            crate::inventory::barcode::validate_gtin(&code)
        }),
        #[cfg(feature = "ops-supply")]
        "supply.apply_tracking" => {
            call_typed::<C, _, _, _>(input, crate::supply::ops::apply_tracking_events)
        }
        #[cfg(feature = "ops-supply")]
        "supply.receive" => call_typed::<C, _, _, _>(input, crate::supply::ops::receive_goods),
        #[cfg(feature = "ops-supply")]
        "supply.transition" => call_typed::<C, _, _, _>(input, crate::supply::ops::transition),
        #[cfg(feature = "ops-supply")]
        "supply.fulfillment_progress" => {
            call_typed::<C, _, _, _>(input, crate::supply::ops::progress)
        }
        #[cfg(feature = "ops-forecast")]
        "forecast.holt_winters" => call_typed::<C, _, _, _>(input, crate::forecast::ops::forecast),
        // optimize (floats rounded to crate::optimize::ops::DECIMALS in the outputs)
        #[cfg(feature = "ops-optimize")]
        "optimize.min_variance" => {
            call_typed::<C, _, _, _>(input, crate::optimize::ops::min_variance)
        }
        #[cfg(feature = "ops-optimize")]
        "optimize.max_sharpe" => call_typed::<C, _, _, _>(input, crate::optimize::ops::max_sharpe),
        #[cfg(feature = "ops-optimize")]
        "optimize.efficient_return" => {
            call_typed::<C, _, _, _>(input, crate::optimize::ops::efficient_return)
        }
        #[cfg(feature = "ops-optimize")]
        "optimize.efficient_risk" => {
            call_typed::<C, _, _, _>(input, crate::optimize::ops::efficient_risk)
        }
        #[cfg(feature = "ops-optimize")]
        "optimize.frontier" => call_typed::<C, _, _, _>(input, crate::optimize::ops::frontier),
        #[cfg(feature = "ops-optimize")]
        "optimize.var" => call_typed::<C, _, _, _>(input, crate::optimize::ops::var),
        #[cfg(feature = "ops-optimize")]
        "optimize.qubo_exact" => call_typed::<C, _, _, _>(input, crate::optimize::ops::qubo_exact),
        #[cfg(feature = "ops-optimize")]
        "optimize.select" => call_typed::<C, _, _, _>(input, crate::optimize::ops::select),
        #[cfg(feature = "ops-optimize")]
        "optimize.estimate" => call_typed::<C, _, _, _>(input, crate::optimize::ops::estimate),
        #[cfg(feature = "ops-optimize")]
        "optimize.scenario" => call_typed::<C, _, _, _>(input, crate::optimize::ops::scenario),
        // access / identity / ratelimit
        #[cfg(feature = "ops-access")]
        "access.authorize" => call_typed::<C, _, _, _>(input, crate::access::ops::authorize),
        #[cfg(feature = "ops-identity")]
        "identity.validate_registration" => {
            call_typed::<C, _, _, _>(input, crate::identity::ops::validate_registration)
        }
        #[cfg(feature = "ops-identity")]
        "identity.normalize_email" => {
            call_typed::<C, _, _, _>(input, crate::identity::ops::normalize_email)
        }
        #[cfg(feature = "ops-ratelimit")]
        "ratelimit.sequence" => call_typed::<C, _, _, _>(input, crate::ratelimit::ops::sequence),
        // billing (subscriptions)
        #[cfg(feature = "ops-billing")]
        "billing.periods" => call_typed::<C, _, _, _>(input, crate::billing::ops::periods),
        #[cfg(feature = "ops-billing")]
        "billing.period_at" => call_typed::<C, _, _, _>(input, crate::billing::ops::period_at),
        #[cfg(feature = "ops-billing")]
        "billing.prorate" => call_typed::<C, _, _, _>(input, crate::billing::ops::prorate_op),
        #[cfg(feature = "ops-billing")]
        "billing.invoice" => call_typed::<C, _, _, _>(input, crate::billing::ops::invoice),
        #[cfg(feature = "ops-billing")]
        "billing.usage_charge" => {
            call_typed::<C, _, _, _>(input, crate::billing::ops::usage_charge)
        }
        #[cfg(feature = "ops-billing")]
        "billing.transition" => call_typed::<C, _, _, _>(input, crate::billing::ops::transition),
        #[cfg(feature = "ops-billing")]
        "billing.dunning_step" => {
            call_typed::<C, _, _, _>(input, crate::billing::ops::dunning_step)
        }
        other => Err(missing(other)),
    }
}

/// The cargo feature of `kassa` that carries an operation of [`OPERATIONS`] into
/// [`call`] / [`call_str`] (all of them are on by default; the browser's size-budgeted wasm
/// build turns some off), or `None` for a name that is not an operation.
pub fn feature_of(operation: &str) -> Option<&'static str> {
    if !OPERATIONS.contains(&operation) {
        return None;
    }
    let family = operation.split('.').next().unwrap_or_default();
    Some(match family {
        "money" => "ops-money",
        "order" | "payment" => "ops-order",
        "catalog" => "ops-catalog",
        "cart" => "ops-cart",
        "pricing" => "ops-pricing",
        "inventory" => "ops-inventory",
        "supply" => "ops-supply",
        "forecast" => "ops-forecast",
        "optimize" => "ops-optimize",
        "billing" => "ops-billing",
        "identity" => "ops-identity",
        "ratelimit" => "ops-ratelimit",
        _ => "ops-access",
    })
}

/// Whether this build of the library runs `operation` (it is one of [`OPERATIONS`] and the
/// cargo feature that carries it is on). [`OPERATIONS`] lists every operation of every
/// build, so hosts and their typed exports stay the same; an operation that is not in the
/// build answers `UNSUPPORTED`.
pub fn is_available(operation: &str) -> bool {
    feature_of(operation).is_some_and(|feature| {
        FAMILY_FEATURES
            .iter()
            .any(|(name, on)| *on && *name == feature)
    })
}

/// Every `ops-*` feature and whether this build has it.
const FAMILY_FEATURES: [(&str, bool); 13] = [
    ("ops-money", cfg!(feature = "ops-money")),
    ("ops-order", cfg!(feature = "ops-order")),
    ("ops-catalog", cfg!(feature = "ops-catalog")),
    ("ops-cart", cfg!(feature = "ops-cart")),
    ("ops-pricing", cfg!(feature = "ops-pricing")),
    ("ops-inventory", cfg!(feature = "ops-inventory")),
    ("ops-supply", cfg!(feature = "ops-supply")),
    ("ops-forecast", cfg!(feature = "ops-forecast")),
    ("ops-optimize", cfg!(feature = "ops-optimize")),
    ("ops-access", cfg!(feature = "ops-access")),
    ("ops-identity", cfg!(feature = "ops-identity")),
    ("ops-ratelimit", cfg!(feature = "ops-ratelimit")),
    ("ops-billing", cfg!(feature = "ops-billing")),
];

/// The error for a name [`dispatch`] has no arm for: `UNSUPPORTED` (with `meta.feature` and
/// `meta.operation`) for an operation whose feature is off, else `NOT_FOUND`.
fn missing(operation: &str) -> KassaError {
    super::missing_operation(operation, feature_of(operation))
}

#[cfg_attr(
    not(any(
        feature = "ops-money",
        feature = "ops-order",
        feature = "ops-catalog",
        feature = "ops-cart",
        feature = "ops-pricing",
        feature = "ops-inventory",
        feature = "ops-supply",
        feature = "ops-forecast",
        feature = "ops-optimize",
        feature = "ops-access",
        feature = "ops-identity",
        feature = "ops-ratelimit",
        feature = "ops-billing"
    )),
    allow(dead_code)
)]
fn call_typed<C, I, O, F>(input: C::In<'_>, f: F) -> Result<C::Out>
where
    C: Codec,
    I: serde::de::DeserializeOwned + super::Decode,
    O: serde::Serialize,
    F: FnOnce(I) -> Result<O>,
{
    C::encode(&f(C::decode(input)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_feature_and_the_default_build_runs_it() {
        for op in OPERATIONS {
            let feature = feature_of(op).unwrap();
            assert!(FAMILY_FEATURES.iter().any(|(f, _)| *f == feature), "{op}");
            assert!(
                is_available(op),
                "{op} ({feature}) is off in the default build"
            );
        }
        assert_eq!(feature_of("no.such_op"), None);
        assert!(!is_available("no.such_op"));
        let err = call_str("no.such_op", "{}").unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);
    }

    #[test]
    fn an_operation_that_is_off_is_unsupported_naming_its_feature() {
        let err = missing("identity.normalize_email");
        assert_eq!(err.code, crate::error::ErrorCode::Unsupported);
        assert_eq!(err.http_status(), 501);
        assert_eq!(err.meta["feature"], "ops-identity");
        assert_eq!(err.meta["operation"], "identity.normalize_email");
    }
}
