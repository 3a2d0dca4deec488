//! Properties of `pricing::price_cart` (proptest), and the pricing vector blesser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa::pricing::price_cart;
use serde_json::Value;
use std::path::Path;

/// Fills `expected` / `expectedError` of pricing vectors that lack them, after checking the
/// hand-computed figures in their `handChecked` map (JSON pointer → value) against the
/// result. Run with `cargo test -p kassa --test pricing_props -- --ignored bless`.
#[test]
#[ignore = "writes vector files; run by hand when adding vectors"]
fn bless_pricing_vectors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/pricing");
    let mut bad = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let mut case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if case.get("expected").is_some() || case.get("expectedError").is_some() {
            continue;
        }
        let input = serde_json::from_value(case["input"].clone());
        let result = input
            .map_err(|e| kassa::KassaError::validation("input", e.to_string()))
            .and_then(|i| price_cart(&i));
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let out = match result {
            Ok(cart) => serde_json::to_value(cart).unwrap(),
            Err(e) => {
                let field = e.details.first().map(|d| d.field.clone());
                let mut err = serde_json::json!({"code": e.code.as_str()});
                if let Some(f) = field {
                    err["field"] = Value::String(f);
                }
                err
            }
        };
        let mut ok = true;
        if let Some(checks) = case.get("handChecked").and_then(Value::as_object) {
            for (pointer, want) in checks {
                let got = out.pointer(pointer);
                if got != Some(want) {
                    bad.push(format!("{name}: {pointer}: want {want}, got {got:?}"));
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        let key = if out.get("code").is_some() && out.get("lines").is_none() {
            "expectedError"
        } else {
            "expected"
        };
        case[key] = out;
        std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
    }
    assert!(bad.is_empty(), "hand checks failed:\n{}", bad.join("\n"));
}
