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
    match dispatch(operation, Request::Json(input))? {
        Reply::Json(value) => Ok(value),
        Reply::Text(_) => Err(KassaError::internal("a JSON request got a text reply")),
    }
}

/// [`call`] on JSON text. The request is decoded straight into the operation's input type
/// and the result encoded straight to text, with no `serde_json::Value` in between: for a
/// host that crosses its FFI boundary as a string this is the fast path (a 20-line cart
/// spends more time in a `Value` round trip than in pricing).
///
/// # Errors
/// As [`call`]; a request that is not JSON is a `VALIDATION_ERROR` on `input`.
pub fn call_str(operation: &str, input: &str) -> Result<String> {
    match dispatch(operation, Request::Text(input))? {
        Reply::Text(text) => Ok(text),
        Reply::Json(_) => Err(KassaError::internal("a text request got a JSON reply")),
    }
}

enum Request<'a> {
    Json(Value),
    Text(&'a str),
}

enum Reply {
    Json(Value),
    Text(String),
}

fn dispatch(operation: &str, input: Request<'_>) -> Result<Reply> {
    match operation {
        // Each module registers its operations here.
        "money.allocate" => call_typed(input, crate::money::ops::allocate),
        "money.round" => call_typed(input, crate::money::ops::round),
        // Orders and payments (checkout engine).
        "order.check_transition" => call_typed(input, crate::order::ops::check_transition),
        "payment.apply_event" => call_typed(input, crate::payment::ops::apply_event),
        "payment.check_refund" => call_typed(input, crate::payment::ops::check_refund),
        // catalog and cart
        "catalog.validate" => call_typed(input, crate::catalog::ops::validate),
        "catalog.resolve_price" => call_typed(input, crate::catalog::ops::resolve_price),
        "catalog.query" => call_typed(input, crate::catalog::ops::query),
        "catalog.related" => call_typed(input, crate::catalog::ops::related),
        "catalog.validate_image" => call_typed(input, crate::catalog::ops::validate_image_request),
        "cart.apply" => call_typed(input, crate::cart::ops::apply),
        "cart.merge" => call_typed(input, crate::cart::ops::merge),
        "cart.pricing_lines" => call_typed(input, crate::cart::ops::pricing_lines),
        "cart.check_stock" => call_typed(input, crate::cart::ops::check_stock),
        // pricing
        "pricing.price_cart" => call_typed(input, |i: crate::pricing::PricingInput| {
            crate::pricing::price_cart(&i)
        }),
        // inventory, supply and forecast (supply branch)
        "inventory.eoq" => call_typed(input, |r: crate::inventory::reorder::EoqInput| {
            crate::inventory::reorder::eoq(&r)
        }),
        "inventory.reorder_point" => {
            call_typed(input, |r: crate::inventory::reorder::ReorderPointInput| {
                crate::inventory::reorder::reorder_point(&r)
            })
        }
        "inventory.min_max" => call_typed(input, |r: crate::inventory::reorder::MinMaxInput| {
            crate::inventory::reorder::min_max(&r)
        }),
        "inventory.s_s" => call_typed(input, |r: crate::inventory::reorder::SsInput| {
            crate::inventory::reorder::s_s(&r)
        }),
        "inventory.reorder_run" => {
            call_typed(input, |r: crate::inventory::reorder::ReorderRunInput| {
                crate::inventory::reorder::reorder_run(&r)
            })
        }
        "inventory.adjust" => call_typed(input, crate::inventory::adjustment::adjust),
        "inventory.gtin" => call_typed(input, |code: String| {
            crate::inventory::barcode::validate_gtin(&code)
        }),
        "supply.apply_tracking" => call_typed(input, crate::supply::ops::apply_tracking_events),
        "supply.receive" => call_typed(input, crate::supply::ops::receive_goods),
        "supply.transition" => call_typed(input, crate::supply::ops::transition),
        "supply.fulfillment_progress" => call_typed(input, crate::supply::ops::progress),
        "forecast.holt_winters" => call_typed(input, crate::forecast::ops::forecast),
        // optimize (floats rounded to crate::optimize::ops::DECIMALS in the outputs)
        "optimize.min_variance" => call_typed(input, crate::optimize::ops::min_variance),
        "optimize.max_sharpe" => call_typed(input, crate::optimize::ops::max_sharpe),
        "optimize.efficient_return" => call_typed(input, crate::optimize::ops::efficient_return),
        "optimize.efficient_risk" => call_typed(input, crate::optimize::ops::efficient_risk),
        "optimize.frontier" => call_typed(input, crate::optimize::ops::frontier),
        "optimize.var" => call_typed(input, crate::optimize::ops::var),
        "optimize.qubo_exact" => call_typed(input, crate::optimize::ops::qubo_exact),
        "optimize.select" => call_typed(input, crate::optimize::ops::select),
        "optimize.estimate" => call_typed(input, crate::optimize::ops::estimate),
        "optimize.scenario" => call_typed(input, crate::optimize::ops::scenario),
        // access / identity / ratelimit
        "access.authorize" => call_typed(input, crate::access::ops::authorize),
        "identity.validate_registration" => {
            call_typed(input, crate::identity::ops::validate_registration)
        }
        "identity.normalize_email" => call_typed(input, crate::identity::ops::normalize_email),
        "ratelimit.sequence" => call_typed(input, crate::ratelimit::ops::sequence),
        // billing (subscriptions)
        "billing.periods" => call_typed(input, crate::billing::ops::periods),
        "billing.period_at" => call_typed(input, crate::billing::ops::period_at),
        "billing.prorate" => call_typed(input, crate::billing::ops::prorate_op),
        "billing.invoice" => call_typed(input, crate::billing::ops::invoice),
        "billing.usage_charge" => call_typed(input, crate::billing::ops::usage_charge),
        "billing.transition" => call_typed(input, crate::billing::ops::transition),
        "billing.dunning_step" => call_typed(input, crate::billing::ops::dunning_step),
        other => Err(KassaError::not_found("operation", other)),
    }
}

fn call_typed<I: serde::de::DeserializeOwned, O: serde::Serialize>(
    input: Request<'_>,
    f: impl FnOnce(I) -> Result<O>,
) -> Result<Reply> {
    let internal = |e: serde_json::Error| KassaError::internal(e.to_string());
    match input {
        Request::Json(value) => {
            let out = f(super::from_value(value)?)?;
            serde_json::to_value(out).map(Reply::Json).map_err(internal)
        }
        Request::Text(text) => {
            let out = f(super::from_str(text)?)?;
            serde_json::to_string(&out)
                .map(Reply::Text)
                .map_err(internal)
        }
    }
}
