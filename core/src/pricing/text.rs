//! Comparisons of the short ids pricing matches per line (line, product, category and tax
//! class ids of a few bytes): fixed-width word loads instead of a `memcmp` call, whose call
//! and size dispatch cost more than the comparison itself at these lengths.

/// `a == b`: lengths and last bytes first, which tells most different ids of a cart
/// (`"C-1"`, `"C-3"`) apart at once; then at most two word comparisons up to 16 bytes.
#[inline]
pub(super) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.last() == b.last() && same_bytes(a, b)
}

/// `a < b` in byte order (the order of `str`), for ids of the same length up to 16 bytes
/// without a `memcmp` call.
#[inline]
pub(super) fn text_less(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let n = x.len();
    if n == y.len() && (8..=16).contains(&n) {
        // Big-endian words order like the bytes; the second (overlapping) pair decides only
        // when the first eight bytes are equal, so the overlap changes nothing.
        let (hx, hy) = (be8(x, 0), be8(y, 0));
        if hx != hy {
            return hx < hy;
        }
        let at = n - 8;
        return be8(x, at) < be8(y, at);
    }
    a < b
}

/// Equal-length byte strings compared by overlapping words.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    match n {
        0..=3 => a.first() == b.first() && a.get(1) == b.get(1),
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

#[inline(always)]
fn w4(s: &[u8], at: usize) -> Option<[u8; 4]> {
    s.get(at..at + 4).and_then(|w| w.try_into().ok())
}

#[inline(always)]
fn w8(s: &[u8], at: usize) -> Option<[u8; 8]> {
    s.get(at..at + 8).and_then(|w| w.try_into().ok())
}

#[inline(always)]
fn be8(s: &[u8], at: usize) -> u64 {
    w8(s, at).map_or(0, u64::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-c]{0,3}",
            "[a-c-]{4,9}",
            "line-[0-9]{3,6}",
            "[a-b]{15,18}",
            "[\\PC]{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn same_text_is_eq(a in id(), b in id()) {
            prop_assert_eq!(same_text(&a, &b), a == b);
            prop_assert!(same_text(&a, &a.clone()));
        }

        #[test]
        fn text_less_is_lt(a in id(), b in id()) {
            prop_assert_eq!(text_less(&a, &b), a < b);
            prop_assert!(!text_less(&a, &a.clone()));
        }

        #[test]
        fn neighbours(n in 0u32..1_000_000, width in 1usize..14) {
            let (a, b) = (format!("l-{n:0width$}"), format!("l-{:0width$}", n + 1));
            prop_assert_eq!(text_less(&a, &b), a < b);
            prop_assert_eq!(text_less(&b, &a), b < a);
            prop_assert_eq!(same_text(&a, &b), false);
        }
    }
}
