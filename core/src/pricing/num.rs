//! Checked decimal arithmetic for the pricing paths: overflow is a typed error, never a panic.

use crate::error::{KassaError, Result};
use crate::money::RoundingMode;
use rust_decimal::Decimal;

fn overflow() -> KassaError {
    KassaError::validation("lines", "amounts too large to price exactly")
}

/// `round(value × num ÷ den)` to `dp` places with `mode`, computed exactly in 128-bit integers
/// when the operands fit (the hot path), else with `Decimal` arithmetic (28 significant
/// digits) and then rounded. `den` must be positive.
pub(super) fn ratio_round(
    mode: RoundingMode,
    value: Decimal,
    num: Decimal,
    den: Decimal,
    dp: u32,
) -> Result<Decimal> {
    if let Some(d) = exact_ratio(mode, value, num, den, dp) {
        return Ok(d);
    }
    Ok(round(mode, div(mul(value, num)?, den)?, dp))
}

fn exact_ratio(
    mode: RoundingMode,
    value: Decimal,
    num: Decimal,
    den: Decimal,
    dp: u32,
) -> Option<Decimal> {
    // value = V/10^a, num = N/10^b, den = D/10^c:
    // result × 10^dp = V·N·10^(dp+c) / (D·10^(a+b)).
    let d = den.mantissa();
    if d <= 0 {
        return None;
    }
    if let Some(q) = exact_ratio_64(mode, value, num, d, den.scale(), dp) {
        return Some(q);
    }
    let top = value
        .mantissa()
        .checked_mul(num.mantissa())?
        .checked_mul(pow10(dp.checked_add(den.scale())?)?)?;
    let bottom = d.checked_mul(pow10(value.scale().checked_add(num.scale())?)?)?;
    // Both operands usually fit 64 bits, where one hardware division gives quotient and
    // remainder (a 128-bit division is a library call); the result is the same.
    let (q, r) = match (i64::try_from(top), i64::try_from(bottom)) {
        (Ok(t), Ok(b)) => (i128::from(t / b), i128::from(t % b)),
        _ => (top / bottom, top % bottom),
    };
    let q = if rounds_away(mode, q, r, bottom) {
        q + top.signum()
    } else {
        q
    };
    Decimal::try_from_i128_with_scale(q, dp).ok()
}

/// [`exact_ratio`] when every operand and product fits 64 bits (prices, percentages and tax
/// rates always do): the same integer division, without 128-bit multiplications.
fn exact_ratio_64(
    mode: RoundingMode,
    value: Decimal,
    num: Decimal,
    d: i128,
    den_scale: u32,
    dp: u32,
) -> Option<Decimal> {
    let v = i64::try_from(value.mantissa()).ok()?;
    let n = i64::try_from(num.mantissa()).ok()?;
    let d = i64::try_from(d).ok()?;
    let up = i64::try_from(pow10(dp.checked_add(den_scale)?)?).ok()?;
    let down = i64::try_from(pow10(value.scale().checked_add(num.scale())?)?).ok()?;
    let top = v.checked_mul(n)?.checked_mul(up)?;
    let bottom = d.checked_mul(down)?;
    let (q, r) = (top / bottom, top % bottom);
    let q = if rounds_away(mode, i128::from(q), i128::from(r), i128::from(bottom)) {
        q + top.signum()
    } else {
        q
    };
    Decimal::try_from_i128_with_scale(i128::from(q), dp).ok()
}

/// `10^n` from a table (`None` past the largest power an `i128` holds).
pub(super) fn pow10(n: u32) -> Option<i128> {
    #[allow(clippy::unreadable_literal)]
    const POW10: [i128; 39] = [
        1,
        10,
        100,
        1000,
        10000,
        100000,
        1000000,
        10000000,
        100000000,
        1000000000,
        10000000000,
        100000000000,
        1000000000000,
        10000000000000,
        100000000000000,
        1000000000000000,
        10000000000000000,
        100000000000000000,
        1000000000000000000,
        10000000000000000000,
        100000000000000000000,
        1000000000000000000000,
        10000000000000000000000,
        100000000000000000000000,
        1000000000000000000000000,
        10000000000000000000000000,
        100000000000000000000000000,
        1000000000000000000000000000,
        10000000000000000000000000000,
        100000000000000000000000000000,
        1000000000000000000000000000000,
        10000000000000000000000000000000,
        100000000000000000000000000000000,
        1000000000000000000000000000000000,
        10000000000000000000000000000000000,
        100000000000000000000000000000000000,
        1000000000000000000000000000000000000,
        10000000000000000000000000000000000000,
        100000000000000000000000000000000000000,
    ];
    POW10.get(usize::try_from(n).ok()?).copied()
}

/// Whether a quotient `q` with remainder `r` of a division by `divisor` (> 0) moves one unit
/// away from zero under `mode`.
pub(super) fn rounds_away(mode: RoundingMode, q: i128, r: i128, divisor: i128) -> bool {
    let twice = r.unsigned_abs().saturating_mul(2);
    let whole = divisor.unsigned_abs();
    match mode {
        RoundingMode::Down => false,
        RoundingMode::Up => r != 0,
        RoundingMode::HalfUp => twice >= whole,
        RoundingMode::HalfDown => twice > whole,
        RoundingMode::HalfEven => twice > whole || (twice == whole && q % 2 != 0),
    }
}

/// Rounds `d` to `dp` places with `mode`, exactly like [`RoundingMode::round`] but in
/// 128-bit integer arithmetic on the mantissa; a value already that short is returned as is.
pub(crate) fn round(mode: RoundingMode, d: Decimal, dp: u32) -> Decimal {
    let scale = d.scale();
    if scale <= dp {
        return d;
    }
    let Some(p) = pow10(scale - dp) else {
        return mode.round(d, dp);
    };
    let m = d.mantissa();
    let (q, r) = (m / p, m % p);
    let q = if rounds_away(mode, q, r, p) {
        q + m.signum()
    } else {
        q
    };
    Decimal::try_from_i128_with_scale(q, dp).unwrap_or_else(|_| mode.round(d, dp))
}

/// `a × b`.
pub(super) fn mul(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(overflow)
}

/// `a ÷ b` (`b` is never zero at the call sites; zero is still an error, not a panic).
pub(super) fn div(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_div(b).ok_or_else(overflow)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every rounding mode (shared with the `units` properties).
    pub(in crate::pricing) fn mode() -> impl Strategy<Value = RoundingMode> {
        prop_oneof![
            Just(RoundingMode::HalfEven),
            Just(RoundingMode::HalfUp),
            Just(RoundingMode::HalfDown),
            Just(RoundingMode::Up),
            Just(RoundingMode::Down),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_round_matches_rust_decimal(m in any::<i64>(), scale in 0u32..19, dp in 0u32..4, mode in mode()) {
            let d = Decimal::new(m, scale);
            prop_assert_eq!(round(mode, d, dp), mode.round(d, dp));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The exact integer path agrees with exact rational arithmetic done in Decimal when
        /// the Decimal quotient is exact (denominators 1, 2, 4, 5, 8, 10, 100 ...).
        #[test]
        fn ratio_matches_decimal(v in -10_000_000i64..10_000_000, n in 0i64..100_000, d in prop::sample::select(vec![1i64, 2, 4, 5, 8, 10, 16, 20, 25, 100, 125]),
                                 sv in 0u32..4, sn in 0u32..5, dp in 0u32..4, mode in mode()) {
            let (value, num, den) = (Decimal::new(v, sv), Decimal::new(n, sn), Decimal::from(d));
            let slow = mode.round(value * num / den, dp);
            prop_assert_eq!(ratio_round(mode, value, num, den, dp).unwrap(), slow);
        }
    }

    #[test]
    fn ratio_ties_are_exact() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // 0.03 × 0.2 / 1.2 = 0.005 exactly: a true tie, whatever 28-digit division would say.
        assert_eq!(
            ratio_round(RoundingMode::HalfEven, d("0.03"), d("0.2"), d("1.2"), 2).unwrap(),
            d("0.00")
        );
        assert_eq!(
            ratio_round(RoundingMode::HalfUp, d("0.03"), d("0.2"), d("1.2"), 2).unwrap(),
            d("0.01")
        );
        assert_eq!(
            ratio_round(RoundingMode::HalfDown, d("0.03"), d("0.2"), d("1.2"), 2).unwrap(),
            d("0.00")
        );
    }

    #[test]
    fn ties() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(round(RoundingMode::HalfEven, d("1.005"), 2), d("1.00"));
        assert_eq!(round(RoundingMode::HalfUp, d("1.005"), 2), d("1.01"));
        assert_eq!(round(RoundingMode::HalfEven, d("-0.125"), 2), d("-0.12"));
        assert_eq!(round(RoundingMode::Up, d("-0.121"), 2), d("-0.13"));
    }
}
