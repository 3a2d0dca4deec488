//! GTIN barcodes (GTIN-8, -12 (UPC-A), -13 (EAN-13), -14): check-digit validation and the
//! normalized 14-digit key a barcode lookup uses.
//!
//! The GS1 check digit: weight the digits before it 3, 1, 3, 1, … from the right, sum, and
//! the check digit is (10 − sum mod 10) mod 10.

use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// Which GTIN length a code has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum GtinKind {
    /// 8 digits (EAN-8).
    Gtin8,
    /// 12 digits (UPC-A).
    Gtin12,
    /// 13 digits (EAN-13).
    Gtin13,
    /// 14 digits (ITF-14, case codes).
    Gtin14,
}

/// A validated GTIN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Gtin {
    /// The digits as scanned (spaces removed).
    pub code: String,
    /// Its length class.
    pub kind: GtinKind,
    /// Left-padded with zeros to 14 digits: the key to look products up by, so a UPC-A and
    /// the same item's EAN-13 (`0` + UPC) find the same product.
    pub gtin14: String,
}

/// The GS1 check digit for the digits that precede it.
pub fn gtin_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // `sum % 10` is below 10, so the value fits a u8.
    ((10 - sum % 10) % 10) as u8
}

/// Validates a scanned code: only digits (surrounding whitespace ignored), length 8, 12, 13
/// or 14, correct check digit. Anything else is `VALIDATION_ERROR` on `barcode`.
pub fn validate_gtin(code: &str) -> Result<Gtin> {
    let field = "barcode";
    let code = code.trim();
    if !code.bytes().all(|b| b.is_ascii_digit()) || code.is_empty() {
        return Err(KassaError::validation(field, "a GTIN has digits only"));
    }
    let kind = match code.len() {
        8 => GtinKind::Gtin8,
        12 => GtinKind::Gtin12,
        13 => GtinKind::Gtin13,
        14 => GtinKind::Gtin14,
        n => {
            return Err(KassaError::validation(
                field,
                format!("a GTIN has 8, 12, 13 or 14 digits, not {n}"),
            ))
        }
    };
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    let Some((check, body)) = digits.split_last() else {
        return Err(KassaError::validation(field, "empty"));
    };
    let want = gtin_check_digit(body);
    if *check != want {
        return Err(KassaError::validation(
            field,
            format!("check digit is {check}, expected {want}"),
        ));
    }
    Ok(Gtin {
        code: code.to_string(),
        kind,
        gtin14: format!("{code:0>14}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        assert_eq!(
            validate_gtin("4006381333931").unwrap().kind,
            GtinKind::Gtin13
        );
        assert_eq!(
            validate_gtin("036000291452").unwrap().gtin14,
            "00036000291452"
        );
        assert_eq!(validate_gtin("96385074").unwrap().kind, GtinKind::Gtin8);
        assert_eq!(
            validate_gtin("10614141000415").unwrap().kind,
            GtinKind::Gtin14
        );
        assert!(validate_gtin("4006381333932").is_err());
        assert!(validate_gtin("400638133393").is_err());
        assert!(validate_gtin("40063813339a1").is_err());
        assert!(validate_gtin("").is_err());
    }
}
