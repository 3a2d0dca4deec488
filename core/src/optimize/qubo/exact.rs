//! Exact minimization by Gray-code enumeration of all `2ⁿ` assignments: consecutive codes
//! differ in one bit, so each state costs one energy update and an `O(n)` field update.

use super::Qubo;
use crate::error::{KassaError, Result};

/// Largest `n` the exact solver accepts.
pub const MAX_EXACT: usize = 30;

/// The minimizing assignment and its energy (ties: the first in Gray-code order).
pub fn solve(q: &Qubo) -> Result<(Vec<bool>, f64)> {
    let n = q.n();
    if n > MAX_EXACT {
        return Err(KassaError::validation(
            "n",
            format!("exact enumeration is limited to {MAX_EXACT} variables; got {n}"),
        ));
    }
    let mut x = vec![false; n];
    let mut fields = q.fields(&x);
    let mut e = q.offset();
    let mut best_e = e;
    let mut best_code: u64 = 0;
    let mut code: u64 = 0;
    let total: u64 = 1u64 << n;
    for k in 1..total {
        let bit = k.trailing_zeros() as usize;
        let Some(xi) = x.get_mut(bit) else {
            break;
        };
        let f = fields.get(bit).copied().unwrap_or(0.0);
        let sign = if *xi { -1.0 } else { 1.0 };
        e += sign * f;
        *xi = !*xi;
        code ^= 1u64 << bit;
        for (fj, jv) in fields.iter_mut().zip(q.row(bit)) {
            *fj += sign * jv;
        }
        if e < best_e {
            best_e = e;
            best_code = code;
        }
    }
    let best: Vec<bool> = (0..n).map(|i| best_code >> i & 1 == 1).collect();
    // recompute exactly to drop accumulated rounding
    let energy = q.energy(&best);
    Ok((best, energy))
}
