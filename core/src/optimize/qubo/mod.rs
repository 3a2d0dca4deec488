//! QUBO models and solvers: minimize `E(x) = offset + Σ_i h_i x_i + Σ_{i<j} J_ij x_i x_j`
//! over `x ∈ {0,1}ⁿ`.
//!
//! - [`exact`]: Gray-code enumeration (one bit flip and an `O(n)` field update per state),
//!   up to [`exact::MAX_EXACT`] variables;
//! - [`anneal`]: simulated annealing, single flips or budget-preserving swaps, seeded;
//! - [`sampler`]: the [`QuantumSampler`] port, tried first when registered and available,
//!   with the classical solver as fallback; the result says which solver answered and why;
//! - [`selection`]: budgeted asset selection (exactly `K` of `n`) as a QUBO.

pub mod anneal;
pub mod exact;
pub mod sampler;
pub mod selection;

pub use sampler::{solve, QuantumSampler, QuboSolution, SolveSettings, SolverKind};

use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// A QUBO in symmetric dense form.
#[derive(Debug, Clone, PartialEq)]
pub struct Qubo {
    n: usize,
    /// Linear terms `h_i`.
    h: Vec<f64>,
    /// Couplings `J_ij = J_ji` (diagonal zero), row-major `n×n`.
    j: Vec<f64>,
    offset: f64,
}

/// The serde form of a QUBO: an upper-triangular (or full) matrix `Q` with
/// `E(x) = offset + Σ_i Q_ii x_i + Σ_{i≠j} Q_ij x_i x_j` (a full matrix's two halves add).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct QuboSpec {
    /// The square matrix `Q`.
    pub matrix: Vec<Vec<f64>>,
    /// Constant added to every energy.
    #[serde(default)]
    pub offset: f64,
}

impl Qubo {
    /// An all-zero QUBO on `n` variables.
    pub fn new(n: usize) -> Self {
        Qubo {
            n,
            h: vec![0.0; n],
            j: vec![0.0; n * n],
            offset: 0.0,
        }
    }

    /// Builds from the serde form.
    pub fn from_spec(spec: &QuboSpec) -> Result<Self> {
        let n = spec.matrix.len();
        if n == 0 {
            return Err(KassaError::validation("matrix", "is empty"));
        }
        if !spec.offset.is_finite() {
            return Err(KassaError::validation("offset", "is not finite"));
        }
        let mut q = Qubo::new(n);
        q.offset = spec.offset;
        for (i, row) in spec.matrix.iter().enumerate() {
            if row.len() != n {
                return Err(KassaError::validation(
                    format!("matrix[{i}]"),
                    format!("has {} entries, expected {n}", row.len()),
                ));
            }
            for (j, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(KassaError::validation(
                        format!("matrix[{i}][{j}]"),
                        "is not finite",
                    ));
                }
                if i == j {
                    q.add_linear(i, *v);
                } else {
                    q.add_coupling(i, j, *v);
                }
            }
        }
        Ok(q)
    }

    /// Number of variables.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Adds `v·x_i`.
    pub fn add_linear(&mut self, i: usize, v: f64) {
        if let Some(h) = self.h.get_mut(i) {
            *h += v;
        }
    }

    /// Adds `v·x_i·x_j` (`i ≠ j`; for `i == j` this is linear since `x² = x`).
    pub fn add_coupling(&mut self, i: usize, j: usize, v: f64) {
        if i == j {
            self.add_linear(i, v);
            return;
        }
        let n = self.n;
        if let Some(x) = self.j.get_mut(i * n + j) {
            *x += v;
        }
        if let Some(x) = self.j.get_mut(j * n + i) {
            *x += v;
        }
    }

    /// Adds a constant.
    pub fn add_offset(&mut self, v: f64) {
        self.offset += v;
    }

    /// The constant term.
    pub fn offset(&self) -> f64 {
        self.offset
    }

    /// `h_i`.
    pub fn linear(&self, i: usize) -> f64 {
        self.h.get(i).copied().unwrap_or(0.0)
    }

    /// `J_ij`.
    pub fn coupling(&self, i: usize, j: usize) -> f64 {
        self.j.get(i * self.n + j).copied().unwrap_or(0.0)
    }

    pub(crate) fn row(&self, i: usize) -> &[f64] {
        self.j.get(i * self.n..(i + 1) * self.n).unwrap_or(&[])
    }

    /// `E(x)`.
    pub fn energy(&self, x: &[bool]) -> f64 {
        let mut e = self.offset;
        for i in 0..self.n {
            if !x.get(i).copied().unwrap_or(false) {
                continue;
            }
            e += self.linear(i);
            for j in (i + 1)..self.n {
                if x.get(j).copied().unwrap_or(false) {
                    e += self.coupling(i, j);
                }
            }
        }
        e
    }

    /// Local fields `f_i = h_i + Σ_{j≠i} J_ij x_j`; flipping `i` changes `E` by
    /// `(1 − 2x_i)·f_i`.
    pub(crate) fn fields(&self, x: &[bool]) -> Vec<f64> {
        (0..self.n)
            .map(|i| {
                self.linear(i)
                    + self
                        .row(i)
                        .iter()
                        .zip(x)
                        .filter(|(_, b)| **b)
                        .map(|(v, _)| v)
                        .sum::<f64>()
            })
            .collect()
    }

    /// Largest `|h_i| + Σ_j |J_ij|`: a bound on any single flip's energy change.
    pub fn max_flip(&self) -> f64 {
        (0..self.n)
            .map(|i| self.linear(i).abs() + self.row(i).iter().map(|v| v.abs()).sum::<f64>())
            .fold(0.0, f64::max)
    }
}
