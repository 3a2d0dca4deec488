//! The specialised quadratic-program solver behind [`super::portfolio`]:
//!
//! `minimize ½ wᵀQw + cᵀw  subject to  Σw = 1,  l ≤ w ≤ u,  Σ_{i∈g} w_i ≤ cap_g`
//!
//! with disjoint groups `g`. Method: a few accelerated projected-gradient steps (projection
//! onto the box-simplex by bisection) guess the active set; a primal-dual active-set
//! iteration (Hintermüller, Ito and Kunisch 2002) then solves exactly, each step either a
//! [`Cholesky`] factorization of the free block, or, when the whole matrix's factor is known
//! (the `psd = "check"` one) and few variables are fixed, a range-space solve on that factor
//! with the fixed variables pinned by equality rows (no factorization; whichever is cheaper,
//! see [`Constraints::solve_face`]); the iteration stops when the active set repeats,
//! which is exactly the KKT conditions. If that iteration fails to settle (it may cycle on
//! degenerate problems), a textbook primal active-set method (Nocedal and Wright, alg. 16.3)
//! finishes from a feasible point. A previous solution's active set warm-starts the next
//! solve (frontier, max Sharpe); a cold solve with the whole factor known first tries the
//! face where every variable is free.

use super::cholesky::Cholesky;
use crate::error::{KassaError, Result};
use std::sync::OnceLock;

/// The constraint data of a problem (the objective's `c` comes per solve).
#[derive(Debug, Clone)]
pub(crate) struct Constraints<'a> {
    pub n: usize,
    pub q: &'a [f64],
    pub lower: &'a [f64],
    pub upper: &'a [f64],
    pub group_of: &'a [Option<usize>],
    pub caps: &'a [f64],
    /// `∂c/∂t` for parametric problems (`c = −t·μ` gives `−μ`): when set, every face solve
    /// also returns the face's line (the solution's derivative in `t`).
    pub dc: Option<&'a [f64]>,
    /// The Cholesky factor of the whole `q`, when known (the `check` policy's), or a slot
    /// the first all-free face solve fills: with it, faces that fix few variables are
    /// solved without a factorization (see [`Constraints::solve_face`]).
    pub full: Option<&'a OnceLock<Cholesky>>,
}

/// Where a variable sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Free,
    Lower,
    Upper,
}

/// An active set: each variable's status and which group caps bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Face {
    pub status: Vec<Status>,
    pub groups: Vec<bool>,
}

/// A solved problem.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    pub w: Vec<f64>,
    pub face: Face,
    pub iterations: usize,
    pub method: &'static str,
    /// Largest violation of dual feasibility (scaled by the gradient's size).
    pub kkt_residual: f64,
    /// Largest violation of a constraint.
    pub max_violation: f64,
    /// Budget multiplier.
    pub nu: f64,
    /// Group multipliers.
    pub pi: Vec<f64>,
    /// The derivative in `t` on this face (when `dc` was given).
    pub line: Option<Line>,
}

/// Derivatives in `t` of a face's solution and multipliers.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub b: Vec<f64>,
    pub nu: f64,
    pub pi: Vec<f64>,
}

/// A constraint column of a range-space solve: dense, zero before `start`.
struct Column {
    start: usize,
    v: Vec<f64>,
}

/// The solution of a range-space solve and, when asked, its derivative.
struct RangeSol {
    x: Vec<f64>,
    lambda: Vec<f64>,
    line: Option<(Vec<f64>, Vec<f64>)>,
}

fn tail(v: &[f64], start: usize) -> &[f64] {
    v.get(start..).unwrap_or(&[])
}

/// `min ½xᵀHx − rᵀx  s.t.  a_jᵀx = β_j` with `H = LLᵀ` factored: with `u = L⁻¹r` and
/// `Y = L⁻¹A`, the multipliers solve `(YᵀY)λ = β − Yᵀu` and `x = L⁻ᵀ(u + Yλ)`. Only forward
/// solves for the columns (a unit column `e_i` costs `(n − i)²/2`). With `rd`, also the
/// solution for `r = rd, β = 0` (the derivative along a parametric `c`). `None` when `YᵀY`
/// is not positive definite (dependent rows).
fn range_space(
    l: &Cholesky,
    mut u: Vec<f64>,
    mut cols: Vec<Column>,
    beta: &[f64],
    rd: Option<Vec<f64>>,
) -> Option<RangeSol> {
    l.forward(&mut u);
    for col in &mut cols {
        l.forward_from(&mut col.v, col.start);
    }
    let m = cols.len();
    let mut s = vec![0.0; m * m];
    for (a, ca) in cols.iter().enumerate() {
        for (b, cb) in cols.iter().enumerate().take(a + 1) {
            let st = ca.start.max(cb.start);
            let v = dot(tail(&ca.v, st), tail(&cb.v, st));
            if let Some(x) = s.get_mut(a * m + b) {
                *x = v;
            }
            if let Some(x) = s.get_mut(b * m + a) {
                *x = v;
            }
        }
    }
    let sc = Cholesky::factor_owned(s, m)?;
    let combine = |mut base: Vec<f64>, rhs: Vec<f64>| -> (Vec<f64>, Vec<f64>) {
        let mut lambda = rhs;
        sc.solve(&mut lambda);
        for (col, la) in cols.iter().zip(&lambda) {
            let dst = base.get_mut(col.start..).unwrap_or(&mut []);
            for (x, y) in dst.iter_mut().zip(tail(&col.v, col.start)) {
                *x += la * y;
            }
        }
        l.backward(&mut base);
        (base, lambda)
    };
    let rhs: Vec<f64> = cols
        .iter()
        .zip(beta)
        .map(|(col, b)| b - dot(tail(&col.v, col.start), tail(&u, col.start)))
        .collect();
    let line = rd.map(|mut ud| {
        l.forward(&mut ud);
        let rhs_d: Vec<f64> = cols
            .iter()
            .map(|col| -dot(tail(&col.v, col.start), tail(&ud, col.start)))
            .collect();
        combine(ud, rhs_d)
    });
    let (x, lambda) = combine(u, rhs);
    Some(RangeSol { x, lambda, line })
}

struct FaceSol {
    w: Vec<f64>,
    nu: f64,
    pi: Vec<f64>,
    line: Option<Line>,
}

fn at(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(0.0)
}

fn row(q: &[f64], n: usize, i: usize) -> &[f64] {
    q.get(i * n..(i + 1) * n).unwrap_or(&[])
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    // four independent accumulators so the compiler vectorizes the loop
    let (mut s0, mut s1, mut s2, mut s3) = (0.0, 0.0, 0.0, 0.0);
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        if let ([x0, x1, x2, x3], [y0, y1, y2, y3]) = (x, y) {
            s0 += x0 * y0;
            s1 += x1 * y1;
            s2 += x2 * y2;
            s3 += x3 * y3;
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    (s0 + s1) + (s2 + s3) + tail
}

/// `Qw`.
pub(crate) fn mat_vec(q: &[f64], n: usize, w: &[f64]) -> Vec<f64> {
    (0..n).map(|i| dot(row(q, n, i), w)).collect()
}

/// `wᵀQw`.
pub(crate) fn quad(q: &[f64], n: usize, w: &[f64]) -> f64 {
    dot(&mat_vec(q, n, w), w)
}

impl Constraints<'_> {
    fn n_groups(&self) -> usize {
        self.caps.len()
    }

    fn fixed_value(&self, i: usize, s: Status) -> f64 {
        match s {
            Status::Lower => at(self.lower, i),
            Status::Upper => at(self.upper, i),
            Status::Free => 0.0,
        }
    }

    fn group(&self, i: usize) -> Option<usize> {
        self.group_of.get(i).copied().flatten()
    }

    /// The binding groups that keep a row on `face`: active, with at least one free member.
    fn face_rows(&self, face: &Face, w: &[f64], free_mask: &[bool]) -> Vec<(usize, f64)> {
        let mut has_free = vec![false; self.n_groups()];
        let mut fixed_sum = vec![0.0; self.n_groups()];
        for i in 0..self.n {
            if let Some(g) = self.group(i) {
                if free_mask.get(i) == Some(&true) {
                    if let Some(h) = has_free.get_mut(g) {
                        *h = true;
                    }
                } else if let Some(s) = fixed_sum.get_mut(g) {
                    *s += at(w, i);
                }
            }
        }
        face.groups
            .iter()
            .enumerate()
            .filter(|(g, active)| **active && has_free.get(*g) == Some(&true))
            .map(|(g, _)| (g, at(self.caps, g) - at(&fixed_sum, g)))
            .collect()
    }

    /// Solves the equality-constrained problem on a face. `Ok(None)` when the face's
    /// equalities are degenerate (no free variable, or redundant/inconsistent rows).
    ///
    /// Two ways to the same answer, whichever costs less: factor the free block `Q_FF`
    /// ([`Cholesky`], `k³/3` flops), or, when the whole matrix's factor is at hand and few
    /// variables are fixed, pin the fixed variables as extra equality rows on the whole
    /// problem (range space: one forward solve per pinned variable, no factorization). The
    /// second is checked against the stationarity residual and falls back to the first.
    fn solve_face(&self, c: &[f64], face: &Face) -> Result<Option<FaceSol>> {
        let n = self.n;
        let free_mask: Vec<bool> = (0..n)
            .map(|i| face.status.get(i) == Some(&Status::Free))
            .collect();
        let k = free_mask.iter().filter(|f| **f).count();
        if k == 0 {
            return Ok(None);
        }
        let mut w = vec![0.0; n];
        for (i, s) in face.status.iter().enumerate() {
            if let Some(x) = w.get_mut(i) {
                *x = self.fixed_value(i, *s);
            }
        }
        let groups = self.face_rows(face, &w, &free_mask);
        if let Some(full) = self.full.and_then(OnceLock::get) {
            if full.n() == n && self.pinned_is_cheaper(&free_mask, k, groups.len()) {
                if let Some(fs) = self.solve_face_pinned(full, c, &free_mask, &w, &groups) {
                    return Ok(Some(fs));
                }
            }
        }
        self.solve_face_block(c, &free_mask, k, w, &groups)
    }

    /// Estimated cost (multiply-adds, solves weighted ×2 for their memory traffic) of the
    /// pinned solve against the free-block factorization.
    fn pinned_is_cheaper(&self, free_mask: &[bool], k: usize, groups: usize) -> bool {
        let (n, kf) = (self.n as f64, k as f64);
        let lines = if self.dc.is_some() { 2.0 } else { 1.0 };
        let pins: f64 = free_mask
            .iter()
            .enumerate()
            .filter(|(_, f)| !**f)
            .map(|(i, _)| {
                let tail = n - i as f64;
                0.5 * tail * tail
            })
            .sum();
        let m = (1 + groups + (self.n - k)) as f64;
        let pinned =
            2.0 * ((2.0 * lines + groups as f64) * n * n + pins + 0.5 * m * m * n + kf * n);
        let block = kf * kf * kf / 6.0 + 2.0 * (2.0 * lines + 2.0 + groups as f64) * kf * kf;
        pinned < block
    }

    /// The face solve on the whole matrix's factor, fixed variables pinned by equality rows.
    /// `None` when the pinned rows are degenerate or the result fails the residual check
    /// (the caller then factors the free block).
    fn solve_face_pinned(
        &self,
        full: &Cholesky,
        c: &[f64],
        free_mask: &[bool],
        w_fixed: &[f64],
        groups: &[(usize, f64)],
    ) -> Option<FaceSol> {
        let n = self.n;
        // the budget row equals the sum of the group rows when the groups cover every free
        // variable: degenerate, left to the free-block path (which reports it)
        let covered = (0..n).all(|i| {
            free_mask.get(i) != Some(&true)
                || self
                    .group(i)
                    .is_some_and(|g| groups.iter().any(|(h, _)| *h == g))
        });
        if covered && !groups.is_empty() {
            return None;
        }
        let mut cols: Vec<Column> = Vec::with_capacity(1 + groups.len() + n);
        let mut beta: Vec<f64> = Vec::with_capacity(cols.capacity());
        cols.push(Column {
            start: 0,
            v: vec![1.0; n],
        });
        beta.push(1.0);
        for (g, _) in groups {
            let v: Vec<f64> = (0..n)
                .map(|i| if self.group(i) == Some(*g) { 1.0 } else { 0.0 })
                .collect();
            let start = v.iter().position(|x| *x != 0.0).unwrap_or(0);
            cols.push(Column { start, v });
            beta.push(at(self.caps, *g));
        }
        for (i, free) in free_mask.iter().enumerate() {
            if !*free {
                let mut v = vec![0.0; n];
                if let Some(x) = v.get_mut(i) {
                    *x = 1.0;
                }
                cols.push(Column { start: i, v });
                beta.push(at(w_fixed, i));
            }
        }
        let r: Vec<f64> = c.iter().map(|x| -x).collect();
        let rd = self.dc.map(|dc| dc.iter().map(|x| -x).collect());
        let sol = range_space(full, r, cols, &beta, rd)?;
        let mut w = w_fixed.to_vec();
        for ((wi, xi), f) in w.iter_mut().zip(&sol.x).zip(free_mask) {
            if *f {
                *wi = *xi;
            }
        }
        let nu = at(&sol.lambda, 0);
        let pi = self.to_pi(groups, &sol.lambda);
        // stationarity on the free variables, the test the free-block path passes by
        // construction up to round-off
        let mut gmax = 0.0f64;
        let mut zmax = 0.0f64;
        for (i, f) in free_mask.iter().enumerate() {
            if *f {
                let gi = dot(row(self.q, n, i), &w) + at(c, i);
                gmax = gmax.max(gi.abs());
                zmax = zmax.max(self.reduced(gi, i, nu, &pi).abs());
            }
        }
        if zmax.is_nan() || zmax > 1e-11 * (1.0 + gmax) {
            return None;
        }
        let line = sol.line.map(|(xd, lam_d)| {
            let b = xd
                .iter()
                .zip(free_mask)
                .map(|(x, f)| if *f { *x } else { 0.0 })
                .collect();
            Line {
                b,
                nu: at(&lam_d, 0),
                pi: self.to_pi(groups, &lam_d),
            }
        });
        Some(FaceSol { w, nu, pi, line })
    }

    /// Group multipliers from the range-space multipliers (row 0 is the budget).
    fn to_pi(&self, groups: &[(usize, f64)], lambda: &[f64]) -> Vec<f64> {
        let mut pi = vec![0.0; self.n_groups()];
        for (col, (g, _)) in groups.iter().enumerate() {
            if let Some(p) = pi.get_mut(*g) {
                *p = -at(lambda, col + 1);
            }
        }
        pi
    }

    /// The face solve by a factorization of the free block `Q_FF`.
    fn solve_face_block(
        &self,
        c: &[f64],
        free_mask: &[bool],
        k: usize,
        mut w: Vec<f64>,
        groups: &[(usize, f64)],
    ) -> Result<Option<FaceSol>> {
        let n = self.n;
        let free: Vec<usize> = (0..n)
            .filter(|i| free_mask.get(*i) == Some(&true))
            .collect();
        let mut h = Vec::with_capacity(k * k);
        let mut r = Vec::with_capacity(k);
        for &i in &free {
            let qi = row(self.q, n, i);
            h.extend(free.iter().map(|&j| at(qi, j)));
            r.push(-at(c, i) - dot(qi, &w));
        }
        let Some(chol) = Cholesky::factor_owned(h, k) else {
            let names: Vec<String> = free.iter().take(8).map(|i| i.to_string()).collect();
            return Err(KassaError::validation(
                "covariance",
                format!(
                    "covariance is not positive definite on the block of assets [{}{}]; pass psd = \"repair\" to use the nearest positive-definite matrix",
                    names.join(", "),
                    if k > 8 { ", ..." } else { "" }
                ),
            ));
        };
        // constraint rows on the free block: the budget, then the binding groups
        let mut cols = vec![Column {
            start: 0,
            v: vec![1.0; k],
        }];
        let mut beta = vec![1.0 - w.iter().sum::<f64>()];
        for (g, b) in groups {
            let v: Vec<f64> = free
                .iter()
                .map(|&i| if self.group(i) == Some(*g) { 1.0 } else { 0.0 })
                .collect();
            let start = v.iter().position(|x| *x != 0.0).unwrap_or(0);
            cols.push(Column { start, v });
            beta.push(*b);
        }
        // the same factorization gives the derivative along t: r' = −dc_F, b' = 0
        let rd = self
            .dc
            .map(|dc| free.iter().map(|&i| -at(dc, i)).collect::<Vec<f64>>());
        let Some(sol) = range_space(&chol, r, cols, &beta, rd) else {
            return Ok(None);
        };
        for (a, &i) in free.iter().enumerate() {
            if let Some(x) = w.get_mut(i) {
                *x = at(&sol.x, a);
            }
        }
        let pi = self.to_pi(groups, &sol.lambda);
        let line = sol.line.map(|(xd, lam_d)| {
            let mut b = vec![0.0; n];
            for (a, &i) in free.iter().enumerate() {
                if let Some(x) = b.get_mut(i) {
                    *x = at(&xd, a);
                }
            }
            Line {
                b,
                nu: at(&lam_d, 0),
                pi: self.to_pi(groups, &lam_d),
            }
        });
        // the whole matrix's factor, kept for later solves (psd = "trust" has none yet)
        if k == n {
            if let Some(cell) = self.full {
                let _ = cell.set(chol);
            }
        }
        Ok(Some(FaceSol {
            w,
            nu: at(&sol.lambda, 0),
            pi,
            line,
        }))
    }

    /// `z_i = ∂f/∂w_i − ν + π_{g(i)}`: ≥ 0 at a lower bound, ≤ 0 at an upper bound.
    fn reduced(&self, grad_i: f64, i: usize, nu: f64, pi: &[f64]) -> f64 {
        grad_i - nu + self.group(i).map_or(0.0, |g| at(pi, g))
    }

    fn group_sum(&self, w: &[f64], g: usize) -> f64 {
        (0..self.n)
            .filter(|&i| self.group(i) == Some(g))
            .map(|i| at(w, i))
            .sum()
    }

    /// Euclidean projection onto `{Σw = 1, l ≤ w ≤ u}` (groups ignored), by bisection.
    fn project(&self, v: &[f64]) -> Vec<f64> {
        let clip = |tau: f64| -> Vec<f64> {
            v.iter()
                .enumerate()
                .map(|(i, x)| (x - tau).max(at(self.lower, i)).min(at(self.upper, i)))
                .collect()
        };
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (i, x) in v.iter().enumerate() {
            lo = lo.min(x - at(self.upper, i));
            hi = hi.max(x - at(self.lower, i));
        }
        let sum_at = |tau: f64| -> f64 {
            v.iter()
                .enumerate()
                .map(|(i, x)| (x - tau).max(at(self.lower, i)).min(at(self.upper, i)))
                .sum()
        };
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if sum_at(mid) > 1.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        clip(0.5 * (lo + hi))
    }

    /// A guess of the active set from accelerated projected-gradient steps.
    fn guess_face(&self, c: &[f64], steps: usize) -> Face {
        let n = self.n;
        // Lipschitz constant by power iteration (an overestimate is safe)
        let mut v = vec![1.0 / (n.max(1) as f64).sqrt(); n];
        let mut l = 0.0;
        for _ in 0..12 {
            let qv = mat_vec(self.q, n, &v);
            let norm = dot(&qv, &qv).sqrt();
            if norm <= 0.0 {
                break;
            }
            l = norm;
            v = qv.iter().map(|x| x / norm).collect();
        }
        let step = if l > 0.0 { 1.0 / (1.1 * l) } else { 1.0 };
        let mut x = self.project(&vec![1.0 / n.max(1) as f64; n]);
        let mut y = x.clone();
        let mut t = 1.0f64;
        for _ in 0..steps {
            let g = mat_vec(self.q, n, &y);
            let trial: Vec<f64> = y
                .iter()
                .zip(&g)
                .enumerate()
                .map(|(i, (yi, gi))| yi - step * (gi + at(c, i)))
                .collect();
            let xn = self.project(&trial);
            let tn = 0.5 * (1.0 + (1.0 + 4.0 * t * t).sqrt());
            let beta = (t - 1.0) / tn;
            y = xn.iter().zip(&x).map(|(a, b)| a + beta * (a - b)).collect();
            x = xn;
            t = tn;
        }
        let status = x
            .iter()
            .enumerate()
            .map(|(i, xi)| {
                if *xi <= at(self.lower, i) {
                    Status::Lower
                } else if *xi >= at(self.upper, i) {
                    Status::Upper
                } else {
                    Status::Free
                }
            })
            .collect();
        Face {
            status,
            groups: vec![false; self.n_groups()],
        }
    }

    fn tolerances(&self, c: &[f64], w: &[f64]) -> (f64, f64) {
        let gmax = mat_vec(self.q, self.n, w)
            .iter()
            .zip(c)
            .map(|(a, b)| (a + b).abs())
            .fold(0.0, f64::max);
        (1e-12, 1e-11 * (1.0 + gmax))
    }

    /// Primal-dual active set. `Ok(None)` if it does not settle within `max_iter`.
    fn pdas(&self, c: &[f64], start: Face, max_iter: usize) -> Result<Option<(Solution, usize)>> {
        let n = self.n;
        let mut face = start;
        for it in 1..=max_iter {
            if !face.status.contains(&Status::Free) {
                // free the variable with the most room, so the budget row has a variable
                let pick = (0..n)
                    .filter(|&i| at(self.upper, i) > at(self.lower, i))
                    .max_by(|&a, &b| {
                        let ra = at(self.upper, a) - at(self.lower, a);
                        let rb = at(self.upper, b) - at(self.lower, b);
                        ra.total_cmp(&rb)
                    });
                match pick.and_then(|i| face.status.get_mut(i)) {
                    Some(s) => *s = Status::Free,
                    None => return Ok(None),
                }
            }
            let Some(fs) = self.solve_face(c, &face)? else {
                return Ok(None);
            };
            let (ptol, dtol) = self.tolerances(c, &fs.w);
            let mut next = face.clone();
            for i in 0..n {
                let (l, u, wi) = (at(self.lower, i), at(self.upper, i), at(&fs.w, i));
                let cur = face.status.get(i).copied().unwrap_or(Status::Free);
                let new = match cur {
                    Status::Free if wi < l - ptol => Status::Lower,
                    Status::Free if wi > u + ptol => Status::Upper,
                    Status::Free => Status::Free,
                    fixed => {
                        let gi = dot(row(self.q, n, i), &fs.w) + at(c, i);
                        let z = self.reduced(gi, i, fs.nu, &fs.pi);
                        match fixed {
                            Status::Lower if z < -dtol && u > l => Status::Free,
                            Status::Upper if z > dtol && u > l => Status::Free,
                            s => s,
                        }
                    }
                };
                if let Some(s) = next.status.get_mut(i) {
                    *s = new;
                }
            }
            for g in 0..self.n_groups() {
                let active = face.groups.get(g).copied().unwrap_or(false);
                let new = if active {
                    at(&fs.pi, g) >= -dtol
                } else {
                    self.group_sum(&fs.w, g) > at(self.caps, g) + ptol
                };
                if let Some(a) = next.groups.get_mut(g) {
                    *a = new;
                }
            }
            if next == face {
                let sol = self.finish(c, fs, face, it, "pdas");
                return Ok(Some((sol, it)));
            }
            face = next;
        }
        Ok(None)
    }

    /// A feasible point: lower bounds, then fill in index order within caps.
    pub(crate) fn feasible_point(&self) -> Vec<f64> {
        let mut w: Vec<f64> = self.lower.to_vec();
        let mut rem = 1.0 - w.iter().sum::<f64>();
        let mut used: Vec<f64> = (0..self.n_groups())
            .map(|g| self.group_sum(&w, g))
            .collect();
        for i in 0..self.n {
            if rem <= 0.0 {
                break;
            }
            let mut add = (at(self.upper, i) - at(self.lower, i)).min(rem);
            if let Some(g) = self.group(i) {
                add = add.min(at(self.caps, g) - at(&used, g)).max(0.0);
                if let Some(x) = used.get_mut(g) {
                    *x += add;
                }
            }
            if let Some(x) = w.get_mut(i) {
                *x += add;
            }
            rem -= add;
        }
        w
    }

    /// Primal active-set method from a feasible point.
    fn primal(&self, c: &[f64], mut w: Vec<f64>, max_iter: usize) -> Result<Solution> {
        let n = self.n;
        let mut face = Face {
            status: (0..n)
                .map(|i| {
                    let wi = at(&w, i);
                    if wi <= at(self.lower, i) {
                        Status::Lower
                    } else if wi >= at(self.upper, i) {
                        Status::Upper
                    } else {
                        Status::Free
                    }
                })
                .collect(),
            groups: vec![false; self.n_groups()],
        };
        for it in 1..=max_iter {
            if !face.status.contains(&Status::Free) {
                let grad: Vec<f64> = mat_vec(self.q, n, &w)
                    .iter()
                    .zip(c)
                    .map(|(a, b)| a + b)
                    .collect();
                let pick = (0..n)
                    .filter(|&i| at(self.upper, i) > at(self.lower, i))
                    .min_by(|&a, &b| at(&grad, a).total_cmp(&at(&grad, b)));
                match pick.and_then(|i| face.status.get_mut(i)) {
                    Some(s) => *s = Status::Free,
                    None => {
                        // every variable is pinned: the single feasible point
                        let fs = FaceSol {
                            w: w.clone(),
                            nu: 0.0,
                            pi: vec![0.0; self.n_groups()],
                            line: self.dc.map(|_| Line {
                                b: vec![0.0; n],
                                nu: 0.0,
                                pi: vec![0.0; self.n_groups()],
                            }),
                        };
                        return Ok(self.finish(c, fs, face, it, "active_set"));
                    }
                }
            }
            // drop binding groups that have no free member (their rows would be empty)
            for g in 0..self.n_groups() {
                let has_free = (0..n)
                    .any(|i| self.group(i) == Some(g) && face.status.get(i) == Some(&Status::Free));
                if !has_free {
                    if let Some(a) = face.groups.get_mut(g) {
                        *a = false;
                    }
                }
            }
            let fs = match self.solve_face(c, &face)? {
                Some(fs) => fs,
                None => {
                    // redundant rows: release the last binding group and retry
                    match face.groups.iter().rposition(|a| *a) {
                        Some(g) => {
                            if let Some(a) = face.groups.get_mut(g) {
                                *a = false;
                            }
                            continue;
                        }
                        None => {
                            return Err(KassaError::internal(
                                "active-set solver met a singular face",
                            ))
                        }
                    }
                }
            };
            let d: Vec<f64> = fs.w.iter().zip(&w).map(|(a, b)| a - b).collect();
            let dmax = d.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let (_, dtol) = self.tolerances(c, &fs.w);
            if dmax <= 1e-13 {
                // stationary on the face: check multipliers, release the worst
                let mut worst: Option<(f64, Option<usize>, Option<usize>)> = None;
                for i in 0..n {
                    let st = face.status.get(i).copied().unwrap_or(Status::Free);
                    if st == Status::Free || at(self.upper, i) <= at(self.lower, i) {
                        continue;
                    }
                    let gi = dot(row(self.q, n, i), &fs.w) + at(c, i);
                    let z = self.reduced(gi, i, fs.nu, &fs.pi);
                    let v = if st == Status::Lower { z } else { -z };
                    if v < -dtol && worst.is_none_or(|(m, _, _)| v < m) {
                        worst = Some((v, Some(i), None));
                    }
                }
                for g in 0..self.n_groups() {
                    let v = at(&fs.pi, g);
                    if face.groups.get(g) == Some(&true)
                        && v < -dtol
                        && worst.is_none_or(|(m, _, _)| v < m)
                    {
                        worst = Some((v, None, Some(g)));
                    }
                }
                match worst {
                    None => return Ok(self.finish(c, fs, face, it, "active_set")),
                    Some((_, Some(i), _)) => {
                        if let Some(s) = face.status.get_mut(i) {
                            *s = Status::Free;
                        }
                    }
                    Some((_, None, Some(g))) => {
                        if let Some(a) = face.groups.get_mut(g) {
                            *a = false;
                        }
                    }
                    Some(_) => {}
                }
                w = fs.w;
                continue;
            }
            // ratio test
            let mut alpha = 1.0f64;
            let mut block: (Option<usize>, Status, Option<usize>) = (None, Status::Free, None);
            for i in 0..n {
                if face.status.get(i) != Some(&Status::Free) {
                    continue;
                }
                let (di, wi) = (at(&d, i), at(&w, i));
                if di < 0.0 {
                    let a = (at(self.lower, i) - wi) / di;
                    if a < alpha {
                        alpha = a.max(0.0);
                        block = (Some(i), Status::Lower, None);
                    }
                } else if di > 0.0 {
                    let a = (at(self.upper, i) - wi) / di;
                    if a < alpha {
                        alpha = a.max(0.0);
                        block = (Some(i), Status::Upper, None);
                    }
                }
            }
            for g in 0..self.n_groups() {
                if face.groups.get(g) == Some(&true) {
                    continue;
                }
                let dg = self.group_sum(&d, g);
                if dg > 0.0 {
                    let a = (at(self.caps, g) - self.group_sum(&w, g)) / dg;
                    if a < alpha {
                        alpha = a.max(0.0);
                        block = (None, Status::Free, Some(g));
                    }
                }
            }
            for (wi, di) in w.iter_mut().zip(&d) {
                *wi += alpha * di;
            }
            match block {
                (Some(i), st, _) => {
                    if let Some(s) = face.status.get_mut(i) {
                        *s = st;
                    }
                    if let Some(x) = w.get_mut(i) {
                        *x = self.fixed_value(i, st);
                    }
                }
                (None, _, Some(g)) => {
                    if let Some(a) = face.groups.get_mut(g) {
                        *a = true;
                    }
                }
                _ => {}
            }
        }
        Err(KassaError::internal(format!(
            "active-set solver did not converge in {max_iter} iterations"
        ))
        .with_meta("iterations", max_iter))
    }

    fn finish(
        &self,
        c: &[f64],
        fs: FaceSol,
        face: Face,
        iterations: usize,
        method: &'static str,
    ) -> Solution {
        let n = self.n;
        let mut w = fs.w;
        for (i, wi) in w.iter_mut().enumerate() {
            *wi = wi.max(at(self.lower, i)).min(at(self.upper, i));
        }
        let grad: Vec<f64> = mat_vec(self.q, n, &w)
            .iter()
            .zip(c)
            .map(|(a, b)| a + b)
            .collect();
        let gscale = 1.0 + grad.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let mut kkt = 0.0f64;
        for i in 0..n {
            let z = self.reduced(at(&grad, i), i, fs.nu, &fs.pi);
            let v = match face.status.get(i) {
                Some(Status::Free) => z.abs(),
                Some(Status::Lower) => (-z).max(0.0),
                Some(Status::Upper) => z.max(0.0),
                None => 0.0,
            };
            if at(self.upper, i) > at(self.lower, i) {
                kkt = kkt.max(v / gscale);
            }
        }
        for p in &fs.pi {
            kkt = kkt.max((-p).max(0.0) / gscale);
        }
        let mut viol = (w.iter().sum::<f64>() - 1.0).abs();
        for g in 0..self.n_groups() {
            viol = viol.max(self.group_sum(&w, g) - at(self.caps, g));
        }
        Solution {
            w,
            face,
            iterations,
            method,
            kkt_residual: kkt,
            max_violation: viol.max(0.0),
            nu: fs.nu,
            pi: fs.pi,
            line: fs.line,
        }
    }

    /// Whether `(w, ν, π)` on `face` satisfies the KKT conditions for `c` (the test the
    /// primal-dual active-set iteration stops on).
    fn face_ok(&self, c: &[f64], face: &Face, w: &[f64], nu: f64, pi: &[f64]) -> bool {
        let n = self.n;
        let (ptol, dtol) = self.tolerances(c, w);
        for i in 0..n {
            let (l, u, wi) = (at(self.lower, i), at(self.upper, i), at(w, i));
            match face.status.get(i) {
                Some(Status::Free) if wi < l - ptol || wi > u + ptol => return false,
                Some(Status::Free) => {}
                Some(st) if u > l => {
                    let gi = dot(row(self.q, n, i), w) + at(c, i);
                    let z = self.reduced(gi, i, nu, pi);
                    if (*st == Status::Lower && z < -dtol) || (*st == Status::Upper && z > dtol) {
                        return false;
                    }
                }
                _ => {}
            }
        }
        for g in 0..self.n_groups() {
            let ok = if face.groups.get(g) == Some(&true) {
                at(pi, g) >= -dtol
            } else {
                self.group_sum(w, g) <= at(self.caps, g) + ptol
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// Moves a parametric solution along its face's line by `dt` (objective `c_new` at the
    /// new `t`) without a factorization; `None` when the face is not optimal there.
    pub(crate) fn move_along(&self, c_new: &[f64], sol: &Solution, dt: f64) -> Option<Solution> {
        let line = sol.line.as_ref()?;
        let w: Vec<f64> = sol.w.iter().zip(&line.b).map(|(w, b)| w + dt * b).collect();
        let nu = sol.nu + dt * line.nu;
        let pi: Vec<f64> = sol
            .pi
            .iter()
            .zip(&line.pi)
            .map(|(p, d)| p + dt * d)
            .collect();
        if !self.face_ok(c_new, &sol.face, &w, nu, &pi) {
            return None;
        }
        let fs = FaceSol {
            w,
            nu,
            pi,
            line: Some(line.clone()),
        };
        Some(self.finish(c_new, fs, sol.face.clone(), sol.iterations, sol.method))
    }

    /// With the whole matrix's factor at hand, the face where every variable is free costs
    /// a few triangular solves: when its solution is feasible it is the optimum (the exit
    /// test of [`Constraints::pdas`] on that face), and the projected-gradient guess (about
    /// fifty products with `Q`) is skipped.
    fn try_all_free(&self, c: &[f64]) -> Result<Option<Solution>> {
        let n = self.n;
        let factored = self.full.and_then(OnceLock::get).is_some();
        if !factored || (0..n).any(|i| at(self.upper, i) <= at(self.lower, i)) {
            return Ok(None);
        }
        let face = Face {
            status: vec![Status::Free; n],
            groups: vec![false; self.n_groups()],
        };
        let Some(fs) = self.solve_face(c, &face)? else {
            return Ok(None);
        };
        if !self.face_ok(c, &face, &fs.w, fs.nu, &fs.pi) {
            return Ok(None);
        }
        Ok(Some(self.finish(c, fs, face, 1, "pdas")))
    }

    /// Solves with `c`, warm-started from `warm` when given (otherwise from the all-free
    /// face when the whole factor is known and that face is optimal, else from a
    /// projected-gradient guess).
    pub(crate) fn solve(&self, c: &[f64], warm: Option<&Face>) -> Result<Solution> {
        let start = match warm {
            Some(f) => f.clone(),
            None => {
                if let Some(sol) = self.try_all_free(c)? {
                    return Ok(sol);
                }
                self.guess_face(c, 40)
            }
        };
        if let Some((sol, _)) = self.pdas(c, start, 60)? {
            return Ok(sol);
        }
        let w0 = self.feasible_point();
        self.primal(c, w0, 20 * self.n + 200)
    }
}
