//! Exact largest-remainder allocation in integer minor units.

use crate::error::{KassaError, Result};
use rust_decimal::Decimal;

/// Splits `units` (minor units, may be negative) over `weights` so that the parts add up to
/// `units` exactly. Each part gets the floor of its exact share; the leftover units go one
/// each to the largest remainders, ties to the lower index. Arithmetic is exact integer
/// arithmetic on the weights scaled to a common denominator, so no tie is ever decided by
/// a rounding error.
pub fn allocate_units(units: i128, weights: &[Decimal]) -> Result<Vec<i128>> {
    if weights.is_empty() {
        return Err(KassaError::validation("weights", "must not be empty"));
    }
    if let Some(i) = weights
        .iter()
        .position(|w| w.is_sign_negative() && !w.is_zero())
    {
        return Err(KassaError::validation(
            format!("weights[{i}]"),
            "must not be negative",
        ));
    }
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    // The weights as integers at the common scale; most weights already have it, so the
    // rescale is the exception.
    let scaled_weight = |w: &Decimal| -> u128 {
        if w.scale() == scale {
            return u128::try_from(w.mantissa()).unwrap_or(0);
        }
        let mut w = *w;
        w.rescale(scale);
        u128::try_from(w.mantissa()).unwrap_or(0)
    };
    let total_weight = weights
        .iter()
        .try_fold(0u128, |acc, w| acc.checked_add(scaled_weight(w)))
        .ok_or_else(too_large)?;
    if total_weight == 0 {
        return Err(KassaError::validation("weights", "must not all be zero"));
    }
    let magnitude = units.unsigned_abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for w in weights {
        let product = magnitude
            .checked_mul(scaled_weight(w))
            .ok_or_else(too_large)?;
        let share = product / total_weight;
        given += share;
        parts.push(share);
        remainders.push(product % total_weight);
    }
    let leftover = usize::try_from(magnitude - given).unwrap_or(usize::MAX);
    // The leftover units go to the largest remainders, equal remainders to the earlier
    // index. (remainder desc, index asc) is a total order, so selecting the first
    // `leftover` of it picks the same set a full sort would, without sorting.
    if leftover > 0 {
        let mut ranked: Vec<(u128, usize)> = remainders.into_iter().zip(0..).collect();
        let by_rank = |a: &(u128, usize), b: &(u128, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if leftover < ranked.len() {
            crate::sorting::select_nth_unstable_by(&mut ranked, leftover - 1, by_rank);
        }
        for (_, i) in ranked.into_iter().take(leftover) {
            if let Some(p) = parts.get_mut(i) {
                *p += 1;
            }
        }
    }
    let negative = units < 0;
    Ok(parts
        .into_iter()
        .map(|p| {
            let p = i128::try_from(p).unwrap_or(i128::MAX);
            if negative {
                -p
            } else {
                p
            }
        })
        .collect())
}

fn too_large() -> KassaError {
    KassaError::validation("amount", "amount or weights too large to allocate exactly")
}
