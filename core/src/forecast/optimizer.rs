//! A bounded minimizer for up to four parameters in the unit box: projected quasi-Newton
//! (BFGS on the free variables, variables at a bound with an outward gradient held fixed,
//! Armijo backtracking along the projected path; the active-set idea of L-BFGS-B, dense since
//! the dimension is tiny) with central finite-difference gradients.

/// Maximum dimension.
pub(crate) const MAX_DIM: usize = 4;

/// Result of [`minimize_unit_box`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Minimum {
    pub x: [f64; MAX_DIM],
}

fn clamp01(v: f64) -> f64 {
    v.clamp(0.0, 1.0)
}

/// Minimizes `f` over [0, 1]^k from `x0` (k ≤ [`MAX_DIM`]).
pub(crate) fn minimize_unit_box(
    k: usize,
    x0: [f64; MAX_DIM],
    mut f: impl FnMut(&[f64; MAX_DIM]) -> f64,
) -> Minimum {
    let k = k.min(MAX_DIM);
    let mut evaluations = 0usize;
    let mut eval = |x: &[f64; MAX_DIM], evaluations: &mut usize| {
        *evaluations += 1;
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut x = x0;
    for v in x.iter_mut().take(k) {
        *v = clamp01(*v);
    }
    let mut fx = eval(&x, &mut evaluations);
    let grad = |x: &[f64; MAX_DIM], fx: f64, eval: &mut dyn FnMut(&[f64; MAX_DIM]) -> f64| {
        let mut g = [0.0; MAX_DIM];
        for i in 0..k {
            let h = 1e-7;
            let xi = x.get(i).copied().unwrap_or(0.0);
            let (lo, hi) = ((xi - h).max(0.0), (xi + h).min(1.0));
            let mut xp = *x;
            let mut xm = *x;
            if let Some(v) = xp.get_mut(i) {
                *v = hi;
            }
            if let Some(v) = xm.get_mut(i) {
                *v = lo;
            }
            let fp = if hi == xi { fx } else { eval(&xp) };
            let fm = if lo == xi { fx } else { eval(&xm) };
            if let Some(gi) = g.get_mut(i) {
                *gi = if hi > lo { (fp - fm) / (hi - lo) } else { 0.0 };
            }
        }
        g
    };
    let mut g = grad(&x, fx, &mut |p| eval(p, &mut evaluations));
    let mut hinv = identity();
    let mut fresh = true;
    for _ in 0..200 {
        if !fx.is_finite() {
            break;
        }
        // Projected gradient: zero where a bound blocks the descent direction.
        let mut pg = [0.0; MAX_DIM];
        let mut free = [false; MAX_DIM];
        for i in 0..k {
            let (xi, gi) = (
                x.get(i).copied().unwrap_or(0.0),
                g.get(i).copied().unwrap_or(0.0),
            );
            let blocked = (xi <= 0.0 && gi > 0.0) || (xi >= 1.0 && gi < 0.0);
            if let (Some(p), Some(fr)) = (pg.get_mut(i), free.get_mut(i)) {
                *fr = !blocked;
                *p = if blocked { 0.0 } else { gi };
            }
        }
        let pg_norm = pg.iter().take(k).fold(0.0f64, |a, v| a.max(v.abs()));
        if pg_norm <= 1e-10 * fx.abs().max(1.0) {
            break;
        }
        let mut d = [0.0; MAX_DIM];
        for i in 0..k {
            if !free.get(i).copied().unwrap_or(false) {
                continue;
            }
            let mut s = 0.0;
            for j in 0..k {
                s += get2(&hinv, i, j) * pg.get(j).copied().unwrap_or(0.0);
            }
            if let Some(di) = d.get_mut(i) {
                *di = -s;
            }
        }
        if dot(&d, &pg, k) >= 0.0 {
            hinv = identity();
            fresh = true;
            for i in 0..k {
                if let Some(di) = d.get_mut(i) {
                    *di = -pg.get(i).copied().unwrap_or(0.0);
                }
            }
        }
        // Backtracking along the projected path.
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let mut xt = x;
            for i in 0..k {
                if let Some(v) = xt.get_mut(i) {
                    *v = clamp01(*v + t * d.get(i).copied().unwrap_or(0.0));
                }
            }
            let ft = eval(&xt, &mut evaluations);
            let step: [f64; MAX_DIM] = std::array::from_fn(|i| {
                xt.get(i).copied().unwrap_or(0.0) - x.get(i).copied().unwrap_or(0.0)
            });
            if ft <= fx + 1e-4 * dot(&g, &step, k) && ft <= fx {
                accepted = Some((xt, ft, step));
                break;
            }
            t *= 0.5;
        }
        let Some((xt, ft, s)) = accepted else {
            if fresh {
                break;
            }
            hinv = identity();
            fresh = true;
            continue;
        };
        let gt = grad(&xt, ft, &mut |p| eval(p, &mut evaluations));
        let yv: [f64; MAX_DIM] = std::array::from_fn(|i| {
            gt.get(i).copied().unwrap_or(0.0) - g.get(i).copied().unwrap_or(0.0)
        });
        let sy = dot(&s, &yv, k);
        if sy > 1e-16 {
            if fresh {
                // Scale the initial inverse Hessian to the observed curvature (Nocedal &
                // Wright 6.20) before the first update.
                let yy = dot(&yv, &yv, k);
                if yy > 0.0 {
                    let scale = sy / yy;
                    hinv = identity();
                    for (i, row) in hinv.iter_mut().enumerate().take(k) {
                        if let Some(v) = row.get_mut(i) {
                            *v = scale;
                        }
                    }
                }
            }
            bfgs_update(&mut hinv, &s, &yv, sy, k);
            fresh = false;
        }
        let improvement = fx - ft;
        x = xt;
        fx = ft;
        g = gt;
        if improvement <= 1e-14 * fx.abs().max(1e-300) && improvement >= 0.0 && !fresh {
            // Converged in value; one more projected-gradient check happens at loop top.
            if improvement == 0.0 {
                break;
            }
        }
    }
    Minimum { x }
}

type Mat = [[f64; MAX_DIM]; MAX_DIM];

fn identity() -> Mat {
    let mut m = [[0.0; MAX_DIM]; MAX_DIM];
    for (i, row) in m.iter_mut().enumerate() {
        if let Some(v) = row.get_mut(i) {
            *v = 1.0;
        }
    }
    m
}

fn get2(m: &Mat, i: usize, j: usize) -> f64 {
    m.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0.0)
}

fn dot(a: &[f64; MAX_DIM], b: &[f64; MAX_DIM], k: usize) -> f64 {
    a.iter().zip(b).take(k).map(|(x, y)| x * y).sum()
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / (yᵀ s).
fn bfgs_update(h: &mut Mat, s: &[f64; MAX_DIM], y: &[f64; MAX_DIM], sy: f64, k: usize) {
    let rho = 1.0 / sy;
    let mut hy = [0.0; MAX_DIM];
    for (i, v) in hy.iter_mut().enumerate().take(k) {
        *v = (0..k)
            .map(|j| get2(h, i, j) * y.get(j).copied().unwrap_or(0.0))
            .sum();
    }
    let yhy = dot(y, &hy, k);
    let mut next = *h;
    for i in 0..k {
        for j in 0..k {
            let si = s.get(i).copied().unwrap_or(0.0);
            let sj = s.get(j).copied().unwrap_or(0.0);
            let hyi = hy.get(i).copied().unwrap_or(0.0);
            let hyj = hy.get(j).copied().unwrap_or(0.0);
            let v = get2(h, i, j) - rho * (hyi * sj + si * hyj) + (rho * rho * yhy + rho) * si * sj;
            if let Some(c) = next.get_mut(i).and_then(|r| r.get_mut(j)) {
                *c = v;
            }
        }
    }
    *h = next;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_interior_and_boundary_minima() {
        let m = minimize_unit_box(2, [0.5, 0.5, 0.0, 0.0], |x| {
            (x[0] - 0.3).powi(2) + 10.0 * (x[1] - 0.7).powi(2) + 0.2 * x[0] * x[1]
        });
        // ∂/∂x0: 2(x0 − 0.3) + 0.2·x1 = 0; ∂/∂x1: 20(x1 − 0.7) + 0.2·x0 = 0.
        let x1 = 13.94 / 19.98;
        let x0 = 0.3 - 0.1 * x1;
        assert!(
            (m.x[0] - x0).abs() < 1e-5 && (m.x[1] - x1).abs() < 1e-5,
            "{:?}",
            m.x
        );
        // With a stronger coupling the x0 optimum is below 0: it sticks to the bound.
        let m = minimize_unit_box(2, [0.5, 0.5, 0.0, 0.0], |x| {
            (x[0] - 0.3).powi(2) + 10.0 * (x[1] - 0.7).powi(2) + x[0] * x[1]
        });
        assert_eq!(m.x[0], 0.0);
        assert!((m.x[1] - 0.7).abs() < 1e-6);
        let m = minimize_unit_box(3, [0.5, 0.5, 0.5, 0.0], |x| {
            (x[0] + 1.0).powi(2) + (x[1] - 2.0).powi(2) + (x[2] - 0.25).powi(2)
        });
        assert_eq!((m.x[0], m.x[1]), (0.0, 1.0));
        assert!((m.x[2] - 0.25).abs() < 1e-6);
    }
}
