//! Mean-variance portfolios: minimum variance, minimum risk for a target return, maximum
//! return for a target risk, maximum Sharpe ratio; long-only by default, per-asset bounds,
//! group (sector) caps, weights summing to 1.
//!
//! Every problem reduces to the parametric QP `min ½wᵀΣw − t·μᵀw` over the feasible set
//! (`t = 0` is minimum variance; `t → ∞` the maximum return). On a fixed active set the
//! solution is a line `w(t) = a + t·b`, so the target return, the target risk and the
//! Sharpe-maximizing `t` have closed forms on it; the search moves from active set to
//! active set (warm-started) until the closed-form `t` lies on the set that produced it.
//! For the Sharpe ratio, with `p = μᵀa − r_f`, `q = μᵀb`, `A = aᵀΣa`, `B = aᵀΣb`,
//! `C = bᵀΣb`, the maximizer of `(p + qt) / √(A + 2Bt + Ct²)` is
//! `t* = (pB − qA) / (qB − pC)`. This is exact, like the homogenisation
//! `min yᵀΣy s.t. (μ − r_f)ᵀy = 1` (both find the tangency portfolio); see docs/optimize.md.

use super::cholesky::Cholesky;
use super::covariance::{self, PsdPolicy};
use super::qp::{self, Constraints, Face, Solution};
use crate::error::{KassaError, Result};
use crate::text::Plain;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A cap on the total weight of a group (sector) of assets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct GroupCap {
    /// Group name (for messages).
    pub name: String,
    /// Member asset names (from the problem's `assets`); an asset is in at most one group.
    pub assets: Vec<String>,
    /// Largest total weight of the members.
    pub max: f64,
}

/// A mean-variance problem in its serde form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioProblem {
    /// Asset names (optional; default `asset0`, `asset1`, ...).
    #[serde(default)]
    pub assets: Vec<String>,
    /// Expected (annual) returns `μ`.
    pub expected_returns: Vec<f64>,
    /// Covariance matrix `Σ` (symmetric, positive definite unless `psd` says otherwise).
    pub covariance: Vec<Vec<f64>>,
    /// Per-asset lower bounds (default 0: long-only).
    #[serde(default)]
    pub lower: Option<Vec<f64>>,
    /// Per-asset upper bounds (default 1).
    #[serde(default)]
    pub upper: Option<Vec<f64>>,
    /// A cap applied to every asset on top of `upper` (e.g. 0.05).
    #[serde(default)]
    pub max_weight: Option<f64>,
    /// Group (sector) caps.
    #[serde(default)]
    pub groups: Vec<GroupCap>,
    /// Risk-free rate for the Sharpe ratio.
    #[serde(default)]
    pub risk_free_rate: f64,
    /// Handling of a covariance that is not positive definite.
    #[serde(default)]
    pub psd: PsdPolicy,
}

/// A validated problem, ready for the solver.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Asset names.
    pub assets: Vec<String>,
    /// Expected returns.
    pub mu: Vec<f64>,
    /// Covariance, row-major `n×n`.
    pub sigma: Vec<f64>,
    /// Lower bounds.
    pub lower: Vec<f64>,
    /// Upper bounds.
    pub upper: Vec<f64>,
    group_of: Vec<Option<usize>>,
    caps: Vec<f64>,
    /// Risk-free rate.
    pub risk_free_rate: f64,
    /// Eigenvalues raised by the positive-definite repair (0 when none).
    pub repaired_eigenvalues: usize,
    /// The Cholesky factor of `sigma`: the `check` policy's, or the solver's first
    /// all-free face's.
    factor: OnceLock<Cholesky>,
}

/// How the solver got there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Convergence {
    /// `pdas` (primal-dual active set) or `active_set` (primal fallback).
    pub method: String,
    /// Active-set iterations of the last solve.
    pub iterations: usize,
    /// QP solves (more than one for target and Sharpe searches).
    pub solves: usize,
    /// Largest dual-feasibility violation, relative to the gradient (0 at the optimum).
    pub kkt_residual: f64,
    /// Largest constraint violation.
    pub max_violation: f64,
    /// Eigenvalues raised by the positive-definite repair.
    pub repaired_eigenvalues: usize,
}

/// An optimized portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioResult {
    /// Asset names.
    pub assets: Vec<String>,
    /// Weights, summing to 1.
    pub weights: Vec<f64>,
    /// `μᵀw`.
    pub expected_return: f64,
    /// `√(wᵀΣw)`.
    pub volatility: f64,
    /// `(μᵀw − r_f) / √(wᵀΣw)` (0 when the volatility is 0).
    pub sharpe: f64,
    /// Solver data.
    pub convergence: Convergence,
}

/// Rounds to `decimals` places (half away from zero), turning `-0` into `0`.
pub fn round_to(x: f64, decimals: u32) -> f64 {
    let f = 10f64.powi(decimals as i32);
    let r = (x * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

impl PortfolioResult {
    /// The result with every float rounded to `decimals` places: the form the cross-host
    /// vectors compare (the solver is deterministic, so 8 places are stable; vectors use 6).
    pub fn rounded(&self, decimals: u32) -> Self {
        let r = |x: f64| round_to(x, decimals);
        PortfolioResult {
            assets: self.assets.clone(),
            weights: self.weights.iter().map(|w| r(*w)).collect(),
            expected_return: r(self.expected_return),
            volatility: r(self.volatility),
            sharpe: r(self.sharpe),
            convergence: Convergence {
                kkt_residual: r(self.convergence.kkt_residual),
                max_violation: r(self.convergence.max_violation),
                ..self.convergence.clone()
            },
        }
    }
}

fn finite(field: &str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(KassaError::validation(
            format!("{field}[{i}]"),
            "is not finite",
        )),
        None => Ok(()),
    }
}

impl PortfolioProblem {
    /// Validates and prepares the problem.
    ///
    /// `VALIDATION_ERROR` for: sizes that differ, non-finite numbers, a lower bound above its
    /// upper bound, bounds that cannot sum to 1 (naming the sums), group caps that make the
    /// budget unreachable, an asset in two groups, a covariance that is not symmetric or
    /// not positive definite (unless `psd` is `repair` or `trust`), and variances spread over
    /// more than [`covariance::MAX_VARIANCE_SPREAD`].
    pub fn prepare(&self) -> Result<Prepared> {
        let n = self.expected_returns.len();
        if n == 0 {
            return Err(KassaError::validation("expectedReturns", "no assets"));
        }
        finite("expectedReturns", &self.expected_returns)?;
        let assets: Vec<String> = if self.assets.is_empty() {
            (0..n).map(|i| format!("asset{i}")).collect()
        } else if self.assets.len() == n {
            self.assets.clone()
        } else {
            return Err(KassaError::validation(
                "assets",
                format!("{} names for {n} expected returns", self.assets.len()),
            ));
        };
        let mut sigma = covariance::validate(&self.covariance, n, "covariance")?;
        covariance::check_spread(&sigma, n, "covariance")?;
        let lower = self.lower.clone().unwrap_or_else(|| vec![0.0; n]);
        let mut upper = self.upper.clone().unwrap_or_else(|| vec![1.0; n]);
        for (field, v) in [("lower", &lower), ("upper", &upper)] {
            if v.len() != n {
                return Err(KassaError::validation(
                    field,
                    format!("{} bounds for {n} assets", v.len()),
                ));
            }
            finite(field, v)?;
        }
        if let Some(m) = self.max_weight {
            if !(m.is_finite() && m > 0.0) {
                return Err(KassaError::validation("maxWeight", "must be positive"));
            }
            for u in &mut upper {
                *u = u.min(m);
            }
        }
        for (i, (l, u)) in lower.iter().zip(&upper).enumerate() {
            if l > u {
                return Err(KassaError::validation(
                    format!("lower[{i}]"),
                    format!(
                        "lower bound {} of '{}' is above its upper bound {}",
                        Plain(*l),
                        assets.get(i).map_or("", String::as_str),
                        Plain(*u)
                    ),
                ));
            }
        }
        let sum_l: f64 = lower.iter().sum();
        let sum_u: f64 = upper.iter().sum();
        if sum_l > 1.0 + 1e-12 {
            return Err(KassaError::validation(
                "lower",
                format!(
                    "infeasible bounds: lower bounds sum to {} > 1",
                    Plain(sum_l)
                ),
            ));
        }
        if sum_u < 1.0 - 1e-12 {
            return Err(KassaError::validation(
                "upper",
                format!(
                    "infeasible bounds: upper bounds sum to {} < 1",
                    Plain(sum_u)
                ),
            ));
        }
        let mut group_of: Vec<Option<usize>> = vec![None; n];
        let mut caps = Vec::with_capacity(self.groups.len());
        for (g, grp) in self.groups.iter().enumerate() {
            if !(grp.max.is_finite() && grp.max >= 0.0) {
                return Err(KassaError::validation(
                    format!("groups[{g}].max"),
                    "must be a non-negative number",
                ));
            }
            let mut low_sum = 0.0;
            for (k, name) in grp.assets.iter().enumerate() {
                let Some(i) = assets.iter().position(|a| a == name) else {
                    return Err(KassaError::validation(
                        format!("groups[{g}].assets[{k}]"),
                        format!("unknown asset '{name}'"),
                    ));
                };
                match group_of.get_mut(i) {
                    Some(slot @ None) => *slot = Some(g),
                    _ => {
                        return Err(KassaError::validation(
                            format!("groups[{g}].assets[{k}]"),
                            format!("asset '{name}' is in more than one group"),
                        ))
                    }
                }
                low_sum += lower.get(i).copied().unwrap_or(0.0);
            }
            if low_sum > grp.max + 1e-12 {
                return Err(KassaError::validation(
                    format!("groups[{g}].max"),
                    format!(
                        "infeasible group '{}': its lower bounds sum to {} > cap {}",
                        grp.name,
                        Plain(low_sum),
                        Plain(grp.max)
                    ),
                ));
            }
            caps.push(grp.max);
        }
        let mut reachable = 0.0;
        let mut per_group = vec![0.0; caps.len()];
        for (i, u) in upper.iter().enumerate() {
            match group_of.get(i).copied().flatten() {
                Some(g) => {
                    if let Some(x) = per_group.get_mut(g) {
                        *x += u;
                    }
                }
                None => reachable += u,
            }
        }
        for (s, c) in per_group.iter().zip(&caps) {
            reachable += s.min(*c);
        }
        if reachable < 1.0 - 1e-12 {
            return Err(KassaError::validation(
                "groups",
                format!(
                    "infeasible bounds: upper bounds and group caps allow a total weight of at most {} < 1",
                    Plain(reachable)
                ),
            ));
        }
        if !self.risk_free_rate.is_finite() {
            return Err(KassaError::validation("riskFreeRate", "is not finite"));
        }
        let mut repaired = 0;
        let factor = OnceLock::new();
        match self.psd {
            PsdPolicy::Trust => {}
            PsdPolicy::Check => {
                let Some(l) = Cholesky::factor(&sigma, n) else {
                    return Err(KassaError::validation(
                        "covariance",
                        "covariance is not positive definite (Cholesky failed); pass psd = \"repair\" to use the nearest positive-definite matrix",
                    ));
                };
                let _ = factor.set(l);
            }
            PsdPolicy::Repair => match Cholesky::factor(&sigma, n) {
                Some(l) => {
                    let _ = factor.set(l);
                }
                None => {
                    let (fixed, raised) = covariance::nearest_psd(&sigma, n);
                    sigma = fixed;
                    repaired = raised;
                }
            },
        }
        Ok(Prepared {
            assets,
            mu: self.expected_returns.clone(),
            sigma,
            lower,
            upper,
            group_of,
            caps,
            risk_free_rate: self.risk_free_rate,
            repaired_eigenvalues: repaired,
            factor,
        })
    }
}

/// What a parametric search aims for.
#[derive(Debug, Clone, Copy)]
enum Goal {
    Sharpe,
    Return(f64),
    Risk(f64),
}

/// A warm start carried between solves (frontier points).
#[derive(Debug, Clone)]
pub struct WarmStart {
    face: Face,
    t: f64,
}

impl Prepared {
    /// Number of assets.
    pub fn n(&self) -> usize {
        self.mu.len()
    }

    pub(crate) fn constraints(&self) -> Constraints<'_> {
        Constraints {
            n: self.n(),
            q: &self.sigma,
            lower: &self.lower,
            upper: &self.upper,
            group_of: &self.group_of,
            caps: &self.caps,
            dc: None,
            full: Some(&self.factor),
        }
    }

    fn c(&self, t: f64) -> Vec<f64> {
        self.mu.iter().map(|m| -t * m).collect()
    }

    /// `(μᵀw, √(wᵀΣw))`.
    pub fn stats(&self, w: &[f64]) -> (f64, f64) {
        let ret = qp::dot(&self.mu, w);
        let var = qp::quad(&self.sigma, self.n(), w).max(0.0);
        (ret, var.sqrt())
    }

    fn result(&self, sol: &Solution, solves: usize) -> PortfolioResult {
        let (ret, vol) = self.stats(&sol.w);
        PortfolioResult {
            assets: self.assets.clone(),
            weights: sol.w.clone(),
            expected_return: ret,
            volatility: vol,
            sharpe: if vol > 0.0 {
                (ret - self.risk_free_rate) / vol
            } else {
                0.0
            },
            convergence: Convergence {
                method: sol.method.to_owned(),
                iterations: sol.iterations,
                solves,
                kkt_residual: sol.kkt_residual,
                max_violation: sol.max_violation,
                repaired_eigenvalues: self.repaired_eigenvalues,
            },
        }
    }

    /// The largest achievable expected return (a greedy fill by `μ`, exact for box and
    /// disjoint group caps) and the portfolio reaching it.
    pub fn max_return(&self) -> (f64, Vec<f64>) {
        let n = self.n();
        let mut order: Vec<usize> = (0..n).collect();
        crate::sorting::sort_by(&mut order, |a, b| {
            let (x, y) = (self.mu.get(*a), self.mu.get(*b));
            y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut w = self.lower.clone();
        let mut rem = 1.0 - w.iter().sum::<f64>();
        let mut used = vec![0.0; self.caps.len()];
        for (i, g) in self.group_of.iter().enumerate() {
            if let Some(x) = g.and_then(|g| used.get_mut(g)) {
                *x += self.lower.get(i).copied().unwrap_or(0.0);
            }
        }
        for i in order {
            let room_i = self.upper.get(i).copied().unwrap_or(0.0)
                - self.lower.get(i).copied().unwrap_or(0.0);
            let mut add = room_i.min(rem).max(0.0);
            if let Some(g) = self.group_of.get(i).copied().flatten() {
                let cap = self.caps.get(g).copied().unwrap_or(0.0);
                let u = used.get(g).copied().unwrap_or(0.0);
                add = add.min(cap - u).max(0.0);
                if let Some(x) = used.get_mut(g) {
                    *x += add;
                }
            }
            if let Some(x) = w.get_mut(i) {
                *x += add;
            }
            rem -= add;
        }
        (qp::dot(&self.mu, &w), w)
    }

    /// The minimum-variance portfolio.
    pub fn min_variance(&self) -> Result<PortfolioResult> {
        let sol = self.constraints().solve(&self.c(0.0), None)?;
        Ok(self.result(&sol, 1))
    }

    fn scale(&self) -> f64 {
        let n = self.n().max(1);
        let avg_var = (0..n)
            .map(|i| self.sigma.get(i * n + i).copied().unwrap_or(0.0))
            .sum::<f64>()
            / n as f64;
        let mu_max = self.mu.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        if mu_max > 0.0 {
            avg_var.max(1e-300) / mu_max
        } else {
            1.0
        }
    }

    /// The parametric search (see the module docs).
    fn search(&self, goal: Goal, warm: Option<&WarmStart>) -> Result<(Solution, WarmStart, usize)> {
        let neg_mu: Vec<f64> = self.mu.iter().map(|m| -m).collect();
        let cons = Constraints {
            dc: Some(&neg_mu),
            ..self.constraints()
        };
        let scale = self.scale();
        let t_cap = 1e12 * scale;
        // cold starts begin at the minimum-variance face (t = 0), usually near the answer
        let mut t = warm.map_or(0.0, |w| w.t);
        let mut sol = cons.solve(&self.c(t), warm.map(|w| &w.face))?;
        let mut solves = 1;
        let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
        let rf = self.risk_free_rate;
        let n = self.n();
        for _ in 0..200 {
            let Some(line) = sol.line.as_ref() else {
                break;
            };
            let b = &line.b;
            let a: Vec<f64> = sol.w.iter().zip(b).map(|(w, b)| w - t * b).collect();
            let (ra, rb) = (qp::dot(&self.mu, &a), qp::dot(&self.mu, b));
            let sa = qp::mat_vec(&self.sigma, n, &a);
            let sb = qp::mat_vec(&self.sigma, n, b);
            let (ca, cb, cc) = (qp::dot(&a, &sa), qp::dot(&a, &sb), qp::dot(b, &sb));
            let rtol = 1e-12 * (1.0 + ra.abs());
            let bmax = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            // the t this face asks for; +inf means "further right", 0 "further left"
            let want = if bmax * scale <= 1e-10 {
                // a vertex: the solution does not move with t on this face
                match goal {
                    Goal::Return(r) if ra + rtol < r => f64::INFINITY,
                    Goal::Risk(s) if ca < s * s * (1.0 - 1e-12) => f64::INFINITY,
                    _ => 0.0,
                }
            } else {
                match goal {
                    Goal::Return(r) => {
                        if rb > rtol {
                            (r - ra) / rb
                        } else if ra + rtol >= r {
                            0.0
                        } else {
                            f64::INFINITY
                        }
                    }
                    Goal::Risk(s) => {
                        let target = s * s;
                        if cc > 1e-300 {
                            let disc = (cb * cb - cc * (ca - target)).max(0.0);
                            (-cb + disc.sqrt()) / cc
                        } else if cb > 1e-300 {
                            (target - ca) / (2.0 * cb)
                        } else if ca <= target {
                            f64::INFINITY
                        } else {
                            0.0
                        }
                    }
                    Goal::Sharpe => {
                        let p = ra - rf;
                        let den = rb * cb - p * cc;
                        if den.abs() > 1e-300 {
                            (p * cb - rb * ca) / den
                        } else if rb > 0.0 {
                            f64::INFINITY
                        } else {
                            0.0
                        }
                    }
                }
            };
            let want = want.max(0.0);
            if (want - t).abs() <= 1e-12 * t.abs().max(scale) {
                break;
            }
            if want > t {
                lo = t;
            } else {
                hi = t;
            }
            let next = if want > lo && want < hi {
                want
            } else if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                (2.0 * t).max(scale)
            };
            if next > t_cap || (hi.is_finite() && hi - lo <= 1e-13 * hi.max(scale)) {
                break;
            }
            let c_next = self.c(next);
            // first try to slide along the current face (no factorization)
            if let Some(moved) = cons.move_along(&c_next, &sol, next - t) {
                sol = moved;
                t = next;
                if next == want {
                    break;
                }
                continue;
            }
            sol = cons.solve(&c_next, Some(&sol.face))?;
            solves += 1;
            t = next;
        }
        let warm = WarmStart {
            face: sol.face.clone(),
            t,
        };
        Ok((sol, warm, solves))
    }

    /// Minimum risk for an expected return of at least `target` (the minimum-variance
    /// portfolio when it already earns that much).
    pub fn efficient_return(&self, target: f64) -> Result<PortfolioResult> {
        Ok(self.efficient_return_warm(target, None)?.0)
    }

    /// [`Prepared::efficient_return`] with a warm start; returns the next warm start.
    pub fn efficient_return_warm(
        &self,
        target: f64,
        warm: Option<&WarmStart>,
    ) -> Result<(PortfolioResult, WarmStart)> {
        if !target.is_finite() {
            return Err(KassaError::validation("targetReturn", "is not finite"));
        }
        let (rmax, _) = self.max_return();
        if target > rmax + 1e-12 * (1.0 + rmax.abs()) {
            return Err(KassaError::validation(
                "targetReturn",
                format!(
                    "target return {} is above the largest achievable return {}",
                    Plain(target),
                    Plain(rmax)
                ),
            ));
        }
        let (sol, w, solves) = self.search(Goal::Return(target), warm)?;
        Ok((self.result(&sol, solves), w))
    }

    /// Maximum expected return for a volatility of at most `target`.
    pub fn efficient_risk(&self, target: f64) -> Result<PortfolioResult> {
        if !(target.is_finite() && target > 0.0) {
            return Err(KassaError::validation(
                "targetVolatility",
                "must be positive",
            ));
        }
        let mv = self.min_variance()?;
        if target < mv.volatility * (1.0 - 1e-12) {
            return Err(KassaError::validation(
                "targetVolatility",
                format!(
                    "target volatility {} is below the minimum achievable {}",
                    Plain(target),
                    Plain(mv.volatility)
                ),
            ));
        }
        let (sol, _, solves) = self.search(Goal::Risk(target), None)?;
        Ok(self.result(&sol, solves + 1))
    }

    /// The maximum Sharpe ratio (tangency) portfolio for the problem's risk-free rate.
    pub fn max_sharpe(&self) -> Result<PortfolioResult> {
        let (rmax, _) = self.max_return();
        if rmax <= self.risk_free_rate {
            return Err(KassaError::validation(
                "riskFreeRate",
                format!(
                    "no feasible portfolio earns more than the risk-free rate {} (largest achievable return {})",
                    Plain(self.risk_free_rate),
                    Plain(rmax)
                ),
            ));
        }
        let (sol, _, solves) = self.search(Goal::Sharpe, None)?;
        Ok(self.result(&sol, solves))
    }
}
