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

/// Every host runs the same files through the same table: `kassa::host::ops::call`.
fn run(operation: &str, input: Value) -> Result<Value, KassaError> {
    kassa::host::ops::call(operation, input)
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
        // The text fast path the bindings use must agree exactly with the JSON path.
        let text = kassa::host::ops::call_str(op, &case["input"].to_string());
        let name_for_text = file.strip_prefix(&root).unwrap().display().to_string();
        match (&got, &text) {
            (Ok(v), Ok(t)) if *v == serde_json::from_str::<Value>(t).unwrap() => {}
            (Err(a), Err(b)) if a.code == b.code && a.details == b.details => {}
            _ => failures.push(format!(
                "{name_for_text}: call and call_str disagree: {got:?} vs {text:?}"
            )),
        }
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
