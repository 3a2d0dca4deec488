//! Numbers as text without the formatting machinery.
//!
//! - The short numbered strings of the hot paths (ids, order numbers, gateway keys) without
//!   `format!` (plain joins use the slice's `concat`, one exact allocation): the formatting
//!   machinery costs 500–1,400 instructions per call against ~50 for copying the parts
//!   (docs/performance.md, engine, session 11).
//! - Floats printed without std's float printer (`{}` or `{:.2}` of an `f64`): its Grisu and
//!   Dragon4 code and tables are ~20 KB of the wasm module, for a few messages and the
//!   forecast's rounded figures (docs/performance.md, wasm, "Session 15"). [`Float`] is
//!   serde_json's shortest form (already in the module), [`Plain`] prints it as `{}` does,
//!   and [`fixed`] exactly what `{:.dp$}` prints.

/// Appends `n` in decimal, left-padded with zeros to at least `width` digits.
pub(crate) fn push_u64(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut len = 0;
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        // `rest % 10` is below 10, so the cast cannot truncate.
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        len += 1;
        if rest == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    let start = digits.len() - len;
    for &d in digits.iter().skip(start) {
        out.push(char::from(d));
    }
}

/// `prefix` followed by `n` zero-padded to `width` digits, in one allocation.
pub(crate) fn with_number(prefix: &[&str], n: u64, width: usize) -> String {
    let mut out = String::with_capacity(prefix.iter().map(|p| p.len()).sum::<usize>() + 20);
    for p in prefix {
        out.push_str(p);
    }
    push_u64(&mut out, n, width);
    out
}

/// An `f64` in serde_json's shortest form (`1.0`, `0.1`, `1e21`), as serde_json writes
/// numbers and words them in its messages; `NaN`, `inf`, `-inf` when not finite.
pub(crate) struct Float(pub f64);

impl std::fmt::Display for Float {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::Number::from_f64(self.0) {
            Some(n) => std::fmt::Display::fmt(&n, f),
            None if self.0.is_nan() => f.write_str("NaN"),
            None if self.0 > 0.0 => f.write_str("inf"),
            None => f.write_str("-inf"),
        }
    }
}

/// An `f64` as `{}` prints it: the shortest digits that read back to the same value, in plain
/// notation (`1`, `0.1`, `1000000000000000000000`, `0.0000001`, `-0`, `NaN`, `inf`). Where two
/// shortest forms read back to the same value, the last digit may differ from std's (for
/// messages: the text still reads back to the value).
pub(crate) struct Plain(pub f64);

impl std::fmt::Display for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if !v.is_finite() {
            return Float(v).fmt(f);
        }
        if v.is_sign_negative() {
            f.write_str("-")?;
        }
        if v == 0.0 {
            return f.write_str("0");
        }
        // The shortest digits and the decimal exponent from serde_json's form
        // (`d.ddd`, `0.000ddd` or `d.ddde±x`).
        let short = Float(v.abs()).to_string();
        let (mantissa, exp) = match short.split_once('e') {
            Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
            None => (short.as_str(), 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits_all: String = [int, frac].concat();
        let leading = digits_all.len() - digits_all.trim_start_matches('0').len();
        let digits = digits_all.trim_matches('0');
        // The decimal point sits `point` digits into `digits`.
        let point = int.len() as i64 + i64::from(exp) - leading as i64;
        let len = digits.len() as i64;
        if point <= 0 {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            f.write_str(digits)
        } else if point >= len {
            f.write_str(digits)?;
            for _ in 0..point - len {
                f.write_str("0")?;
            }
            Ok(())
        } else {
            let (a, b) = digits.split_at(usize::try_from(point).unwrap_or(0));
            f.write_str(a)?;
            f.write_str(".")?;
            f.write_str(b)
        }
    }
}

/// `v` rounded to `dp` decimals (half to even on the exact binary value), exactly as
/// `format!("{v:.dp$}")` prints it, except that a value rounding to zero has no minus sign
/// (`0.00`, never `-0.00`). `dp` is at most 17 (more is taken as 17).
pub(crate) fn fixed(v: f64, dp: usize) -> String {
    let dp = dp.min(17);
    if !v.is_finite() {
        return Float(v).to_string();
    }
    // v = m × 2^e exactly.
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, e) = match biased {
        0 => (fraction, -1074),
        _ => (fraction | (1u64 << 52), biased - 1075),
    };
    let scale = 10u128.pow(dp as u32);
    // The digits of round(|v| × 10^dp), most significant first.
    let digits: Vec<u8> = if e >= 0 {
        // An integer: m × 2^e, then `dp` zeros.
        let mut limbs = big_shifted(m, e.unsigned_abs());
        let mut out = big_digits(&mut limbs);
        out.extend(std::iter::repeat_n(b'0', dp));
        out
    } else {
        // m × 10^dp < 2^110: the shift's quotient and remainder in u128.
        let n = u128::from(m) * scale;
        let s = e.unsigned_abs();
        let q = if s >= 128 {
            0
        } else {
            let q = n >> s;
            let r = n & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            if r > half || (r == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        };
        q.to_string().into_bytes()
    };
    let nonzero = digits.iter().any(|&d| d != b'0');
    // At least one digit before the point.
    let mut padded = vec![b'0'; (dp + 1).saturating_sub(digits.len())];
    padded.extend_from_slice(&digits);
    let (int, frac) = padded.split_at(padded.len() - dp);
    let mut out = String::with_capacity(padded.len() + 2);
    if nonzero && v < 0.0 {
        out.push('-');
    }
    out.extend(int.iter().map(|&d| char::from(d)));
    if dp > 0 {
        out.push('.');
        out.extend(frac.iter().map(|&d| char::from(d)));
    }
    out
}

/// `m × 2^shift` as base-10^9 limbs, least significant first.
fn big_shifted(m: u64, shift: u32) -> Vec<u64> {
    const BASE: u64 = 1_000_000_000;
    let mut limbs = vec![m % BASE, (m / BASE) % BASE, m / BASE / BASE];
    let mut left = shift;
    while left > 0 {
        let step = left.min(29);
        left -= step;
        let mut carry = 0u64;
        for limb in limbs.iter_mut() {
            let x = (*limb << step) + carry;
            *limb = x % BASE;
            carry = x / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    limbs
}

/// The decimal digits of base-10^9 limbs (least significant first), no leading zeros.
fn big_digits(limbs: &mut Vec<u64>) -> Vec<u8> {
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut out = Vec::with_capacity(limbs.len() * 9);
    for (i, limb) in limbs.iter().rev().enumerate() {
        let text = limb.to_string();
        if i > 0 {
            out.extend(std::iter::repeat_n(b'0', 9 - text.len()));
        }
        out.extend_from_slice(text.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Rust's `{:.dp$}` without the minus sign of a zero.
    fn std_fixed(v: f64, dp: usize) -> String {
        let s = format!("{v:.dp$}");
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
            _ => s,
        }
    }

    #[test]
    fn floats_as_std_prints_them() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1.5,
            100.0,
            1e21,
            1e-7,
            123.456,
            2.5e-300,
            1.7e308,
            f64::MIN_POSITIVE,
            5e-324,
            0.125,
            -0.005,
            0.015,
            2.675,
            1e15,
            1e16,
            1e17,
            0.3,
        ] {
            assert_eq!(Plain(v).to_string(), format!("{v}"), "{v:e}");
            for dp in 0..6 {
                assert_eq!(fixed(v, dp), std_fixed(v, dp), "{v:e} dp {dp}");
            }
        }
        assert_eq!(Float(1.0).to_string(), "1.0");
        assert_eq!(Float(f64::NAN).to_string(), "NaN");
        assert_eq!(Plain(f64::NEG_INFINITY).to_string(), "-inf");
        assert_eq!(fixed(f64::INFINITY, 2), "inf");
    }

    #[test]
    fn numbers_as_format_writes_them() {
        for (n, w) in [
            (0, 0),
            (0, 6),
            (7, 6),
            (123_456, 6),
            (1_234_567, 6),
            (u64::MAX, 0),
        ] {
            let mut s = String::from("x");
            push_u64(&mut s, n, w);
            assert_eq!(s, format!("x{n:0w$}"));
        }
        assert_eq!(with_number(&["KS", "-"], 42, 6), "KS-000042");
    }

    proptest! {
        /// `{}` of any float, bit pattern by bit pattern: as many digits, read back to the
        /// same value (std and serde_json may pick different last digits among shortest forms).
        #[test]
        fn plain_is_std_display(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            let (ours, std) = (Plain(v).to_string(), format!("{v}"));
            prop_assert_eq!(ours.len(), std.len());
            if v.is_finite() {
                prop_assert_eq!(ours.parse::<f64>().ok(), Some(v));
            } else {
                prop_assert_eq!(ours, std);
            }
        }

        /// Values of up to 15 significant digits (what a message shows): exactly `{}`.
        #[test]
        fn plain_is_std_display_on_short_values(m in -999_999_999_999_999i64..999_999_999_999_999, e in -30i32..30) {
            let v = m as f64 * 10f64.powi(e);
            prop_assert_eq!(Plain(v).to_string(), format!("{v}"));
        }

        /// `{:.dp$}` of any float, and of floats near a rounding tie.
        #[test]
        fn fixed_is_std_format(bits in any::<u64>(), cents in -1_000_000i64..1_000_000, dp in 0usize..8) {
            let v = f64::from_bits(bits);
            prop_assert_eq!(fixed(v, dp), std_fixed(v, dp));
            let near = cents as f64 / 1000.0 + 0.0005;
            prop_assert_eq!(fixed(near, dp), std_fixed(near, dp));
        }

        #[test]
        fn push_u64_matches_format(n in any::<u64>(), w in 0usize..25) {
            let mut s = String::new();
            push_u64(&mut s, n, w);
            prop_assert_eq!(s, format!("{n:0w$}"));
        }
    }
}
