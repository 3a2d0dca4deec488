//! Whole operations in the serde form the bindings and the cross-host vectors use.
//!
//! Float outputs are rounded to [`DECIMALS`] places in these forms (the solvers are
//! deterministic, so the rounded values are stable across hosts); the library functions
//! they wrap return unrounded values.

use super::frontier::{self, Frontier};
use super::portfolio::{round_to, PortfolioProblem, PortfolioResult};
use super::qubo::{exact, selection, Qubo, QuboSpec};
use super::returns::{self, Alignment, PriceObservation, PriceTable, ReturnKind};
use super::risk::{self, RiskMeasure, VarMethod, DEFAULT_LEVELS};
use super::scenario::{self, Estimates, Estimator, ScenarioRequest, ScenarioResult};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// Decimal places of float outputs in the operation forms.
pub const DECIMALS: u32 = 6;

/// `optimize.min_variance`.
pub fn min_variance(p: PortfolioProblem) -> Result<PortfolioResult> {
    Ok(p.prepare()?.min_variance()?.rounded(DECIMALS))
}

/// `optimize.max_sharpe`.
pub fn max_sharpe(p: PortfolioProblem) -> Result<PortfolioResult> {
    Ok(p.prepare()?.max_sharpe()?.rounded(DECIMALS))
}

/// A problem with a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TargetRequest {
    /// The problem.
    pub problem: PortfolioProblem,
    /// The target (a return for `efficient_return`, a volatility for `efficient_risk`).
    pub target: f64,
}

/// `optimize.efficient_return`: minimum risk for at least `target` expected return.
pub fn efficient_return(r: TargetRequest) -> Result<PortfolioResult> {
    Ok(r.problem
        .prepare()?
        .efficient_return(r.target)?
        .rounded(DECIMALS))
}

/// `optimize.efficient_risk`: maximum return for at most `target` volatility.
pub fn efficient_risk(r: TargetRequest) -> Result<PortfolioResult> {
    Ok(r.problem
        .prepare()?
        .efficient_risk(r.target)?
        .rounded(DECIMALS))
}

/// A frontier request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct FrontierRequest {
    /// The problem.
    pub problem: PortfolioProblem,
    /// Number of points (≥ 2).
    pub points: usize,
}

/// `optimize.frontier`.
pub fn frontier(r: FrontierRequest) -> Result<Frontier> {
    Ok(frontier::efficient_frontier(&r.problem.prepare()?, r.points)?.rounded(DECIMALS))
}

fn default_levels() -> Vec<f64> {
    DEFAULT_LEVELS.to_vec()
}
fn default_sims() -> usize {
    10_000
}

/// A VaR request: weights and per-period asset returns (rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct VarRequest {
    /// Portfolio weights.
    pub weights: Vec<f64>,
    /// Per-period asset returns, one row per period.
    pub returns: Vec<Vec<f64>>,
    /// Method (default historical).
    #[serde(default)]
    pub method: VarMethod,
    /// Confidence levels (default 0.95 and 0.99).
    #[serde(default = "default_levels")]
    pub confidence_levels: Vec<f64>,
    /// Monte Carlo draws (default 10000).
    #[serde(default = "default_sims")]
    pub simulations: usize,
    /// Monte Carlo seed.
    #[serde(default)]
    pub seed: u64,
}

/// VaR/CVaR per level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct VarReport {
    /// The method used.
    pub method: VarMethod,
    /// Per-period mean portfolio return.
    pub mean: f64,
    /// Per-period portfolio volatility (sample, divisor `T − 1`).
    pub volatility: f64,
    /// One entry per confidence level.
    pub measures: Vec<RiskMeasure>,
}

/// `optimize.var`.
pub fn var(r: VarRequest) -> Result<VarReport> {
    let n = r.weights.len();
    if n == 0 {
        return Err(KassaError::validation("weights", "no weights"));
    }
    if let Some(i) = r.weights.iter().position(|w| !w.is_finite()) {
        return Err(KassaError::validation(
            format!("weights[{i}]"),
            "is not finite",
        ));
    }
    if r.returns.len() < 2 {
        return Err(KassaError::validation(
            "returns",
            "too few observations: at least 2 rows needed",
        ));
    }
    for (t, row) in r.returns.iter().enumerate() {
        if let Some(i) = row.iter().position(|x| !x.is_finite()) {
            return Err(KassaError::validation(
                format!("returns[{t}][{i}]"),
                "is not finite",
            ));
        }
    }
    let pr = risk::portfolio_returns(&r.weights, &r.returns)?;
    let t = pr.len() as f64;
    let mean = pr.iter().sum::<f64>() / t;
    let vol = (pr.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (t - 1.0)).sqrt();
    let measures = match r.method {
        VarMethod::Historical => risk::empirical(&pr, &r.confidence_levels)?,
        VarMethod::Parametric => risk::parametric(mean, vol, &r.confidence_levels)?,
        VarMethod::MonteCarlo => {
            let table = returns::ReturnTable {
                assets: (0..n).map(|i| format!("asset{i}")).collect(),
                dates: (0..r.returns.len()).map(|i| i.to_string()).collect(),
                returns: r.returns.clone(),
            };
            let mu = returns::mean_returns(&table, 1.0);
            let cov = super::covariance::sample_covariance(&table, 1.0)?;
            let flat: Vec<f64> = cov.into_iter().flatten().collect();
            risk::monte_carlo(
                &r.weights,
                &mu,
                &flat,
                &r.confidence_levels,
                r.simulations,
                r.seed,
            )?
        }
    };
    Ok(VarReport {
        method: r.method,
        mean: round_to(mean, DECIMALS + 2),
        volatility: round_to(vol, DECIMALS + 2),
        measures: measures
            .into_iter()
            .map(|m| RiskMeasure {
                confidence: m.confidence,
                var: round_to(m.var, DECIMALS + 2),
                cvar: round_to(m.cvar, DECIMALS + 2),
            })
            .collect(),
    })
}

/// An exact QUBO answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct QuboAnswer {
    /// The minimizing assignment as 0/1.
    pub x: Vec<u8>,
    /// Its energy.
    pub energy: f64,
}

/// `optimize.qubo_exact`.
pub fn qubo_exact(spec: QuboSpec) -> Result<QuboAnswer> {
    let q = Qubo::from_spec(&spec)?;
    let (x, e) = exact::solve(&q)?;
    Ok(QuboAnswer {
        x: x.iter().map(|b| u8::from(*b)).collect(),
        energy: round_to(e, DECIMALS + 2),
    })
}

/// `optimize.select`: budgeted selection with the classical solver (no sampler port).
pub fn select(r: selection::SelectionRequest) -> Result<selection::SelectionResult> {
    let m = r.model()?;
    Ok(m.solve_classical(&r.settings)?.rounded(DECIMALS + 2))
}

/// Where the prices come from: long-form observations or an aligned table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct EstimateRequest {
    /// Long-form observations (aligned with `alignment`).
    #[serde(default)]
    pub observations: Option<Vec<PriceObservation>>,
    /// Or an aligned table.
    #[serde(default)]
    pub prices: Option<PriceTable>,
    /// Alignment of the long form (default intersect).
    #[serde(default)]
    pub alignment: Alignment,
    /// Return kind (default simple).
    #[serde(default)]
    pub return_kind: ReturnKind,
    /// Estimator (default Ledoit-Wolf).
    #[serde(default)]
    pub estimator: Estimator,
    /// Periods per year (default 252).
    #[serde(default)]
    pub periods_per_year: Option<f64>,
}

/// `optimize.estimate`: annualized expected returns and covariance from prices.
pub fn estimate(r: EstimateRequest) -> Result<Estimates> {
    let table = match (r.observations, r.prices) {
        (Some(o), None) => returns::align(&o, r.alignment)?,
        (None, Some(t)) => t,
        _ => {
            return Err(KassaError::validation(
                "observations",
                "give exactly one of observations or prices",
            ))
        }
    };
    let e = scenario::estimate(
        &table,
        r.return_kind,
        r.estimator,
        r.periods_per_year.unwrap_or(252.0),
    )?;
    let d = DECIMALS + 4;
    Ok(Estimates {
        assets: e.assets,
        expected_returns: e.expected_returns.iter().map(|x| round_to(*x, d)).collect(),
        covariance: e
            .covariance
            .iter()
            .map(|row| row.iter().map(|x| round_to(*x, d)).collect())
            .collect(),
        shrinkage: round_to(e.shrinkage, d),
        returns: None,
    })
}

/// `optimize.scenario`.
pub fn scenario(r: ScenarioRequest) -> Result<ScenarioResult> {
    Ok(scenario::run(&r)?.rounded(DECIMALS))
}
