//! Runs every cross-host vector in `core/tests/vectors/**.json` (format: docs/architecture.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa::KassaError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Maps an operation name to the core call. Bindings run the same files through their own API.
fn run(operation: &str, input: Value) -> Result<Value, KassaError> {
    fn call<I: serde::de::DeserializeOwned, O: serde::Serialize>(
        input: Value,
        f: impl FnOnce(I) -> Result<O, KassaError>,
    ) -> Result<Value, KassaError> {
        let req: I = serde_json::from_value(input)
            .map_err(|e| KassaError::validation("input", e.to_string()))?;
        let out = f(req)?;
        serde_json::to_value(out).map_err(|e| KassaError::internal(e.to_string()))
    }
    match operation {
        // Each module registers its operations here.
        "money.allocate" => call(input, kassa::money::ops::allocate),
        "money.round" => call(input, kassa::money::ops::round),
        // Orders and payments (checkout engine).
        "order.check_transition" => call(input, kassa::order::ops::check_transition),
        "payment.apply_event" => call(input, kassa::payment::ops::apply_event),
        "payment.check_refund" => call(input, kassa::payment::ops::check_refund),
        // catalog and cart
        "catalog.validate" => call(input, kassa::catalog::ops::validate),
        "catalog.resolve_price" => call(input, kassa::catalog::ops::resolve_price),
        "catalog.query" => call(input, kassa::catalog::ops::query),
        "catalog.related" => call(input, kassa::catalog::ops::related),
        "catalog.validate_image" => call(input, kassa::catalog::ops::validate_image_request),
        "cart.apply" => call(input, kassa::cart::ops::apply),
        "cart.merge" => call(input, kassa::cart::ops::merge),
        "cart.pricing_lines" => call(input, kassa::cart::ops::pricing_lines),
        "cart.check_stock" => call(input, kassa::cart::ops::check_stock),
        // pricing
        "pricing.price_cart" => call(input, |i: kassa::pricing::PricingInput| {
            kassa::pricing::price_cart(&i)
        }),
        // inventory, supply and forecast (supply branch)
        "inventory.eoq" => call(input, |r: kassa::inventory::reorder::EoqInput| {
            kassa::inventory::reorder::eoq(&r)
        }),
        "inventory.reorder_point" => {
            call(input, |r: kassa::inventory::reorder::ReorderPointInput| {
                kassa::inventory::reorder::reorder_point(&r)
            })
        }
        "inventory.min_max" => call(input, |r: kassa::inventory::reorder::MinMaxInput| {
            kassa::inventory::reorder::min_max(&r)
        }),
        "inventory.s_s" => call(input, |r: kassa::inventory::reorder::SsInput| {
            kassa::inventory::reorder::s_s(&r)
        }),
        "inventory.reorder_run" => call(input, |r: kassa::inventory::reorder::ReorderRunInput| {
            kassa::inventory::reorder::reorder_run(&r)
        }),
        "inventory.adjust" => call(input, kassa::inventory::adjustment::adjust),
        "inventory.gtin" => call(input, |code: String| {
            kassa::inventory::barcode::validate_gtin(&code)
        }),
        "supply.apply_tracking" => call(input, kassa::supply::ops::apply_tracking_events),
        "supply.receive" => call(input, kassa::supply::ops::receive_goods),
        "supply.transition" => call(input, kassa::supply::ops::transition),
        "supply.fulfillment_progress" => call(input, kassa::supply::ops::progress),
        "forecast.holt_winters" => call(input, kassa::forecast::ops::forecast),
        // optimize (floats rounded to kassa::optimize::ops::DECIMALS in the outputs)
        "optimize.min_variance" => call(input, kassa::optimize::ops::min_variance),
        "optimize.max_sharpe" => call(input, kassa::optimize::ops::max_sharpe),
        "optimize.efficient_return" => call(input, kassa::optimize::ops::efficient_return),
        "optimize.efficient_risk" => call(input, kassa::optimize::ops::efficient_risk),
        "optimize.frontier" => call(input, kassa::optimize::ops::frontier),
        "optimize.var" => call(input, kassa::optimize::ops::var),
        "optimize.qubo_exact" => call(input, kassa::optimize::ops::qubo_exact),
        "optimize.select" => call(input, kassa::optimize::ops::select),
        "optimize.estimate" => call(input, kassa::optimize::ops::estimate),
        "optimize.scenario" => call(input, kassa::optimize::ops::scenario),
        // access / identity / ratelimit
        "access.authorize" => call(input, kassa::access::ops::authorize),
        "identity.validate_registration" => {
            call(input, kassa::identity::ops::validate_registration)
        }
        "identity.normalize_email" => call(input, kassa::identity::ops::normalize_email),
        "ratelimit.sequence" => call(input, kassa::ratelimit::ops::sequence),
        other => Err(KassaError::internal(format!(
            "unknown vector operation '{other}'"
        ))),
    }
}

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            vector_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn all_vectors_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files = Vec::new();
    vector_files(&root, &mut files);
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.display()));
        let op = case["operation"].as_str().expect("operation");
        let got = run(op, case["input"].clone());
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        match (got, case.get("expected"), case.get("expectedError")) {
            (Ok(v), Some(want), None) if &v == want => {}
            (Ok(v), Some(want), None) => {
                failures.push(format!("{name}: result differs\n  want {want}\n  got  {v}"))
            }
            (Err(e), None, Some(want)) => {
                let code_ok = want["code"].as_str() == Some(e.code.as_str());
                let field_ok = want
                    .get("field")
                    .and_then(Value::as_str)
                    .is_none_or(|f| e.details.iter().any(|d| d.field == f));
                if !(code_ok && field_ok) {
                    failures.push(format!("{name}: wrong error {e:?}, want {want}"));
                }
            }
            (Ok(v), None, Some(want)) => {
                failures.push(format!("{name}: expected error {want}, got {v}"))
            }
            (Err(e), Some(_), None) => failures.push(format!("{name}: unexpected error {e}")),
            _ => failures.push(format!(
                "{name}: needs exactly one of expected / expectedError"
            )),
        }
    }
    println!("{} vectors run", files.len());
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
