//! Budgeted selection: choose exactly `K` of `n` assets maximizing
//! `return − λ·risk` of the equal-weight portfolio on the chosen assets, as a QUBO:
//!
//! `E(x) = −Σ_i μ_i x_i / K + λ·Σ_ij σ_ij x_i x_j / K² + P·(Σ_i x_i − K)²`
//!
//! The penalty `P` defaults to `2·max_i(|μ_i|/K + λ·Σ_j |σ_ij|·2/K²) + 1e-9`: larger than any
//! single flip's change of the objective part, so a state off the budget is never a
//! minimum. Annealing keeps the budget exactly with swap moves (the penalty then is
//! constant).

use super::sampler::{self, QuantumSampler, SolveSettings, SolverKind};
use super::Qubo;
use crate::error::{KassaError, Result};
use crate::optimize::covariance;
use crate::optimize::portfolio::round_to;
use serde::{Deserialize, Serialize};

/// A budgeted selection request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SelectionRequest {
    /// Asset names (optional).
    #[serde(default)]
    pub assets: Vec<String>,
    /// Expected returns `μ`.
    pub expected_returns: Vec<f64>,
    /// Covariance `Σ`.
    pub covariance: Vec<Vec<f64>>,
    /// How many assets to choose (`K`, 1 ≤ K ≤ n).
    pub budget: usize,
    /// Risk aversion `λ ≥ 0`.
    pub risk_aversion: f64,
    /// Budget penalty `P` (default: see the module docs).
    #[serde(default)]
    pub penalty: Option<f64>,
    /// Solver settings.
    #[serde(default)]
    pub settings: SolveSettings,
}

/// A budgeted selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct SelectionResult {
    /// Names of the chosen assets, in input order.
    pub selected: Vec<String>,
    /// Their indices.
    pub indices: Vec<usize>,
    /// `return − λ·risk` of the equal-weight portfolio on them.
    pub objective: f64,
    /// Expected return of that portfolio.
    pub expected_return: f64,
    /// Its variance.
    pub variance: f64,
    /// The QUBO energy (`−objective` when the budget holds).
    pub energy: f64,
    /// Which solver produced it.
    pub solver: SolverKind,
    /// Why that solver.
    pub reason: String,
    /// Annealing spin updates (0 for other solvers).
    pub spin_updates: u64,
}

impl SelectionResult {
    /// Floats rounded to `decimals` places.
    pub fn rounded(&self, decimals: u32) -> Self {
        SelectionResult {
            objective: round_to(self.objective, decimals),
            expected_return: round_to(self.expected_return, decimals),
            variance: round_to(self.variance, decimals),
            energy: round_to(self.energy, decimals),
            ..self.clone()
        }
    }
}

/// The selection QUBO and the model data it was built from.
#[derive(Debug, Clone)]
pub struct SelectionModel {
    /// The QUBO.
    pub qubo: Qubo,
    /// The penalty used.
    pub penalty: f64,
    names: Vec<String>,
    mu: Vec<f64>,
    sigma: Vec<f64>,
    budget: usize,
    lambda: f64,
}

impl SelectionRequest {
    /// Validates and builds the QUBO.
    pub fn model(&self) -> Result<SelectionModel> {
        let n = self.expected_returns.len();
        if n == 0 {
            return Err(KassaError::validation("expectedReturns", "no assets"));
        }
        if let Some(i) = self.expected_returns.iter().position(|x| !x.is_finite()) {
            return Err(KassaError::validation(
                format!("expectedReturns[{i}]"),
                "is not finite",
            ));
        }
        let sigma = covariance::validate(&self.covariance, n, "covariance")?;
        if self.budget == 0 || self.budget > n {
            return Err(KassaError::validation(
                "budget",
                format!("must be between 1 and {n}"),
            ));
        }
        if !(self.risk_aversion.is_finite() && self.risk_aversion >= 0.0) {
            return Err(KassaError::validation(
                "riskAversion",
                "must be non-negative",
            ));
        }
        let names = if self.assets.is_empty() {
            (0..n).map(|i| format!("asset{i}")).collect()
        } else if self.assets.len() == n {
            self.assets.clone()
        } else {
            return Err(KassaError::validation("assets", "one name per asset"));
        };
        let k = self.budget as f64;
        let lam = self.risk_aversion;
        let mut q = Qubo::new(n);
        let mut flip = 0.0f64;
        for i in 0..n {
            let mu = self.expected_returns.get(i).copied().unwrap_or(0.0);
            let sii = sigma.get(i * n + i).copied().unwrap_or(0.0);
            q.add_linear(i, -mu / k + lam * sii / (k * k));
            let mut row = 0.0;
            for j in 0..n {
                let s = sigma.get(i * n + j).copied().unwrap_or(0.0);
                row += s.abs();
                if j > i {
                    q.add_coupling(i, j, 2.0 * lam * s / (k * k));
                }
            }
            flip = flip.max(mu.abs() / k + lam * row * 2.0 / (k * k));
        }
        let penalty = match self.penalty {
            Some(p) if p.is_finite() && p > 0.0 => p,
            Some(_) => return Err(KassaError::validation("penalty", "must be positive")),
            None => 2.0 * flip + 1e-9,
        };
        // P (Σx − K)² = P (Σ_i x_i (1 − 2K) + 2 Σ_{i<j} x_i x_j + K²)
        for i in 0..n {
            q.add_linear(i, penalty * (1.0 - 2.0 * k));
            for j in (i + 1)..n {
                q.add_coupling(i, j, 2.0 * penalty);
            }
        }
        q.add_offset(penalty * k * k);
        Ok(SelectionModel {
            qubo: q,
            penalty,
            names,
            mu: self.expected_returns.clone(),
            sigma,
            budget: self.budget,
            lambda: lam,
        })
    }
}

impl SelectionModel {
    /// The budget `K`.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// `(return, variance, return − λ·variance)` of the equal-weight portfolio on `x`.
    pub fn evaluate(&self, x: &[bool]) -> (f64, f64, f64) {
        let n = self.mu.len();
        let chosen: Vec<usize> = (0..n).filter(|i| x.get(*i) == Some(&true)).collect();
        let k = chosen.len().max(1) as f64;
        let ret: f64 = chosen
            .iter()
            .map(|i| self.mu.get(*i).copied().unwrap_or(0.0))
            .sum::<f64>()
            / k;
        let mut var = 0.0;
        for i in &chosen {
            for j in &chosen {
                var += self.sigma.get(i * n + j).copied().unwrap_or(0.0);
            }
        }
        var /= k * k;
        (ret, var, ret - self.lambda * var)
    }

    fn result(&self, sol: sampler::QuboSolution) -> SelectionResult {
        let (ret, var, obj) = self.evaluate(&sol.x);
        let indices: Vec<usize> = (0..sol.x.len())
            .filter(|i| sol.x.get(*i) == Some(&true))
            .collect();
        SelectionResult {
            selected: indices
                .iter()
                .filter_map(|i| self.names.get(*i).cloned())
                .collect(),
            indices,
            objective: obj,
            expected_return: ret,
            variance: var,
            energy: sol.energy,
            solver: sol.solver,
            reason: sol.reason,
            spin_updates: sol.spin_updates,
        }
    }

    /// Solves with the quantum sampler first (when given) and the classical fallback.
    pub async fn solve(
        &self,
        settings: &SolveSettings,
        sampler: Option<&dyn QuantumSampler>,
    ) -> Result<SelectionResult> {
        let sol = sampler::solve(&self.qubo, Some(self.budget), settings, sampler).await?;
        Ok(self.result(sol))
    }

    /// Solves classically (no port).
    pub fn solve_classical(&self, settings: &SolveSettings) -> Result<SelectionResult> {
        let sol = sampler::solve_classical(
            &self.qubo,
            Some(self.budget),
            settings,
            "no quantum sampler registered",
        )?;
        Ok(self.result(sol))
    }
}
