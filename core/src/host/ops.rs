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
/// JSON path of the field), `NOT_FOUND` for an unknown operation name, and whatever the
/// operation itself returns.
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
    fn decode<T: serde::de::DeserializeOwned>(input: Self::In<'_>) -> Result<T>;
    fn encode<T: serde::Serialize>(output: &T) -> Result<Self::Out>;
}

/// `serde_json::Value` in and out.
pub(crate) struct JsonCodec;

impl Codec for JsonCodec {
    type In<'a> = Value;
    type Out = Value;
    fn decode<T: serde::de::DeserializeOwned>(input: Value) -> Result<T> {
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
    fn decode<T: serde::de::DeserializeOwned>(input: &str) -> Result<T> {
        super::from_str(input)
    }
    fn encode<T: serde::Serialize>(output: &T) -> Result<String> {
        serde_json::to_string(output).map_err(|e| KassaError::internal(e.to_string()))
    }
}

fn dispatch<C: Codec>(operation: &str, input: C::In<'_>) -> Result<C::Out> {
    match operation {
        // Each module registers its operations here.
        "money.allocate" => call_typed::<C, _, _, _>(input, crate::money::ops::allocate),
        "money.round" => call_typed::<C, _, _, _>(input, crate::money::ops::round),
        // Orders and payments (checkout engine).
        "order.check_transition" => {
            call_typed::<C, _, _, _>(input, crate::order::ops::check_transition)
        }
        "payment.apply_event" => call_typed::<C, _, _, _>(input, crate::payment::ops::apply_event),
        "payment.check_refund" => {
            call_typed::<C, _, _, _>(input, crate::payment::ops::check_refund)
        }
        // catalog and cart
        "catalog.validate" => call_typed::<C, _, _, _>(input, crate::catalog::ops::validate),
        "catalog.resolve_price" => {
            call_typed::<C, _, _, _>(input, crate::catalog::ops::resolve_price)
        }
        "catalog.query" => call_typed::<C, _, _, _>(input, crate::catalog::ops::query),
        "catalog.related" => call_typed::<C, _, _, _>(input, crate::catalog::ops::related),
        "catalog.validate_image" => {
            call_typed::<C, _, _, _>(input, crate::catalog::ops::validate_image_request)
        }
        "cart.apply" => call_typed::<C, _, _, _>(input, crate::cart::ops::apply),
        "cart.merge" => call_typed::<C, _, _, _>(input, crate::cart::ops::merge),
        "cart.pricing_lines" => call_typed::<C, _, _, _>(input, crate::cart::ops::pricing_lines),
        "cart.check_stock" => call_typed::<C, _, _, _>(input, crate::cart::ops::check_stock),
        // pricing
        "pricing.price_cart" => {
            call_typed::<C, _, _, _>(input, |i: crate::pricing::PricingInput| {
                crate::pricing::price_cart(&i)
            })
        }
        // inventory, supply and forecast (supply branch)
        "inventory.eoq" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::EoqInput| {
                crate::inventory::reorder::eoq(&r)
            })
        }
        "inventory.reorder_point" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::ReorderPointInput| {
                crate::inventory::reorder::reorder_point(&r)
            })
        }
        "inventory.min_max" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::MinMaxInput| {
                crate::inventory::reorder::min_max(&r)
            })
        }
        "inventory.s_s" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::SsInput| {
                crate::inventory::reorder::s_s(&r)
            })
        }
        "inventory.reorder_run" => {
            call_typed::<C, _, _, _>(input, |r: crate::inventory::reorder::ReorderRunInput| {
                crate::inventory::reorder::reorder_run(&r)
            })
        }
        "inventory.adjust" => call_typed::<C, _, _, _>(input, crate::inventory::adjustment::adjust),
        "inventory.gtin" => call_typed::<C, _, _, _>(input, |code: String| {
            crate::inventory::barcode::validate_gtin(&code)
        }),
        "supply.apply_tracking" => {
            call_typed::<C, _, _, _>(input, crate::supply::ops::apply_tracking_events)
        }
        "supply.receive" => call_typed::<C, _, _, _>(input, crate::supply::ops::receive_goods),
        "supply.transition" => call_typed::<C, _, _, _>(input, crate::supply::ops::transition),
        "supply.fulfillment_progress" => {
            call_typed::<C, _, _, _>(input, crate::supply::ops::progress)
        }
        "forecast.holt_winters" => call_typed::<C, _, _, _>(input, crate::forecast::ops::forecast),
        // optimize (floats rounded to crate::optimize::ops::DECIMALS in the outputs)
        "optimize.min_variance" => {
            call_typed::<C, _, _, _>(input, crate::optimize::ops::min_variance)
        }
        "optimize.max_sharpe" => call_typed::<C, _, _, _>(input, crate::optimize::ops::max_sharpe),
        "optimize.efficient_return" => {
            call_typed::<C, _, _, _>(input, crate::optimize::ops::efficient_return)
        }
        "optimize.efficient_risk" => {
            call_typed::<C, _, _, _>(input, crate::optimize::ops::efficient_risk)
        }
        "optimize.frontier" => call_typed::<C, _, _, _>(input, crate::optimize::ops::frontier),
        "optimize.var" => call_typed::<C, _, _, _>(input, crate::optimize::ops::var),
        "optimize.qubo_exact" => call_typed::<C, _, _, _>(input, crate::optimize::ops::qubo_exact),
        "optimize.select" => call_typed::<C, _, _, _>(input, crate::optimize::ops::select),
        "optimize.estimate" => call_typed::<C, _, _, _>(input, crate::optimize::ops::estimate),
        "optimize.scenario" => call_typed::<C, _, _, _>(input, crate::optimize::ops::scenario),
        // access / identity / ratelimit
        "access.authorize" => call_typed::<C, _, _, _>(input, crate::access::ops::authorize),
        "identity.validate_registration" => {
            call_typed::<C, _, _, _>(input, crate::identity::ops::validate_registration)
        }
        "identity.normalize_email" => {
            call_typed::<C, _, _, _>(input, crate::identity::ops::normalize_email)
        }
        "ratelimit.sequence" => call_typed::<C, _, _, _>(input, crate::ratelimit::ops::sequence),
        // billing (subscriptions)
        "billing.periods" => call_typed::<C, _, _, _>(input, crate::billing::ops::periods),
        "billing.period_at" => call_typed::<C, _, _, _>(input, crate::billing::ops::period_at),
        "billing.prorate" => call_typed::<C, _, _, _>(input, crate::billing::ops::prorate_op),
        "billing.invoice" => call_typed::<C, _, _, _>(input, crate::billing::ops::invoice),
        "billing.usage_charge" => {
            call_typed::<C, _, _, _>(input, crate::billing::ops::usage_charge)
        }
        "billing.transition" => call_typed::<C, _, _, _>(input, crate::billing::ops::transition),
        "billing.dunning_step" => {
            call_typed::<C, _, _, _>(input, crate::billing::ops::dunning_step)
        }
        other => Err(KassaError::not_found("operation", other)),
    }
}

fn call_typed<C, I, O, F>(input: C::In<'_>, f: F) -> Result<C::Out>
where
    C: Codec,
    I: serde::de::DeserializeOwned,
    O: serde::Serialize,
    F: FnOnce(I) -> Result<O>,
{
    C::encode(&f(C::decode(input)?)?)
}
