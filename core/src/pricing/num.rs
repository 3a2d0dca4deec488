//! Checked decimal arithmetic for the pricing paths: overflow is a typed error, never a panic.

use crate::error::{KassaError, Result};
use rust_decimal::Decimal;

fn overflow() -> KassaError {
    KassaError::validation("lines", "amounts too large to price exactly")
}

/// `a + b`.
pub(super) fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a − b`.
pub(super) fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(overflow)
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
