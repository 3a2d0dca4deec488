//! The efficient frontier: `N` portfolios of minimum risk for returns evenly spaced from the
//! minimum-variance portfolio's return to the largest achievable return, each solve
//! warm-started from the previous point's active set.

use super::portfolio::{round_to, Prepared};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// One point of the frontier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct FrontierPoint {
    /// Expected return.
    pub expected_return: f64,
    /// Volatility.
    pub volatility: f64,
    /// Sharpe ratio for the problem's risk-free rate.
    pub sharpe: f64,
    /// Weights.
    pub weights: Vec<f64>,
}

/// The frontier, ordered by increasing return (and risk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Frontier {
    /// Asset names.
    pub assets: Vec<String>,
    /// The points.
    pub points: Vec<FrontierPoint>,
    /// QP solves used in all.
    pub solves: usize,
}

impl Frontier {
    /// Every float rounded to `decimals` places.
    pub fn rounded(&self, decimals: u32) -> Self {
        let r = |x: f64| round_to(x, decimals);
        Frontier {
            assets: self.assets.clone(),
            points: self
                .points
                .iter()
                .map(|p| FrontierPoint {
                    expected_return: r(p.expected_return),
                    volatility: r(p.volatility),
                    sharpe: r(p.sharpe),
                    weights: p.weights.iter().map(|w| r(*w)).collect(),
                })
                .collect(),
            solves: self.solves,
        }
    }
}

/// Largest number of frontier points.
pub const MAX_POINTS: usize = 10_000;

/// `points` frontier portfolios (at least 2).
pub fn efficient_frontier(p: &Prepared, points: usize) -> Result<Frontier> {
    if !(2..=MAX_POINTS).contains(&points) {
        return Err(KassaError::validation(
            "points",
            format!("must be between 2 and {MAX_POINTS}"),
        ));
    }
    let mv = p.min_variance()?;
    let (rmax, _) = p.max_return();
    let r0 = mv.expected_return;
    let mut out = Vec::with_capacity(points);
    let mut solves = mv.convergence.solves;
    out.push(FrontierPoint {
        expected_return: mv.expected_return,
        volatility: mv.volatility,
        sharpe: mv.sharpe,
        weights: mv.weights,
    });
    let mut warm = None;
    for k in 1..points {
        let target = r0 + (rmax - r0) * (k as f64) / ((points - 1) as f64);
        let (res, w) = p.efficient_return_warm(target, warm.as_ref())?;
        solves += res.convergence.solves;
        warm = Some(w);
        out.push(FrontierPoint {
            expected_return: res.expected_return,
            volatility: res.volatility,
            sharpe: res.sharpe,
            weights: res.weights,
        });
    }
    Ok(Frontier {
        assets: p.assets.clone(),
        points: out,
        solves,
    })
}
