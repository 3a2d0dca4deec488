//! Runs kassa's mean-variance solver on problems read as JSON from stdin and writes the
//! weights and timings as JSON to stdout: the Rust side of `benches/python/portfolio_peer.py`.
//!
//! Input: `{"repeats": 5, "problems": [{"objective": "min_variance" | "max_sharpe",
//! "problem": <PortfolioProblem serde form>}]}`. Output: `[{"weights": [...],
//! "seconds": <median wall time of one solve including validation>}]`.
#![allow(clippy::print_stdout)]

use kassa::optimize::portfolio::PortfolioProblem;
use serde_json::{json, Value};
use std::io::Read;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let req: Value = serde_json::from_str(&input)?;
    let repeats = req
        .get("repeats")
        .and_then(Value::as_u64)
        .unwrap_or(5)
        .max(1) as usize;
    let mut out = Vec::new();
    for item in req
        .get("problems")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let objective = item
            .get("objective")
            .and_then(Value::as_str)
            .unwrap_or("min_variance")
            .to_string();
        let problem: PortfolioProblem =
            serde_json::from_value(item.get("problem").cloned().unwrap_or(Value::Null))?;
        let mut times = Vec::with_capacity(repeats);
        let mut weights = Vec::new();
        for _ in 0..repeats {
            let t = Instant::now();
            let prep = problem.prepare()?;
            let r = if objective == "max_sharpe" {
                prep.max_sharpe()?
            } else {
                prep.min_variance()?
            };
            times.push(t.elapsed().as_secs_f64());
            weights = r.weights;
        }
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
        out.push(json!({"weights": weights, "seconds": median}));
    }
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}
