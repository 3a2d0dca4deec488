//! Integer minor-unit arithmetic for the pricing pipeline.
//!
//! Every amount pricing computes is a whole number of minor units (subtotals, discounts and
//! taxes are rounded to it; promotion and shipping amounts are validated as such), so the
//! pipeline carries `i128` minor units and converts to `Decimal` only at the edges. Each
//! helper computes exactly what the `Decimal` path of [`super::num`] computes (same integer
//! quotient, same tie decisions) and falls back to that path when an operand does not fit,
//! so results are identical in every range.

use super::num::{mul, ratio_round, round, rounds_away};
use crate::error::{KassaError, Result};
use crate::money::RoundingMode;
use rust_decimal::Decimal;
use std::num::NonZeroU64;

pub(super) fn overflow() -> KassaError {
    KassaError::validation("lines", "amounts too large to price exactly")
}

/// `10^n` as an `i128` (`None` past the largest power it holds).
fn pow10(n: u32) -> Option<i128> {
    super::num::pow10(n)
}

/// An amount that is a whole number of minor units, as minor units; `None` when it has
/// digits finer than the minor unit or does not fit.
pub(super) fn to_units(d: Decimal, dp: u32) -> Option<i128> {
    let (m, scale) = (d.mantissa(), d.scale());
    if scale == dp {
        return Some(m);
    }
    if scale < dp {
        return m.checked_mul(pow10(dp - scale)?);
    }
    let p = pow10(scale - dp)?;
    (m % p == 0).then(|| m / p)
}

/// Minor units back to an amount; too large for a `Decimal` is the overflow error.
pub(super) fn to_decimal(units: i128, dp: u32) -> Result<Decimal> {
    Decimal::try_from_i128_with_scale(units, dp).map_err(|_| overflow())
}

/// `round(unit_price × quantity)` to the minor unit with `mode`: the `line_subtotal` point.
#[inline(always)]
pub(super) fn line_subtotal(
    mode: RoundingMode,
    unit_price: Decimal,
    quantity: u32,
    dp: u32,
) -> Result<i128> {
    // Prices fit 64 bits: one hardware multiplication, no rounding when already in cents.
    // Inlined at the caller; the rest is out of line, so this path pays no call and no
    // saving of the registers the wide path needs (~20 instructions per line).
    if unit_price.scale() == dp {
        if let Some(p) = i64::try_from(unit_price.mantissa())
            .ok()
            .and_then(|m| m.checked_mul(i64::from(quantity)))
        {
            return Ok(i128::from(p));
        }
    }
    line_subtotal_wide(mode, unit_price, quantity, dp)
}

#[inline(never)]
fn line_subtotal_wide(
    mode: RoundingMode,
    unit_price: Decimal,
    quantity: u32,
    dp: u32,
) -> Result<i128> {
    let (m, scale) = (unit_price.mantissa(), unit_price.scale());
    let exact = m.checked_mul(i128::from(quantity)).and_then(|product| {
        if scale <= dp {
            return product.checked_mul(pow10(dp - scale)?);
        }
        let p = pow10(scale - dp)?;
        let (q, r) = (product / p, product % p);
        Some(if rounds_away(mode, q, r, p) {
            q + product.signum()
        } else {
            q
        })
    });
    // A `Decimal` holds 96-bit mantissas: past that the decimal path (which may shorten the
    // product's scale) decides, exactly as before.
    match exact {
        Some(u) if u.unsigned_abs() < 1u128 << 96 => Ok(u),
        _ => {
            let d = round(mode, mul(unit_price, Decimal::from(quantity))?, dp);
            to_units(d, dp).ok_or_else(overflow)
        }
    }
}

/// A ratio `num ÷ den` (`den` > 0) applied to minor-unit amounts, with its integer form
/// prepared once: `round(units × num ÷ den)` is `round(units × times ÷ per)` where `times`
/// and `per` absorb the decimal scales.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ratio {
    num: Decimal,
    den: Decimal,
    /// `num`'s mantissa × 10^scale(den), when it fits.
    times: Option<i128>,
    /// `den`'s mantissa × 10^scale(num), when it fits (always positive).
    per: Option<i128>,
    /// Both, when both fit 64 bits (percentages and tax rates always do).
    times_per_64: Option<(i64, NonZeroU64)>,
}

impl Ratio {
    pub(super) fn new(num: Decimal, den: Decimal) -> Ratio {
        let times = pow10(den.scale()).and_then(|p| num.mantissa().checked_mul(p));
        let per = pow10(num.scale())
            .and_then(|p| den.mantissa().checked_mul(p))
            .filter(|d| *d > 0);
        let times_per_64 = times.zip(per).and_then(|(t, p)| {
            let p = NonZeroU64::new(u64::try_from(i64::try_from(p).ok()?).ok()?)?;
            Some((i64::try_from(t).ok()?, p))
        });
        Ratio {
            num,
            den,
            times,
            per,
            times_per_64,
        }
    }

    /// `percent` % (`percent ÷ 100`).
    pub(super) fn percent(percent: Decimal) -> Ratio {
        Ratio::new(percent, Decimal::ONE_HUNDRED)
    }

    /// The same ratio over `quantity` units: `num ÷ (den × quantity)`.
    pub(super) fn per(&self, quantity: u32) -> Result<Ratio> {
        let den = mul(self.den, Decimal::from(quantity))?;
        Ok(Ratio::new(self.num, den))
    }

    /// `round(units × num ÷ den)` to the minor unit with `mode`, exactly like
    /// [`ratio_round`] on the same amount.
    #[inline(always)]
    pub(super) fn apply(&self, mode: RoundingMode, units: i128, dp: u32) -> Result<i128> {
        // 64-bit first (inlined at every caller): one unsigned division by a divisor known
        // to be non-zero gives quotient and remainder of the magnitude.
        if let (Some((t, p)), Ok(u)) = (self.times_per_64, i64::try_from(units)) {
            if let Some(top) = u.checked_mul(t) {
                let magnitude = top.unsigned_abs();
                let (q, r) = (magnitude / p, magnitude % p);
                let q = q + u64::from(rounds_away_u64(mode, q, r, p.get()));
                let q = i128::from(q);
                return Ok(if top < 0 { -q } else { q });
            }
        }
        self.apply_wide(mode, units, dp)
    }

    /// [`Ratio::apply`] past 64 bits: 128-bit integers, then the `Decimal` path.
    #[inline(never)]
    fn apply_wide(&self, mode: RoundingMode, units: i128, dp: u32) -> Result<i128> {
        if let (Some(times), Some(per)) = (self.times, self.per) {
            if let Some(top) = units.checked_mul(times) {
                let (q, r) = (top / per, top % per);
                let q = if rounds_away(mode, q, r, per) {
                    q + top.signum()
                } else {
                    q
                };
                if q.unsigned_abs() < 1u128 << 96 {
                    return Ok(q);
                }
            }
        }
        let value = to_decimal(units, dp)?;
        let d = ratio_round(mode, value, self.num, self.den, dp)?;
        to_units(d, dp).ok_or_else(overflow)
    }
}

/// [`rounds_away`] on the magnitudes of a 64-bit quotient and remainder (`divisor` > 0):
/// whether the magnitude of the quotient grows by one. The parity of a quotient and the
/// size of a remainder do not depend on their sign.
#[inline(always)]
fn rounds_away_u64(mode: RoundingMode, q: u64, r: u64, divisor: u64) -> bool {
    let twice = r.saturating_mul(2);
    match mode {
        RoundingMode::Down => false,
        RoundingMode::Up => r != 0,
        RoundingMode::HalfUp => twice >= divisor,
        RoundingMode::HalfDown => twice > divisor,
        RoundingMode::HalfEven => twice > divisor || (twice == divisor && q % 2 != 0),
    }
}

/// Splits `units` over `weights` (minor units, not negative, not all zero) exactly like
/// [`crate::money::allocate_units`]: the floor of each exact share, then one leftover unit
/// each to the largest remainders, ties to the lower index. The weights share one scale,
/// so they are the integers that function would scale them to (up to a common factor,
/// which changes neither shares nor the order of remainders). `parts` is overwritten.
pub(super) fn allocate(units: i128, weights: &[i128], parts: &mut Vec<i128>) -> Result<()> {
    let too_large =
        || KassaError::validation("amount", "amount or weights too large to allocate exactly");
    parts.clear();
    let total = weights.iter().try_fold(0u128, |acc, w| {
        acc.checked_add(u128::try_from(*w).unwrap_or(0))
    });
    let total = match total {
        Some(t) if t > 0 => t,
        Some(_) => return Err(KassaError::validation("weights", "must not all be zero")),
        None => return Err(too_large()),
    };
    let magnitude = units.unsigned_abs();
    // Shares and remainders in 64 bits when every product fits (each weight ≤ total).
    let small = u64::try_from(total).is_ok()
        && magnitude
            .checked_mul(total)
            .and_then(|p| u64::try_from(p).ok())
            .is_some();
    if small {
        return allocate_64(units, weights, parts);
    }
    let mut given: u128 = 0;
    let mut ranked: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let w = u128::try_from(*w).unwrap_or(0);
        let product = magnitude.checked_mul(w).ok_or_else(too_large)?;
        let (share, rem) = (product / total, product % total);
        given += share;
        parts.push(i128::try_from(share).map_err(|_| too_large())?);
        if rem != 0 {
            ranked.push((rem, i));
        }
    }
    let leftover = usize::try_from(magnitude - given).unwrap_or(usize::MAX);
    give_leftover(ranked, leftover, units < 0, parts);
    Ok(())
}

/// The last step of both allocations: the leftover units go to the largest remainders,
/// equal remainders to the earlier index, then the sign of the amount is applied.
/// (remainder desc, index asc) is a total order, so selecting its first `leftover` picks
/// the same set a full sort would. Zero remainders never rank: the remainders add up to
/// `leftover × total` and each is below `total`, so more than `leftover` of them are non-zero.
fn give_leftover<R: Ord>(
    mut ranked: Vec<(R, usize)>,
    leftover: usize,
    negative: bool,
    parts: &mut [i128],
) {
    if leftover > 0 {
        let by_rank = |a: &(R, usize), b: &(R, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if leftover < ranked.len() {
            crate::sorting::select_nth_unstable_by(&mut ranked, leftover - 1, by_rank);
        }
        for (_, i) in ranked.into_iter().take(leftover) {
            if let Some(p) = parts.get_mut(i) {
                *p += 1;
            }
        }
    }
    if negative {
        parts.iter_mut().for_each(|p| *p = -*p);
    }
}

/// [`allocate`] when `|units| × Σ weights` fits 64 bits (every cart of everyday amounts):
/// the same shares and ranking with hardware division. `parts` is empty on entry.
fn allocate_64(units: i128, weights: &[i128], parts: &mut Vec<i128>) -> Result<()> {
    let magnitude = u64::try_from(units.unsigned_abs()).unwrap_or(0);
    let w64 = |w: &i128| u64::try_from(*w).unwrap_or(0);
    let total: u64 = weights.iter().map(w64).sum();
    if total == 0 {
        return Err(KassaError::validation("weights", "must not all be zero"));
    }
    let mut given: u64 = 0;
    // Remainders are below `total`: within 32 bits (every cart of everyday amounts), a
    // remainder and its index pack into one `u64` key that orders like (remainder desc,
    // index asc), and the selection compares plain integers.
    if let (Ok(top), Ok(_)) = (u32::try_from(total), u32::try_from(weights.len())) {
        let mut ranked: Vec<u64> = Vec::with_capacity(weights.len());
        for (i, w) in (0u64..).zip(weights) {
            let product = magnitude * w64(w);
            let (share, rem) = (product / total, product % total);
            given += share;
            parts.push(i128::from(share));
            if rem != 0 {
                ranked.push(((u64::from(top) - rem) << 32) | i);
            }
        }
        let leftover = usize::try_from(magnitude - given).unwrap_or(usize::MAX);
        if leftover > 0 {
            if leftover < ranked.len() {
                crate::sorting::select_nth_unstable(&mut ranked, leftover - 1);
            }
            for key in ranked.into_iter().take(leftover) {
                let i = usize::try_from(key & 0xFFFF_FFFF).unwrap_or(usize::MAX);
                if let Some(p) = parts.get_mut(i) {
                    *p += 1;
                }
            }
        }
        if units < 0 {
            parts.iter_mut().for_each(|p| *p = -*p);
        }
        return Ok(());
    }
    let mut ranked: Vec<(u64, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let product = magnitude * w64(w);
        let (share, rem) = (product / total, product % total);
        given += share;
        parts.push(i128::from(share));
        if rem != 0 {
            ranked.push((rem, i));
        }
    }
    let leftover = usize::try_from(magnitude - given).unwrap_or(usize::MAX);
    give_leftover(ranked, leftover, units < 0, parts);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::allocate_units;
    use proptest::prelude::*;

    use crate::pricing::num::tests::mode;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn line_subtotal_matches_decimal(m in any::<i64>(), scale in 0u32..8, q in any::<u32>(),
                                         dp in 0u32..4, mode in mode()) {
            let price = Decimal::new(m, scale);
            let slow = round(mode, price.checked_mul(Decimal::from(q)).unwrap(), dp);
            // Past 96 bits at the minor unit there is no amount to price: the overflow error.
            let mut at_dp = slow;
            at_dp.rescale(dp);
            match line_subtotal(mode, price, q, dp).and_then(|u| to_decimal(u, dp)) {
                Ok(fast) => prop_assert_eq!(fast, slow),
                Err(_) => prop_assert!(at_dp.scale() != dp, "{} fits", slow),
            }
        }

        #[test]
        fn ratio_matches_ratio_round(u in -10_000_000_000i64..10_000_000_000, n in 0i64..1_000_000,
                                     sn in 0u32..6, d in 1i64..100_000, sd in 0u32..5,
                                     dp in 0u32..4, mode in mode()) {
            let (num, den) = (Decimal::new(n, sn), Decimal::new(d, sd));
            let value = Decimal::new(u, dp);
            let slow = ratio_round(mode, value, num, den, dp).unwrap();
            let fast = Ratio::new(num, den).apply(mode, i128::from(u), dp).unwrap();
            prop_assert_eq!(to_decimal(fast, dp).unwrap(), slow);
        }

        /// Amounts past 64 bits take the 128-bit path (or, past a `Decimal`, the decimal one).
        #[test]
        fn ratio_wide_amounts_match(u in any::<i64>(), n in 0i64..1_000_000, sn in 0u32..4,
                                    d in 1i64..1_000_000, sd in 0u32..3, mode in mode()) {
            let units = i128::from(u) << 16;
            let (num, den) = (Decimal::new(n, sn), Decimal::new(d, sd));
            let value = to_decimal(units, 2).unwrap();
            let slow = ratio_round(mode, value, num, den, 2);
            let fast = Ratio::new(num, den).apply(mode, units, 2);
            // A quotient past 96 bits at the minor unit is no amount: the overflow error,
            // where the decimal path may still hold it at a shorter scale.
            match (slow, fast.and_then(|f| to_decimal(f, 2))) {
                (Ok(s), Ok(f)) => prop_assert_eq!(f, s),
                (Ok(s), Err(_)) => {
                    let mut at_dp = s;
                    at_dp.rescale(2);
                    prop_assert!(at_dp.scale() != 2, "{} fits", s);
                }
                (Err(_), Err(_)) => {}
                (s, f) => prop_assert!(false, "slow {:?} fast {:?}", s, f),
            }
        }

        #[test]
        fn allocate_matches_allocate_units(units in -1_000_000_000i64..1_000_000_000,
                                           weights in prop::collection::vec(0i64..10_000_000, 1..40),
                                           big in any::<bool>()) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let units = if big { i128::from(units) << 40 } else { i128::from(units) };
            let decimals: Vec<Decimal> = weights.iter().map(|w| Decimal::new(*w, 2)).collect();
            let ints: Vec<i128> = weights.iter().map(|w| i128::from(*w)).collect();
            let mut parts = Vec::new();
            allocate(units, &ints, &mut parts).unwrap();
            prop_assert_eq!(parts, allocate_units(units, &decimals).unwrap());
        }

        #[test]
        fn to_units_round_trips(m in any::<i64>(), scale in 0u32..6, dp in 0u32..4) {
            let d = Decimal::new(m, scale);
            match to_units(d, dp) {
                Some(u) => prop_assert_eq!(to_decimal(u, dp).unwrap(), d),
                None => prop_assert!(d.normalize().scale() > dp),
            }
        }
    }

    #[test]
    fn allocation_ties_go_to_the_lower_index() {
        let mut parts = Vec::new();
        allocate(2, &[1, 1, 1], &mut parts).unwrap();
        assert_eq!(parts, vec![1, 1, 0]);
        allocate(-2, &[1, 1, 1], &mut parts).unwrap();
        assert_eq!(parts, vec![-1, -1, 0]);
        assert!(allocate(5, &[0, 0], &mut parts).is_err());
    }

    #[test]
    fn ratio_ties_are_exact() {
        // 0.03 × 0.2 ÷ 1.2 = 0.005: a true tie.
        let r = Ratio::new(Decimal::new(2, 1), Decimal::new(12, 1));
        assert_eq!(r.apply(RoundingMode::HalfEven, 3, 2).unwrap(), 0);
        assert_eq!(r.apply(RoundingMode::HalfUp, 3, 2).unwrap(), 1);
        assert_eq!(r.apply(RoundingMode::HalfDown, 3, 2).unwrap(), 0);
        assert_eq!(r.apply(RoundingMode::Up, -3, 2).unwrap(), -1);
    }
}
