//! Dense Cholesky factorization `A = LLᵀ` for the portfolio optimizer, and its triangular
//! solves.
//!
//! Pure safe Rust (it builds for `wasm32-unknown-unknown`, no threads): a right-looking
//! blocked algorithm over a row-major `n×n` buffer. Each panel of [`PANEL`] columns is
//! factored in dot-product form (rows of the panel are contiguous), then packed in slivers
//! of 4 rows laid out column by column, and the trailing matrix is updated by a 4×4
//! register-tiled kernel (`acc[r][c] += a_r·b_c` over the panel width) that the compiler
//! vectorizes. The trailing update is `n³/3` of the `n³/3 + O(n²·PANEL)` flops, and it runs
//! from cache, so the factorization is several times faster than an unblocked one above
//! n ≈ 200 (see `benches/optimize.rs`, group `optimize/cholesky`).
//!
//! A factorization fails (returns `None`) exactly when nalgebra's would: when a pivot is not
//! strictly positive (or not a number); only the lower triangle of `A` is read.

use super::qp::dot;

/// Panel width of the blocked factorization (columns per block step).
pub const PANEL: usize = 64;

/// Rows (and columns) of the register tile of the trailing update.
const TILE: usize = 4;

/// A Cholesky factor `L` (lower triangular, `A = LLᵀ`), row-major `n×n` with a zero upper
/// triangle.
#[derive(Clone)]
pub struct Cholesky {
    n: usize,
    l: Vec<f64>,
}

impl std::fmt::Debug for Cholesky {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cholesky").field("n", &self.n).finish()
    }
}

impl Cholesky {
    /// Factors the symmetric row-major `n×n` matrix `a` (only its lower triangle is read).
    /// `None` when `a` is not positive definite (a pivot is `≤ 0` or NaN) or when
    /// `a.len() != n·n`.
    pub fn factor(a: &[f64], n: usize) -> Option<Cholesky> {
        if a.len() != n.checked_mul(n)? {
            return None;
        }
        // the lower triangle only, row by row (a whole-buffer `memcpy` is slow on some
        // hosts, and the upper half is never read)
        let mut l = vec![0.0; n * n];
        let rows = l.chunks_exact_mut(n.max(1)).zip(a.chunks_exact(n.max(1)));
        for (i, (dst, src)) in rows.enumerate() {
            for (d, s) in dst.iter_mut().zip(src).take(i + 1) {
                *d = *s;
            }
        }
        Self::factor_owned(l, n)
    }

    /// [`Cholesky::factor`] taking ownership of the buffer (no copy).
    pub fn factor_owned(mut a: Vec<f64>, n: usize) -> Option<Cholesky> {
        if a.len() != n.checked_mul(n)? {
            return None;
        }
        factor_in_place(&mut a, n)?;
        for i in 0..n {
            if let Some(upper) = a.get_mut(i * n + i + 1..(i + 1) * n) {
                upper.fill(0.0);
            }
        }
        Some(Cholesky { n, l: a })
    }

    /// The dimension `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `L`, row-major `n×n` (upper triangle zero).
    pub fn factor_matrix(&self) -> &[f64] {
        &self.l
    }

    fn row(&self, i: usize) -> &[f64] {
        self.l.get(i * self.n..i * self.n + i).unwrap_or(&[])
    }

    fn diag(&self, i: usize) -> f64 {
        self.l.get(i * self.n + i).copied().unwrap_or(1.0)
    }

    /// Solves `Ly = b` in place. `b` must have length `n` (otherwise it is left as is and
    /// `false` is returned).
    pub fn forward(&self, b: &mut [f64]) -> bool {
        self.forward_from(b, 0)
    }

    /// [`Cholesky::forward`] when `b[..start]` is known to be zero (so is `y[..start]`):
    /// the rows before `start` are skipped.
    pub fn forward_from(&self, b: &mut [f64], start: usize) -> bool {
        if b.len() != self.n {
            return false;
        }
        for i in start..self.n {
            let (done, rest) = b.split_at_mut(i);
            let l = self.row(i);
            let s = dot(
                l.get(start..).unwrap_or(&[]),
                done.get(start..).unwrap_or(&[]),
            );
            if let Some(x) = rest.first_mut() {
                *x = (*x - s) / self.diag(i);
            }
        }
        true
    }

    /// Solves `Lᵀx = y` in place (column-oriented: every step is a contiguous `axpy`).
    /// `y` must have length `n` (otherwise it is left as is and `false` is returned).
    pub fn backward(&self, y: &mut [f64]) -> bool {
        if y.len() != self.n {
            return false;
        }
        for i in (0..self.n).rev() {
            let (head, rest) = y.split_at_mut(i);
            let Some(x) = rest.first_mut() else {
                continue;
            };
            *x /= self.diag(i);
            let xi = *x;
            for (h, l) in head.iter_mut().zip(self.row(i)) {
                *h -= xi * l;
            }
        }
        true
    }

    /// Solves `Ax = b` in place (`b` of length `n`; `false` and untouched otherwise).
    pub fn solve(&self, b: &mut [f64]) -> bool {
        self.forward(b) && self.backward(b)
    }
}

/// Factors the panel `L[kb.., kb..ke]` (columns `kb..ke` of every row `i ≥ kb`, already
/// updated by the earlier panels), [`TILE`] rows at a time: each sliver of rows is packed
/// column by column (`pack[(s·w + k)·TILE + r] = L[kb + s·TILE + r][kb + k]`, zero past the
/// last row), solved against the panel's diagonal block with one broadcast multiply-add per
/// column for the four rows at once (four independent chains, no horizontal sums), its
/// corner triangle (when it meets the diagonal) factored in place, and written back. The
/// slivers below the diagonal block are then exactly the packed operand of the trailing
/// update. Returns the number of slivers.
fn factor_panel(
    a: &mut [f64],
    n: usize,
    kb: usize,
    ke: usize,
    pack: &mut Vec<f64>,
) -> Option<usize> {
    let w = ke - kb;
    let len = w * TILE;
    let slivers = (n - kb).div_ceil(TILE);
    pack.clear();
    pack.resize(slivers * len, 0.0);
    for (s, sliver) in pack.chunks_exact_mut(len).enumerate() {
        let i0 = kb + s * TILE;
        let rows = TILE.min(n - i0);
        for r in 0..rows {
            let i = i0 + r;
            let src = a.get(i * n + kb..i * n + ke)?;
            for (dst, v) in sliver.iter_mut().skip(r).step_by(TILE).zip(src) {
                *dst = *v;
            }
        }
        // columns of finished rows (those of the diagonal block before this sliver)
        let jmax = w.min(i0 - kb);
        for j in 0..jmax {
            let row_j = a.get((kb + j) * n + kb..(kb + j) * n + kb + j + 1)?;
            let (lj, djj) = row_j.split_at(j);
            let djj = *djj.first()?;
            let (done, rest) = sliver.split_at_mut(j * TILE);
            let acc = sliver_dot(done, lj);
            let x = rest.get_mut(..TILE)?;
            for (x, s) in x.iter_mut().zip(acc) {
                *x = (*x - s) / djj;
            }
        }
        // the corner triangle, when the sliver meets the diagonal block's diagonal
        if i0 < ke {
            // the sliver's own Gram matrix over the finished columns, then the few columns
            // inside the corner one by one
            let c0 = i0 - kb;
            let head = sliver.get(..c0 * TILE)?;
            let gram = tile_kernel(head, head);
            for (r, gram_r) in gram.iter().enumerate().take(rows) {
                for (jr, g) in gram_r.iter().enumerate().take(r + 1) {
                    let j = c0 + jr;
                    if j >= w {
                        break;
                    }
                    let mut s = *g;
                    for k in c0..j {
                        s += sliver.get(k * TILE + r)? * sliver.get(k * TILE + jr)?;
                    }
                    let x = sliver.get(j * TILE + r).copied()? - s;
                    let v = if jr == r {
                        if x.is_nan() || x <= 0.0 {
                            return None;
                        }
                        x.sqrt()
                    } else {
                        x / sliver.get(j * TILE + jr)?
                    };
                    *sliver.get_mut(j * TILE + r)? = v;
                }
            }
        }
        for r in 0..rows {
            let i = i0 + r;
            let dst = a.get_mut(i * n + kb..i * n + ke)?;
            for (d, v) in dst.iter_mut().zip(sliver.iter().skip(r).step_by(TILE)) {
                *d = *v;
            }
        }
    }
    Some(slivers)
}

/// `Σ_k x[k]·l[k]` for the four rows of a packed sliver (`x[k·TILE + r]`), two
/// accumulator sets so consecutive columns do not wait on each other.
#[inline(always)]
fn sliver_dot(x: &[f64], l: &[f64]) -> [f64; TILE] {
    let mut s0 = [0.0f64; TILE];
    let mut s1 = [0.0f64; TILE];
    for (xs, ls) in x.chunks_exact(2 * TILE).zip(l.chunks_exact(2)) {
        let (xa, xb) = xs.split_at(TILE);
        let [l0, l1] = ls else {
            continue;
        };
        for (s, v) in s0.iter_mut().zip(xa) {
            *s += v * l0;
        }
        for (s, v) in s1.iter_mut().zip(xb) {
            *s += v * l1;
        }
    }
    if l.len() % 2 == 1 {
        let k = l.len() - 1;
        if let (Some(xs), Some(lk)) = (x.get(k * TILE..(k + 1) * TILE), l.get(k)) {
            for (s, v) in s0.iter_mut().zip(xs) {
                *s += v * lk;
            }
        }
    }
    let mut out = [0.0f64; TILE];
    for ((o, a), b) in out.iter_mut().zip(s0).zip(s1) {
        *o = a + b;
    }
    out
}

/// `Σ_k a[k]·b[k]ᵀ` over two packed slivers: the 4×4 block of `L_I·L_Jᵀ`.
#[inline(always)]
fn tile_kernel(a: &[f64], b: &[f64]) -> [[f64; TILE]; TILE] {
    let mut c0 = [0.0f64; TILE];
    let mut c1 = [0.0f64; TILE];
    let mut c2 = [0.0f64; TILE];
    let mut c3 = [0.0f64; TILE];
    for (x, y) in a.chunks_exact(TILE).zip(b.chunks_exact(TILE)) {
        let (Ok(&[x0, x1, x2, x3]), Ok(y)) =
            (<&[f64; TILE]>::try_from(x), <&[f64; TILE]>::try_from(y))
        else {
            continue;
        };
        for (c, v) in c0.iter_mut().zip(y) {
            *c += x0 * v;
        }
        for (c, v) in c1.iter_mut().zip(y) {
            *c += x1 * v;
        }
        for (c, v) in c2.iter_mut().zip(y) {
            *c += x2 * v;
        }
        for (c, v) in c3.iter_mut().zip(y) {
            *c += x3 * v;
        }
    }
    [c0, c1, c2, c3]
}

/// `A[ke.., ke..] −= L[ke.., kb..ke]·L[ke.., kb..ke]ᵀ` on the lower triangle (tiles that
/// straddle the diagonal also write a few entries above it; those are never read and are
/// zeroed at the end).
fn update_trailing(a: &mut [f64], n: usize, ke: usize, w: usize, pack: &[f64], slivers: usize) {
    let len = w * TILE;
    for si in 0..slivers {
        let Some(pa) = pack.get(si * len..(si + 1) * len) else {
            continue;
        };
        let i0 = ke + si * TILE;
        for sj in 0..=si {
            let Some(pb) = pack.get(sj * len..(sj + 1) * len) else {
                continue;
            };
            let acc = tile_kernel(pa, pb);
            let j0 = ke + sj * TILE;
            let cols = TILE.min(n - j0);
            for (r, acc_r) in acc.iter().enumerate() {
                let i = i0 + r;
                if i >= n {
                    break;
                }
                if let Some(dst) = a.get_mut(i * n + j0..i * n + j0 + cols) {
                    for (d, v) in dst.iter_mut().zip(acc_r) {
                        *d -= v;
                    }
                }
            }
        }
    }
}

fn factor_in_place(a: &mut [f64], n: usize) -> Option<()> {
    let mut pack = Vec::new();
    let mut kb = 0;
    while kb < n {
        let ke = (kb + PANEL).min(n);
        let slivers = factor_panel(a, n, kb, ke, &mut pack)?;
        if ke < n {
            // the panel is a whole number of slivers: those below it start at `ke`
            let w = ke - kb;
            let below = pack.get(w / TILE * w * TILE..).unwrap_or(&[]);
            update_trailing(a, n, ke, w, below, slivers - w / TILE);
        }
        kb = ke;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::rng::Xoshiro256;
    use nalgebra::DMatrix;
    use proptest::prelude::*;

    /// `BBᵀ + shift·I` with `B` of `n×(n+3)` normal entries: symmetric positive definite.
    fn spd(n: usize, seed: u64, shift: f64) -> Vec<f64> {
        let mut r = Xoshiro256::new(seed);
        let m = n + 3;
        let b: Vec<f64> = (0..n * m).map(|_| r.normal()).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let s: f64 = (0..m).map(|k| b[i * m + k] * b[j * m + k]).sum();
                a[i * n + j] = s + if i == j { shift } else { 0.0 };
            }
        }
        a
    }

    fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    }

    fn check_against_nalgebra(n: usize, seed: u64) {
        let a = spd(n, seed, 0.1);
        let ours = Cholesky::factor(&a, n).unwrap();
        let theirs = DMatrix::from_row_slice(n, n, &a).cholesky().unwrap().l();
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                l[i * n + j] = theirs[(i, j)];
            }
        }
        let scale = a.iter().fold(1.0f64, |m, x| m.max(x.abs())).sqrt();
        let d = max_abs_diff(ours.factor_matrix(), &l);
        assert!(d <= 1e-10 * scale, "n={n}: factors differ by {d}");
        // upper triangle exactly zero
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(ours.factor_matrix()[i * n + j], 0.0);
            }
        }
        // solve against nalgebra's solve
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut x = b.clone();
        assert!(ours.solve(&mut x));
        let xn = DMatrix::from_row_slice(n, n, &a)
            .cholesky()
            .unwrap()
            .solve(&nalgebra::DVector::from_column_slice(&b));
        let xs: Vec<f64> = xn.iter().copied().collect();
        let xscale = xs.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        assert!(
            max_abs_diff(&x, &xs) <= 1e-9 * xscale,
            "n={n}: solves differ"
        );
    }

    #[test]
    fn matches_nalgebra_on_random_spd() {
        // tiny sizes, one tile, one panel, panel and tile boundaries, several panels
        for (n, seed) in [
            (1, 1),
            (2, 2),
            (3, 3),
            (4, 4),
            (5, 5),
            (17, 6),
            (63, 7),
            (64, 8),
            (65, 9),
            (67, 10),
            (130, 11),
            (201, 12),
        ] {
            check_against_nalgebra(n, seed);
        }
    }

    #[test]
    fn empty_and_scalar() {
        let c = Cholesky::factor(&[], 0).unwrap();
        assert_eq!(c.n(), 0);
        let mut b: Vec<f64> = vec![];
        assert!(c.solve(&mut b));
        let c = Cholesky::factor(&[4.0], 1).unwrap();
        assert_eq!(c.factor_matrix(), &[2.0]);
        let mut b = vec![2.0];
        assert!(c.solve(&mut b));
        assert_eq!(b, vec![0.5]);
        assert!(Cholesky::factor(&[0.0], 1).is_none());
        assert!(Cholesky::factor(&[-1.0], 1).is_none());
        assert!(Cholesky::factor(&[f64::NAN], 1).is_none());
        // wrong length
        assert!(Cholesky::factor(&[1.0, 0.0, 0.0], 2).is_none());
        let mut short = vec![1.0];
        let c2 = Cholesky::factor(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        assert!(!c2.solve(&mut short));
        assert_eq!(short, vec![1.0]);
    }

    #[test]
    fn detects_non_positive_definite() {
        // indefinite 2×2
        assert!(Cholesky::factor(&[1.0, 1.5, 1.5, 1.0], 2).is_none());
        // singular (rank one) 3×3
        assert!(Cholesky::factor(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 3).is_none());
        // a negative eigenvalue introduced deep in the trailing matrix (past the first panel)
        for n in [70, 150] {
            let mut a = spd(n, 99, 0.0);
            // make the last two assets (nearly) identical and subtract: indefinite
            let last = n - 1;
            for j in 0..n {
                a[last * n + j] = a[(last - 1) * n + j];
                a[j * n + last] = a[j * n + last - 1];
            }
            a[last * n + last] = a[(last - 1) * n + last - 1] - 1.0;
            assert!(Cholesky::factor(&a, n).is_none(), "n={n}");
            let na = DMatrix::from_row_slice(n, n, &a).cholesky().is_none();
            assert!(na, "nalgebra agrees on n={n}");
        }
    }

    #[test]
    fn forward_from_skips_leading_zeros() {
        let n = 9;
        let a = spd(n, 5, 0.5);
        let c = Cholesky::factor(&a, n).unwrap();
        let mut e = vec![0.0; n];
        e[4] = 1.0;
        let mut full = e.clone();
        assert!(c.forward(&mut full));
        assert!(c.forward_from(&mut e, 4));
        assert!(max_abs_diff(&e, &full) == 0.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// `L·Lᵀ` reproduces `A` and `A·x = b` holds after a solve.
        #[test]
        fn reconstructs_and_solves(n in 0usize..150, seed in any::<u64>()) {
            let a = spd(n, seed, 1e-3);
            let c = Cholesky::factor(&a, n).unwrap();
            let l = c.factor_matrix();
            let scale = a.iter().fold(1.0f64, |m, x| m.max(x.abs()));
            for i in 0..n {
                for j in 0..=i {
                    let s: f64 = (0..=j).map(|k| l[i * n + k] * l[j * n + k]).sum();
                    prop_assert!((s - a[i * n + j]).abs() <= 1e-12 * scale * n.max(1) as f64);
                }
            }
            let b: Vec<f64> = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
            let mut x = b.clone();
            prop_assert!(c.solve(&mut x));
            for i in 0..n {
                let ax: f64 = (0..n).map(|j| a[i * n + j] * x[j]).sum();
                let xs = x.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                prop_assert!((ax - b[i]).abs() <= 1e-8 * scale * xs);
            }
        }
    }
}
