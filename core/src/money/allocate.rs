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
    let scaled: Vec<u128> = weights
        .iter()
        .map(|w| {
            let mut w = *w;
            w.rescale(scale);
            u128::try_from(w.mantissa()).unwrap_or(0)
        })
        .collect();
    let total_weight = scaled
        .iter()
        .try_fold(0u128, |acc, w| acc.checked_add(*w))
        .ok_or_else(too_large)?;
    if total_weight == 0 {
        return Err(KassaError::validation("weights", "must not all be zero"));
    }
    let magnitude = units.unsigned_abs();
    let mut parts = Vec::with_capacity(scaled.len());
    let mut remainders = Vec::with_capacity(scaled.len());
    let mut given: u128 = 0;
    for (i, w) in scaled.iter().enumerate() {
        let product = magnitude.checked_mul(*w).ok_or_else(too_large)?;
        let share = product / total_weight;
        given += share;
        parts.push(share);
        remainders.push((product % total_weight, i));
    }
    let leftover = magnitude - given;
    // Largest remainder first; equal remainders go to the earlier index.
    remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders
        .into_iter()
        .take(usize::try_from(leftover).unwrap_or(usize::MAX))
    {
        if let Some(p) = parts.get_mut(i) {
            *p += 1;
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
