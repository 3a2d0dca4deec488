//! Format rules for catalog identifiers: slugs, SKUs and GTINs.

use crate::error::{KassaError, Result};

/// Longest slug accepted.
pub const MAX_SLUG_LEN: usize = 120;
/// Longest SKU accepted.
pub const MAX_SKU_LEN: usize = 64;

/// Whether `s` is a valid slug: 1..=120 characters of `a-z`, `0-9` and single hyphens,
/// not starting or ending with a hyphen (`"summer-t-shirt-2"`).
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SLUG_LEN
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Checks a slug, naming `field` when it is malformed.
pub fn check_slug(field: &str, s: &str) -> Result<()> {
    if is_valid_slug(s) {
        Ok(())
    } else {
        Err(KassaError::validation(
            field,
            format!(
                "'{s}' is not a valid slug (1-{MAX_SLUG_LEN} of a-z, 0-9 and single inner hyphens)"
            ),
        ))
    }
}

/// Turns a display name into a slug candidate: `"Crème Brûlée (500 g)"` → `"creme-brulee-500-g"`.
/// The result may be empty when the name has no letters or digits.
pub fn slugify(name: &str) -> String {
    let folded = super::fold::fold(name);
    let mut out = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() + 1 > MAX_SLUG_LEN {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    out
}

/// Checks a SKU: 1..=64 printable ASCII characters without spaces.
pub fn check_sku(field: &str, s: &str) -> Result<()> {
    if !s.is_empty() && s.len() <= MAX_SKU_LEN && s.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(KassaError::validation(
            field,
            format!(
                "'{s}' is not a valid SKU (1-{MAX_SKU_LEN} printable ASCII characters, no spaces)"
            ),
        ))
    }
}

/// Whether `s` is a GTIN-8, -12, -13 or -14 with a correct check digit.
pub fn is_valid_gtin(s: &str) -> bool {
    if !matches!(s.len(), 8 | 12 | 13 | 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Weights 3,1,3,1,... from the digit left of the check digit, going left.
    let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
    let Some((check, body)) = digits.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == *check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["a", "t-shirt", "summer-sale-2024", "x1"] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é", "a_b"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
        assert!(!is_valid_slug(&"a".repeat(121)));
        assert_eq!(slugify("Crème Brûlée (500 g)"), "creme-brulee-500-g");
        assert!(is_valid_slug(&slugify("  Hello,   World!! ")));
        let e = check_slug("products[0].slug", "Bad Slug").unwrap_err();
        assert_eq!(e.details[0].field, "products[0].slug");
    }

    #[test]
    fn skus_and_gtins() {
        assert!(check_sku("sku", "TSH-RED-M").is_ok());
        assert!(check_sku("sku", "has space").is_err());
        assert!(check_sku("sku", "").is_err());
        assert!(is_valid_gtin("4006381333931")); // EAN-13
        assert!(is_valid_gtin("036000291452")); // UPC-A
        assert!(is_valid_gtin("96385074")); // EAN-8
        assert!(!is_valid_gtin("4006381333932"));
        assert!(!is_valid_gtin("40063813339"));
    }
}
