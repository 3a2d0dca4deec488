//! Kassa's exponential smoothing against Python statsmodels' `ExponentialSmoothing` on the
//! committed fixture (benches/python/forecast_reference.py): every forecast step within 1%.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa::forecast::{fit, Initialization, Seasonality, SmoothingSettings, Trend};
use serde_json::Value;

fn settings(v: &Value) -> SmoothingSettings {
    SmoothingSettings {
        trend: match v["trend"].as_str().unwrap() {
            "add" => Trend::Add,
            _ => Trend::None,
        },
        damped: v["damped"].as_bool().unwrap(),
        seasonal: match v["seasonal"].as_str().unwrap() {
            "add" => Seasonality::Add,
            "mul" => Seasonality::Mul,
            _ => Seasonality::None,
        },
        seasonal_periods: v["seasonalPeriods"].as_u64().map(|m| m as usize),
        initialization_method: Initialization::Heuristic,
        ..SmoothingSettings::default()
    }
}

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forecast_statsmodels.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn heuristic_initial_states_match_statsmodels() {
    for case in fixture()["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let series: Vec<f64> = serde_json::from_value(case["series"].clone()).unwrap();
        let model = fit(&series, &settings(&case["settings"])).unwrap();
        let sm = &case["statsmodels"];
        let p = model.params();
        let l0 = sm["initialLevel"].as_f64().unwrap();
        assert!(
            (p.initial_level - l0).abs() <= 1e-9 * l0.abs().max(1.0),
            "{name}: level {} vs {l0}",
            p.initial_level
        );
        if let (Some(b0), Some(got)) = (sm["initialTrend"].as_f64(), p.initial_trend) {
            assert!(
                (got - b0).abs() <= 1e-9 * b0.abs().max(1.0),
                "{name}: trend {got} vs {b0}"
            );
        }
        if let Some(s0) = sm["initialSeasonal"].as_array().filter(|s| !s.is_empty()) {
            let got = p.initial_seasonal.as_ref().unwrap();
            assert_eq!(got.len(), s0.len(), "{name}");
            for (g, w) in got.iter().zip(s0) {
                let w = w.as_f64().unwrap();
                assert!(
                    (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                    "{name}: seasonal {g} vs {w}"
                );
            }
        }
    }
}

#[test]
fn forecasts_agree_with_statsmodels_within_one_percent_per_step() {
    let mut report = Vec::new();
    for case in fixture()["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let series: Vec<f64> = serde_json::from_value(case["series"].clone()).unwrap();
        let horizon = case["horizon"].as_u64().unwrap() as usize;
        let model = fit(&series, &settings(&case["settings"])).unwrap();
        let sm = &case["statsmodels"];
        let want: Vec<f64> = serde_json::from_value(sm["forecast"].clone()).unwrap();
        let got = model.forecast(horizon);
        let mut worst = 0.0f64;
        for (h, (g, w)) in got.iter().zip(&want).enumerate() {
            let rel = (g - w).abs() / w.abs().max(1e-9);
            worst = worst.max(rel);
            assert!(
                rel <= 0.01,
                "{name}: step {} kassa {g} statsmodels {w} ({:.3}%)",
                h + 1,
                rel * 100.0
            );
        }
        let sse_sm = sm["sse"].as_f64().unwrap();
        let p = model.params();
        println!("{name}: kassa a={:.6} b={:?} g={:?} phi={:?} sse={:.4}; sm a={} b={} g={} phi={} sse={sse_sm}", p.alpha, p.beta, p.gamma, p.phi, model.sse(), sm["alpha"], sm["beta"], sm["gamma"], sm["phi"]);
        // Kassa's optimum must be at least as good as statsmodels' (up to rounding noise).
        assert!(
            model.sse() <= sse_sm * (1.0 + 1e-4),
            "{name}: sse {} vs statsmodels {sse_sm}",
            model.sse()
        );
        report.push(format!(
            "{name}: max step diff {:.4}%, sse kassa {:.3} statsmodels {:.3}, alpha {:.4}/{:.4}",
            worst * 100.0,
            model.sse(),
            sse_sm,
            model.params().alpha,
            sm["alpha"].as_f64().unwrap()
        ));
    }
    println!("{}", report.join("\n"));
}
