//! Simulated annealing (Metropolis, geometric inverse-temperature schedule), seeded.
//!
//! Without a budget, a move flips one bit (`ΔE = (1 − 2x_i)·f_i`). With a budget `K`, the
//! state always holds exactly `K` ones and a move swaps a chosen `i` with an unchosen `j`
//! (`ΔE = f_j − J_ij − f_i`), so the budget penalty never changes and the walk stays
//! feasible. A sweep is `n` proposals; `β` runs geometrically from `ln 2 / ΔE_max` (hot:
//! the largest move accepted with odds ½) to `ln 100 / ΔE_min` (cold), like `dwave-samplers`.

use super::Qubo;
use crate::error::{KassaError, Result};
use crate::optimize::risk::portable_exp;
use crate::optimize::rng::Xoshiro256;
use serde::{Deserialize, Serialize};

/// Annealing settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct AnnealSettings {
    /// Sweeps per read (default 1000).
    pub sweeps: usize,
    /// Independent reads (restarts); the best is kept (default 16).
    pub reads: usize,
    /// Seed of the PRNG; read `r` uses the stream seeded with `seed + r`.
    pub seed: u64,
}

impl Default for AnnealSettings {
    fn default() -> Self {
        AnnealSettings {
            sweeps: 1000,
            reads: 16,
            seed: 0,
        }
    }
}

/// The best state found and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnealOutcome {
    /// Best assignment over all reads.
    pub x: Vec<bool>,
    /// Its energy.
    pub energy: f64,
    /// Proposed moves (spin updates) in all reads: divide wall time by this for the cost per
    /// spin update.
    pub spin_updates: u64,
}

fn schedule(q: &Qubo) -> (f64, f64) {
    let mut dmax = q.max_flip();
    let mut dmin = f64::INFINITY;
    for i in 0..q.n() {
        let h = q.linear(i).abs();
        if h > 0.0 {
            dmin = dmin.min(h);
        }
        for v in q.row(i) {
            if v.abs() > 0.0 {
                dmin = dmin.min(v.abs());
            }
        }
    }
    if dmax.is_nan() || dmax <= 0.0 {
        dmax = 1.0;
    }
    if !dmin.is_finite() || dmin <= 0.0 {
        dmin = dmax;
    }
    (
        std::f64::consts::LN_2 / dmax,
        portable_ln_100() / dmin.min(dmax),
    )
}

fn portable_ln_100() -> f64 {
    4.605_170_185_988_091
}

/// Anneals `q`; `budget` keeps exactly that many ones.
pub fn solve(q: &Qubo, budget: Option<usize>, s: &AnnealSettings) -> Result<AnnealOutcome> {
    let n = q.n();
    if n == 0 {
        return Err(KassaError::validation("matrix", "is empty"));
    }
    if s.sweeps == 0 || s.reads == 0 || s.sweeps > 10_000_000 || s.reads > 100_000 {
        return Err(KassaError::validation(
            "anneal",
            "sweeps and reads must be positive (sweeps at most 1e7, reads at most 1e5)",
        ));
    }
    if let Some(k) = budget {
        if k > n {
            return Err(KassaError::validation(
                "budget",
                format!("budget {k} is larger than the {n} variables"),
            ));
        }
    }
    let (beta0, beta1) = schedule(q);
    let ratio = if s.sweeps > 1 {
        // geometric steps without powf: exp(ln(b1/b0)/(sweeps-1))
        portable_exp(crate::optimize::rng::portable_ln(beta1 / beta0) / (s.sweeps - 1) as f64)
    } else {
        1.0
    };
    let mut best: Option<(Vec<bool>, f64)> = None;
    let mut updates: u64 = 0;
    for read in 0..s.reads {
        let mut rng = Xoshiro256::new(s.seed.wrapping_add(read as u64));
        let mut x = vec![false; n];
        match budget {
            Some(k) => {
                // a random K-subset (partial Fisher-Yates)
                let mut idx: Vec<usize> = (0..n).collect();
                for a in 0..k {
                    let b = a + rng.below(n - a);
                    idx.swap(a, b);
                }
                for i in idx.iter().take(k) {
                    if let Some(xi) = x.get_mut(*i) {
                        *xi = true;
                    }
                }
            }
            None => {
                for xi in x.iter_mut() {
                    *xi = rng.next_u64() >> 63 == 1;
                }
            }
        }
        let mut f = q.fields(&x);
        let mut e = q.energy(&x);
        let mut read_best = (x.clone(), e);
        let mut ones: Vec<usize> = (0..n).filter(|i| x.get(*i) == Some(&true)).collect();
        let mut zeros: Vec<usize> = (0..n).filter(|i| x.get(*i) == Some(&false)).collect();
        let mut beta = beta0;
        for _ in 0..s.sweeps {
            for _ in 0..n {
                updates += 1;
                match budget {
                    Some(_) => {
                        if ones.is_empty() || zeros.is_empty() {
                            break;
                        }
                        let a = rng.below(ones.len());
                        let b = rng.below(zeros.len());
                        let (Some(&i), Some(&j)) = (ones.get(a), zeros.get(b)) else {
                            continue;
                        };
                        let d = f.get(j).copied().unwrap_or(0.0)
                            - q.coupling(i, j)
                            - f.get(i).copied().unwrap_or(0.0);
                        if d <= 0.0 || rng.next_f64() < portable_exp(-beta * d) {
                            e += d;
                            for ((fk, jki), jkj) in f.iter_mut().zip(q.row(i)).zip(q.row(j)) {
                                *fk += jkj - jki;
                            }
                            if let Some(v) = x.get_mut(i) {
                                *v = false;
                            }
                            if let Some(v) = x.get_mut(j) {
                                *v = true;
                            }
                            if let Some(v) = ones.get_mut(a) {
                                *v = j;
                            }
                            if let Some(v) = zeros.get_mut(b) {
                                *v = i;
                            }
                        }
                    }
                    None => {
                        let i = rng.below(n);
                        let xi = x.get(i).copied().unwrap_or(false);
                        let sign = if xi { -1.0 } else { 1.0 };
                        let d = sign * f.get(i).copied().unwrap_or(0.0);
                        if d <= 0.0 || rng.next_f64() < portable_exp(-beta * d) {
                            e += d;
                            for (fk, jki) in f.iter_mut().zip(q.row(i)) {
                                *fk += sign * jki;
                            }
                            if let Some(v) = x.get_mut(i) {
                                *v = !xi;
                            }
                        }
                    }
                }
                if e < read_best.1 {
                    read_best = (x.clone(), e);
                }
            }
            beta *= ratio;
        }
        let exact_e = q.energy(&read_best.0);
        if best.as_ref().is_none_or(|(_, b)| exact_e < *b) {
            best = Some((read_best.0, exact_e));
        }
    }
    let Some((x, energy)) = best else {
        return Err(KassaError::internal("annealing produced no read"));
    };
    Ok(AnnealOutcome {
        x,
        energy,
        spin_updates: updates,
    })
}
