//! Eigenvalues and eigenvectors of a symmetric matrix, for the nearest positive-definite
//! repair ([`super::covariance::nearest_psd`]).
//!
//! Householder reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson
//! shifts (EISPACK's `tred2` and `tql2`, as in JAMA's public-domain
//! `EigenvalueDecomposition`): `O(n³)`, backward stable. Our own rather than nalgebra's
//! `SymmetricEigen`: the repair was nalgebra's only use in the library, and nalgebra with its
//! matrix kernels was ~15 KB of the wasm module (docs/performance.md, wasm, "Session 15");
//! the tests check it against nalgebra (a dev-dependency).
//!
//! The eigenvectors are kept column-major (`vt[i]` is eigenvector `i`), so the QL rotations,
//! the `O(n³)` part, combine two contiguous rows.

/// A symmetric matrix's eigen-decomposition `A = V Λ Vᵀ`.
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    n: usize,
    /// The eigenvalues (unordered).
    pub values: Vec<f64>,
    /// Eigenvector `i` in `vt[i·n .. (i+1)·n]`.
    vt: Vec<f64>,
}

/// Iterations of QL allowed per eigenvalue before giving up (30 is EISPACK's limit; the
/// shifts converge cubically, so a finite matrix takes two or three).
const MAX_ITERATIONS: usize = 60;

impl SymmetricEigen {
    /// Decomposes the symmetric row-major `n×n` matrix `a` (only its lower triangle is read).
    /// `None` when `a` is not `n×n` or holds a value that is not finite (the iteration then
    /// does not converge).
    pub fn new(a: &[f64], n: usize) -> Option<SymmetricEigen> {
        if a.len() != n.checked_mul(n)? || a.iter().any(|x| !x.is_finite()) {
            return None;
        }
        // Row-major working copy of the lower triangle, mirrored.
        let mut v = Mat::new(n);
        for i in 0..n {
            for j in 0..=i {
                let x = a.get(i * n + j).copied().unwrap_or(0.0);
                v.set(i, j, x);
                v.set(j, i, x);
            }
        }
        let mut d = vec![0.0; n];
        let mut e = vec![0.0; n];
        tridiagonalize(&mut v, &mut d, &mut e);
        // Column-major for the rotations: row `i` of `vt` is column `i` of `v`.
        let mut vt = vec![0.0; n * n];
        for (i, row) in vt.chunks_exact_mut(n.max(1)).enumerate() {
            for (k, x) in row.iter_mut().enumerate() {
                *x = v.get(k, i);
            }
        }
        ql(&mut d, &mut e, &mut vt, n)?;
        Some(SymmetricEigen { n, values: d, vt })
    }

    /// Eigenvector `i` (unit length), `None` out of range.
    pub fn vector(&self, i: usize) -> Option<&[f64]> {
        self.vt.get(i * self.n..(i + 1) * self.n)
    }

    /// `V diag(values) Vᵀ`, row-major `n×n`, with `values` in place of the eigenvalues.
    pub fn recompose(&self, values: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut out = vec![0.0; n * n];
        for (vk, lk) in self.vt.chunks_exact(n.max(1)).zip(values) {
            for (i, row) in out.chunks_exact_mut(n.max(1)).enumerate() {
                let s = lk * vk.get(i).copied().unwrap_or(0.0);
                for (o, x) in row.iter_mut().zip(vk) {
                    *o += s * x;
                }
            }
        }
        out
    }
}

/// A row-major square matrix read and written without panicking (out of range reads 0 and
/// writes nothing: the loops below stay in range).
struct Mat {
    n: usize,
    a: Vec<f64>,
}

impl Mat {
    fn new(n: usize) -> Mat {
        Mat {
            n,
            a: vec![0.0; n * n],
        }
    }
    fn get(&self, i: usize, j: usize) -> f64 {
        self.a.get(i * self.n + j).copied().unwrap_or(0.0)
    }
    fn set(&mut self, i: usize, j: usize, x: f64) {
        if let Some(slot) = self.a.get_mut(i * self.n + j) {
            *slot = x;
        }
    }
    fn add(&mut self, i: usize, j: usize, x: f64) {
        if let Some(slot) = self.a.get_mut(i * self.n + j) {
            *slot += x;
        }
    }
}

fn at(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(0.0)
}

fn put(v: &mut [f64], i: usize, x: f64) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

/// `tred2`: `v` becomes the orthogonal transformation, `d` the diagonal and `e` the
/// subdiagonal (in `e[1..]`) of the tridiagonal matrix.
fn tridiagonalize(v: &mut Mat, d: &mut [f64], e: &mut [f64]) {
    let n = v.n;
    if n == 0 {
        return;
    }
    for (j, dj) in d.iter_mut().enumerate() {
        *dj = v.get(n - 1, j);
    }
    for i in (1..n).rev() {
        let scale: f64 = d.iter().take(i).map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            put(e, i, at(d, i - 1));
            for j in 0..i {
                put(d, j, v.get(i - 1, j));
                v.set(i, j, 0.0);
                v.set(j, i, 0.0);
            }
        } else {
            for x in d.iter_mut().take(i) {
                *x /= scale;
                h += *x * *x;
            }
            let f = at(d, i - 1);
            let g = if f > 0.0 { -h.sqrt() } else { h.sqrt() };
            put(e, i, scale * g);
            h -= f * g;
            put(d, i - 1, f - g);
            for x in e.iter_mut().take(i) {
                *x = 0.0;
            }
            for j in 0..i {
                let f = at(d, j);
                v.set(j, i, f);
                let mut g = at(e, j) + v.get(j, j) * f;
                for k in j + 1..i {
                    g += v.get(k, j) * at(d, k);
                    put(e, k, at(e, k) + v.get(k, j) * f);
                }
                put(e, j, g);
            }
            let mut f = 0.0;
            for j in 0..i {
                let ej = at(e, j) / h;
                put(e, j, ej);
                f += ej * at(d, j);
            }
            let hh = f / (h + h);
            for j in 0..i {
                put(e, j, at(e, j) - hh * at(d, j));
            }
            for j in 0..i {
                let (f, g) = (at(d, j), at(e, j));
                for k in j..i {
                    v.add(k, j, -(f * at(e, k) + g * at(d, k)));
                }
                put(d, j, v.get(i - 1, j));
                v.set(i, j, 0.0);
            }
        }
        put(d, i, h);
    }
    // Accumulate the transformations.
    for i in 0..n - 1 {
        v.set(n - 1, i, v.get(i, i));
        v.set(i, i, 1.0);
        let h = at(d, i + 1);
        if h != 0.0 {
            for k in 0..=i {
                put(d, k, v.get(k, i + 1) / h);
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += v.get(k, i + 1) * v.get(k, j);
                }
                for k in 0..=i {
                    v.add(k, j, -g * at(d, k));
                }
            }
        }
        for k in 0..=i {
            v.set(k, i + 1, 0.0);
        }
    }
    for j in 0..n {
        put(d, j, v.get(n - 1, j));
        v.set(n - 1, j, 0.0);
    }
    v.set(n - 1, n - 1, 1.0);
    put(e, 0, 0.0);
}

/// `tql2`: the eigenvalues of the tridiagonal `(d, e)` into `d`, the rotations applied to the
/// eigenvectors `vt` (column-major). `None` when an eigenvalue does not converge.
fn ql(d: &mut [f64], e: &mut [f64], vt: &mut [f64], n: usize) -> Option<()> {
    if n == 0 {
        return Some(());
    }
    for i in 1..n {
        put(e, i - 1, at(e, i));
    }
    put(e, n - 1, 0.0);
    let mut f = 0.0;
    let mut tst1: f64 = 0.0;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(at(d, l).abs() + at(e, l).abs());
        let mut m = l;
        while m < n - 1 && at(e, m).abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            let mut iterations = 0;
            loop {
                iterations += 1;
                if iterations > MAX_ITERATIONS {
                    return None;
                }
                // The implicit shift.
                let g = at(d, l);
                let mut p = (at(d, l + 1) - g) / (2.0 * at(e, l));
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                put(d, l, at(e, l) / (p + r));
                put(d, l + 1, at(e, l) * (p + r));
                let dl1 = at(d, l + 1);
                let mut h = g - at(d, l);
                for x in d.iter_mut().skip(l + 2) {
                    *x -= h;
                }
                f += h;
                // The implicit QL transformation.
                p = at(d, m);
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let el1 = at(e, l + 1);
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * at(e, i);
                    h = c * p;
                    r = p.hypot(at(e, i));
                    put(e, i + 1, s * r);
                    s = at(e, i) / r;
                    c = p / r;
                    p = c * at(d, i) - s * g;
                    put(d, i + 1, h + s * (c * g + s * at(d, i)));
                    // Rotate eigenvectors i and i + 1.
                    let (lo, hi) = vt.split_at_mut((i + 1) * n);
                    let vi = lo.get_mut(i * n..).unwrap_or_default();
                    let vi1 = hi.get_mut(..n).unwrap_or_default();
                    for (a, b) in vi.iter_mut().zip(vi1.iter_mut()) {
                        let hb = *b;
                        *b = s * *a + c * hb;
                        *a = c * *a - s * hb;
                    }
                }
                p = -s * s2 * c3 * el1 * at(e, l) / dl1;
                put(e, l, s * p);
                put(d, l, c * p);
                if at(e, l).abs() <= eps * tst1 {
                    break;
                }
            }
        }
        put(d, l, at(d, l) + f);
        put(e, l, 0.0);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::rng::Xoshiro256;

    fn random_symmetric(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256::new(seed);
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let x = rng.next_f64() * 2.0 - 1.0;
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        a
    }

    fn check(a: &[f64], n: usize) {
        let eig = SymmetricEigen::new(a, n).unwrap();
        // A = V Λ Vᵀ
        let back = eig.recompose(&eig.values);
        let scale = a.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for (x, y) in a.iter().zip(&back) {
            assert!((x - y).abs() <= 1e-12 * scale * n as f64, "{x} vs {y}");
        }
        // VᵀV = I
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = eig
                    .vector(i)
                    .unwrap()
                    .iter()
                    .zip(eig.vector(j).unwrap())
                    .map(|(a, b)| a * b)
                    .sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "({i},{j}) {dot}");
            }
        }
        // The same spectrum as nalgebra's.
        let theirs = nalgebra::SymmetricEigen::new(nalgebra::DMatrix::from_row_slice(n, n, a));
        let mut ours = eig.values.clone();
        let mut want: Vec<f64> = theirs.eigenvalues.iter().copied().collect();
        ours.sort_by(f64::total_cmp);
        want.sort_by(f64::total_cmp);
        for (x, y) in ours.iter().zip(&want) {
            assert!((x - y).abs() <= 1e-12 * scale * n as f64, "{x} vs {y}");
        }
    }

    #[test]
    fn decomposes_random_and_special_matrices() {
        for n in [1, 2, 3, 5, 8, 17, 40] {
            for seed in 0..4 {
                check(&random_symmetric(n, seed), n);
            }
        }
        // Diagonal, repeated eigenvalues, zero, rank one.
        check(&[2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, -1.0], 3);
        check(&[0.0; 16], 4);
        let v = [1.0, 2.0, 3.0];
        let rank_one: Vec<f64> = (0..9).map(|k| v[k / 3] * v[k % 3]).collect();
        check(&rank_one, 3);
        assert!(SymmetricEigen::new(&[], 0).is_some());
    }

    #[test]
    fn refuses_bad_input() {
        assert!(SymmetricEigen::new(&[1.0, 2.0, 3.0], 2).is_none());
        assert!(SymmetricEigen::new(&[1.0, f64::NAN, f64::NAN, 1.0], 2).is_none());
        assert!(SymmetricEigen::new(&[1.0, f64::INFINITY, f64::INFINITY, 1.0], 2).is_none());
    }
}
