//! Times Kassa's fit on every series of the statsmodels fixture (same series, same settings)
//! and prints `{"<case>": best microseconds, ...}`; `scripts/test.d/forecast.sh` prints the
//! ratio against statsmodels' fit time measured in the same run.
//!
//! Usage: `forecast_timing <fixture.json> [repeats]`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use kassa::forecast::{fit, Seasonality, SmoothingSettings, Trend};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: forecast_timing <fixture.json> [repeats]");
    let repeats: usize = args.next().map(|r| r.parse().unwrap()).unwrap_or(200);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = serde_json::Map::new();
    for case in v["cases"].as_array().unwrap() {
        let s = &case["settings"];
        let settings = SmoothingSettings {
            trend: if s["trend"] == "add" {
                Trend::Add
            } else {
                Trend::None
            },
            damped: s["damped"].as_bool().unwrap(),
            seasonal: match s["seasonal"].as_str().unwrap() {
                "add" => Seasonality::Add,
                "mul" => Seasonality::Mul,
                _ => Seasonality::None,
            },
            seasonal_periods: s["seasonalPeriods"].as_u64().map(|m| m as usize),
            ..SmoothingSettings::default()
        };
        let y: Vec<f64> = serde_json::from_value(case["series"].clone()).unwrap();
        let horizon = case["horizon"].as_u64().unwrap() as usize;
        std::hint::black_box(fit(&y, &settings).unwrap().forecast(horizon));
        let mut best = f64::INFINITY;
        for _ in 0..repeats {
            let t = Instant::now();
            std::hint::black_box(
                fit(std::hint::black_box(&y), &settings)
                    .unwrap()
                    .forecast(horizon),
            );
            best = best.min(t.elapsed().as_secs_f64());
        }
        out.insert(
            case["name"].as_str().unwrap().to_string(),
            serde_json::json!(best * 1e6),
        );
    }
    println!("{}", serde_json::Value::Object(out));
}
