//! Checked decimal arithmetic for the pricing paths: overflow is a typed error, never a panic.

use crate::error::{KassaError, Result};
use crate::money::RoundingMode;
use rust_decimal::Decimal;

fn overflow() -> KassaError {
    KassaError::validation("lines", "amounts too large to price exactly")
}

/// `a + b`. Same-scale operands (the hot path: amounts in minor units) are added as 128-bit
/// mantissas; anything else goes through `Decimal::checked_add`.
pub(super) fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    if a.scale() == b.scale() {
        if let Ok(d) = Decimal::try_from_i128_with_scale(a.mantissa() + b.mantissa(), a.scale()) {
            return Ok(d);
        }
    }
    a.checked_add(b).ok_or_else(overflow)
}

/// `a − b` (same fast path as [`add`]).
pub(super) fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    if a.scale() == b.scale() {
        if let Ok(d) = Decimal::try_from_i128_with_scale(a.mantissa() - b.mantissa(), a.scale()) {
            return Ok(d);
        }
    }
    a.checked_sub(b).ok_or_else(overflow)
}

/// Rounds `d` to `dp` places with `mode`, exactly like [`RoundingMode::round`] but in
/// 128-bit integer arithmetic on the mantissa; a value already that short is returned as is.
pub(crate) fn round(mode: RoundingMode, d: Decimal, dp: u32) -> Decimal {
    let scale = d.scale();
    if scale <= dp {
        return d;
    }
    let Some(p) = 10i128.checked_pow(scale - dp) else {
        return mode.round(d, dp);
    };
    let m = d.mantissa();
    let (q, r) = (m / p, m % p);
    let twice = r.unsigned_abs() * 2;
    let half = p.unsigned_abs();
    let away = match mode {
        RoundingMode::Down => false,
        RoundingMode::Up => r != 0,
        RoundingMode::HalfUp => twice >= half,
        RoundingMode::HalfDown => twice > half,
        RoundingMode::HalfEven => twice > half || (twice == half && q % 2 != 0),
    };
    let q = if away { q + m.signum() } else { q };
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

/// `value × percent ÷ 100`.
pub(super) fn percent_of(value: Decimal, percent: Decimal) -> Result<Decimal> {
    div(mul(value, percent)?, Decimal::ONE_HUNDRED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mode() -> impl Strategy<Value = RoundingMode> {
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

        #[test]
        fn fast_add_sub_match(a in any::<i64>(), b in any::<i64>(), sa in 0u32..6, sb in 0u32..6) {
            let (x, y) = (Decimal::new(a, sa), Decimal::new(b, sb));
            prop_assert_eq!(add(x, y).unwrap(), x + y);
            prop_assert_eq!(sub(x, y).unwrap(), x - y);
        }
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
