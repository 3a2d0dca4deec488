//! The `QuantumSampler` port and the solve-with-fallback flow.
//!
//! A host may register a sampler (a quantum annealer or a QPU service client). If one is
//! given and reports itself available, it is tried first; its best sample is used if it is
//! feasible (holds the budget, when there is one). Otherwise, or when the sampler fails, the
//! classical solver runs: exact enumeration up to `exactLimit` variables, annealing above.
//! The result names the solver that produced it and why.

use super::anneal::{self, AnnealSettings};
use super::{exact, Qubo};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// A quantum (or any external) QUBO sampler the host implements.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait QuantumSampler: Send + Sync {
    /// A short name for results and logs (e.g. `"dwave-advantage"`).
    fn name(&self) -> String;
    /// Whether the service can take work now (credentials, queue, health).
    async fn available(&self) -> bool;
    /// `reads` samples of low-energy assignments of `qubo`.
    async fn sample(&self, qubo: &Qubo, reads: usize) -> Result<Vec<Vec<bool>>>;
}

/// Which solver produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum SolverKind {
    /// The registered quantum sampler.
    Quantum,
    /// Exact Gray-code enumeration.
    Exact,
    /// Simulated annealing.
    Annealing,
}

/// Which classical solver to use.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum ClassicalChoice {
    /// Exact up to `exactLimit` variables, annealing above.
    #[default]
    Auto,
    /// Always exact (refused above [`exact::MAX_EXACT`]).
    Exact,
    /// Always annealing.
    Annealing,
}

/// Solver settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct SolveSettings {
    /// Classical solver choice.
    pub classical: ClassicalChoice,
    /// Largest `n` solved exactly under `auto` (default 22).
    pub exact_limit: usize,
    /// Annealing settings (also the read count asked of the quantum sampler).
    pub anneal: AnnealSettings,
}

impl Default for SolveSettings {
    fn default() -> Self {
        SolveSettings {
            classical: ClassicalChoice::Auto,
            exact_limit: 22,
            anneal: AnnealSettings::default(),
        }
    }
}

/// A solved QUBO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct QuboSolution {
    /// The assignment.
    pub x: Vec<bool>,
    /// Its energy `E(x)`.
    pub energy: f64,
    /// The solver that produced it.
    pub solver: SolverKind,
    /// Why that solver (e.g. "no quantum sampler registered; n = 12 <= exact limit 22").
    pub reason: String,
    /// Spin updates proposed by annealing (0 for other solvers).
    pub spin_updates: u64,
}

fn feasible(x: &[bool], budget: Option<usize>) -> bool {
    budget.is_none_or(|k| x.iter().filter(|b| **b).count() == k)
}

/// The classical solver alone (no port), with the reason prefix given.
pub fn solve_classical(
    q: &Qubo,
    budget: Option<usize>,
    s: &SolveSettings,
    why: &str,
) -> Result<QuboSolution> {
    let n = q.n();
    let use_exact = match s.classical {
        ClassicalChoice::Exact => true,
        ClassicalChoice::Annealing => false,
        ClassicalChoice::Auto => n <= s.exact_limit.min(exact::MAX_EXACT),
    };
    if use_exact {
        let (x, energy) = exact::solve(q)?;
        let reason = match s.classical {
            ClassicalChoice::Exact => format!("{why}; exact solver requested"),
            _ => format!("{why}; n = {n} <= exact limit {}", s.exact_limit),
        };
        if !feasible(&x, budget) {
            return Err(KassaError::validation(
                "penalty",
                "the exact optimum breaks the budget: the budget penalty is too small",
            ));
        }
        return Ok(QuboSolution {
            x,
            energy,
            solver: SolverKind::Exact,
            reason,
            spin_updates: 0,
        });
    }
    let out = anneal::solve(q, budget, &s.anneal)?;
    let reason = match s.classical {
        ClassicalChoice::Annealing => format!("{why}; annealing requested"),
        _ => format!("{why}; n = {n} > exact limit {}", s.exact_limit),
    };
    Ok(QuboSolution {
        x: out.x,
        energy: out.energy,
        solver: SolverKind::Annealing,
        reason,
        spin_updates: out.spin_updates,
    })
}

/// Solves `q`: the quantum sampler first when registered and available, else (or on its
/// failure) the classical solver.
pub async fn solve(
    q: &Qubo,
    budget: Option<usize>,
    s: &SolveSettings,
    sampler: Option<&dyn QuantumSampler>,
) -> Result<QuboSolution> {
    let Some(sampler) = sampler else {
        return solve_classical(q, budget, s, "no quantum sampler registered");
    };
    let name = sampler.name();
    if !sampler.available().await {
        return solve_classical(
            q,
            budget,
            s,
            &format!("quantum sampler '{name}' unavailable"),
        );
    }
    let why = match sampler.sample(q, s.anneal.reads.max(1)).await {
        Err(e) => format!("quantum sampler '{name}' failed: {}", e.message),
        Ok(samples) => {
            let best = samples
                .into_iter()
                .filter(|x| x.len() == q.n() && feasible(x, budget))
                .map(|x| {
                    let e = q.energy(&x);
                    (x, e)
                })
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match best {
                Some((x, energy)) => {
                    return Ok(QuboSolution {
                        x,
                        energy,
                        solver: SolverKind::Quantum,
                        reason: format!("quantum sampler '{name}' available and answered"),
                        spin_updates: 0,
                    })
                }
                None => format!("quantum sampler '{name}' returned no feasible sample"),
            }
        }
    };
    solve_classical(q, budget, s, &why)
}
