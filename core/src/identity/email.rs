//! Email syntax check and normalization.

use crate::error::{KassaError, Result};

/// Checks an email address and returns its normalized form (trimmed, lower-cased).
///
/// Accepted: `local@domain` where `local` is 1..=64 characters of RFC 5322 `atext`
/// (letters, digits and ``!#$%&'*+/=?^_`{|}~-``) with single dots between atoms, and `domain`
/// is at most 253 characters of at least two dot-separated labels, each 1..=63 letters,
/// digits or inner hyphens, the last one alphabetic and at least 2 long. Quoted local parts,
/// IP-literal domains and raw Unicode are refused (hosts convert IDNs to punycode `xn--`
/// labels first). The whole address is at most 254 characters. Lower-casing the local part
/// makes `Alice@x.io` and `alice@x.io` one account, which is what users expect from every
/// major mail provider.
pub fn normalize_email(raw: &str) -> Result<String> {
    let field = "email";
    let email = raw.trim();
    let bad = |msg: &str| Err(KassaError::validation(field, msg));
    if email.is_empty() {
        return bad("is required");
    }
    if email.len() > 254 {
        return bad("is longer than 254 characters");
    }
    if !email.is_ascii() {
        return bad("must be ASCII (use punycode for international domains)");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad("must contain '@'");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("local part must be 1 to 64 characters");
    }
    const SPECIAL: &[u8] = b"!#$%&'*+/=?^_`{|}~-";
    for atom in local.split('.') {
        if atom.is_empty() {
            return bad("local part has an empty atom (leading, trailing or double dot)");
        }
        if !atom
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || SPECIAL.contains(&b))
        {
            return bad("local part has a character that is not allowed");
        }
    }
    if domain.is_empty() || domain.len() > 253 {
        return bad("domain must be 1 to 253 characters");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("domain must have at least two labels");
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return bad("domain has an invalid label");
        }
    }
    let tld = labels.last().copied().unwrap_or("");
    let tld_ok = (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
        || (tld.len() >= 5 && tld.starts_with("xn--"));
    if !tld_ok {
        return bad("top-level domain must be alphabetic and at least 2 characters");
    }
    Ok(email.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_rejects() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        assert_eq!(
            normalize_email("a.b+tag@sub.example.io").unwrap(),
            "a.b+tag@sub.example.io"
        );
        for bad in [
            "",
            "plain",
            "@x.io",
            "a@",
            "a@b",
            "a..b@x.io",
            ".a@x.io",
            "a.@x.io",
            "a@-x.io",
            "a@x-.io",
            "a@x.1",
            "a b@x.io",
            "a@x..io",
            "ü@x.io",
            "a@[1.2.3.4]",
            "\"a\"@x.io",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
        let long_local = format!("{}@x.io", "a".repeat(65));
        assert!(normalize_email(&long_local).is_err());
    }
}
