//! Building the short numbered strings of the hot paths (ids, order numbers, gateway keys)
//! without `format!` (plain joins use the slice's `concat`, one exact allocation): the formatting machinery costs 500–1,400 instructions per call against ~50 for
//! copying the parts (docs/performance.md, engine, session 11).

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        #[test]
        fn push_u64_matches_format(n in any::<u64>(), w in 0usize..25) {
            let mut s = String::new();
            push_u64(&mut s, n, w);
            prop_assert_eq!(s, format!("{n:0w$}"));
        }
    }
}
