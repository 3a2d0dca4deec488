//! Decimal → text without going through `Display` and a `String` per amount: serializing a
//! priced cart writes dozens of amounts, and `normalize` + `to_string` was a quarter of it.

use rust_decimal::Decimal;

/// Longest text: sign, 29 digits of a 96-bit mantissa, a point, a leading `0` and padding
/// up to 28 decimal places.
pub(crate) const MAX_LEN: usize = 64;

/// Writes `amount` with at least `min_dp` decimal places and no trailing fractional zeros
/// beyond them (exactly what `normalize`, `rescale(min_dp)` and `to_string` give) into `buf`,
/// returning the text.
pub(crate) fn write_amount(amount: Decimal, min_dp: u32, buf: &mut [u8; MAX_LEN]) -> &str {
    let mut mantissa = amount.mantissa().unsigned_abs();
    let mut scale = amount.scale();
    while scale > 0 && low_digit(mantissa) == 0 {
        mantissa = div10(mantissa);
        scale -= 1;
    }
    // `rescale` adds zeros only while the 96-bit mantissa can hold them
    const MAX_MANTISSA: u128 = (1u128 << 96) - 1;
    let mut pad = 0u32;
    let mut grown = mantissa;
    while scale + pad < min_dp.min(28) {
        match grown.checked_mul(10) {
            Some(next) if next <= MAX_MANTISSA => {
                grown = next;
                pad += 1;
            }
            _ => break,
        }
    }
    let scale = (scale + pad) as usize;
    let pad = pad as usize;
    // digits from the right: the padding zeros, then the mantissa, then leading zeros so at
    // least one digit stands before the point
    let mut at = MAX_LEN;
    let put = |buf: &mut [u8; MAX_LEN], at: &mut usize, b: u8| {
        if *at > 0 {
            *at -= 1;
            if let Some(slot) = buf.get_mut(*at) {
                *slot = b;
            }
        }
    };
    let mut written = 0usize;
    for _ in 0..pad {
        put(buf, &mut at, b'0');
        written += 1;
    }
    loop {
        if written == scale && scale > 0 {
            put(buf, &mut at, b'.');
        }
        put(buf, &mut at, b'0' + low_digit(mantissa));
        written += 1;
        mantissa = div10(mantissa);
        if mantissa == 0 && written > scale {
            break;
        }
    }
    let zero = amount.mantissa() == 0;
    if amount.is_sign_negative() && !zero {
        put(buf, &mut at, b'-');
    }
    let text = buf.get(at..).unwrap_or_default();
    // only ASCII digits, '.' and '-' were written
    std::str::from_utf8(text).unwrap_or_default()
}

// Amounts almost always fit 64 bits, and a 128-bit division is a library call several
// times the cost of a 64-bit one, so both helpers take the 64-bit path when they can.

/// The last decimal digit of `m`.
#[inline]
fn low_digit(m: u128) -> u8 {
    // a remainder of 10 is below 10, so the casts cannot truncate
    match u64::try_from(m) {
        Ok(small) => (small % 10) as u8,
        Err(_) => (m % 10) as u8,
    }
}

/// `m / 10`.
#[inline]
fn div10(m: u128) -> u128 {
    match u64::try_from(m) {
        Ok(small) => u128::from(small / 10),
        Err(_) => m / 10,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn oracle(amount: Decimal, min_dp: u32) -> String {
        let mut d = amount.normalize();
        if d.scale() < min_dp {
            d.rescale(min_dp);
        }
        d.to_string()
    }

    fn check(amount: Decimal, min_dp: u32) {
        let mut buf = [0u8; MAX_LEN];
        assert_eq!(
            write_amount(amount, min_dp, &mut buf),
            oracle(amount, min_dp),
            "{amount:?} at {min_dp} dp"
        );
    }

    #[test]
    fn edge_cases_match_normalize_and_to_string() {
        for s in [
            "0",
            "-0",
            "0.000",
            "-0.00",
            "1",
            "-1",
            "10",
            "100.00",
            "0.5",
            "-0.05",
            "12.340",
            "0.0000000000000000000000000001",
            "79228162514337593543950335",
            "-79228162514337593543950335",
            "7.9228162514337593543950335",
        ] {
            let d: Decimal = s.parse().unwrap();
            for dp in 0..=4 {
                check(d, dp);
            }
        }
        check(Decimal::MAX, 2);
        check(Decimal::MIN, 3);
        check(Decimal::new(-0, 5), 2);
    }

    proptest! {
        #[test]
        fn matches_normalize_and_to_string(
            lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
            negative in any::<bool>(), scale in 0u32..=28, min_dp in 0u32..=4,
        ) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let mut buf = [0u8; MAX_LEN];
            prop_assert_eq!(write_amount(d, min_dp, &mut buf), oracle(d, min_dp));
        }

        #[test]
        fn small_amounts_match(m in -10_000_000i64..10_000_000, scale in 0u32..=6, min_dp in 0u32..=4) {
            let d = Decimal::new(m, scale);
            let mut buf = [0u8; MAX_LEN];
            prop_assert_eq!(write_amount(d, min_dp, &mut buf), oracle(d, min_dp));
        }
    }
}
