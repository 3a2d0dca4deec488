//! Money: an exact decimal amount in an ISO 4217 currency.
//!
//! Amounts are [`rust_decimal::Decimal`]; floats never appear. Rounding happens only where a
//! caller asks for it, with a named [`RoundingMode`]. Arithmetic across currencies is a typed
//! `VALIDATION_ERROR`, never a silent conversion. Amounts cross every boundary (serde, FFI) as
//! decimal strings: a rounded amount prints with exactly the currency's minor units
//! (`"12.30"`, `"1200"` for JPY, `"1.005"` for KWD), an unrounded one with all its digits.

mod allocate;
mod currency_table;
mod format;

use crate::error::{KassaError, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

pub use allocate::allocate_units;

/// An ISO 4217 currency: its three-letter code and its number of minor units.
///
/// Only codes from the ISO 4217 table are constructible, so a `Currency` is always valid.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

impl Currency {
    /// US dollar (2 minor units).
    pub const USD: Currency = Currency::known(*b"USD", 2);
    /// Euro (2).
    pub const EUR: Currency = Currency::known(*b"EUR", 2);
    /// Pound sterling (2).
    pub const GBP: Currency = Currency::known(*b"GBP", 2);
    /// Swiss franc (2).
    pub const CHF: Currency = Currency::known(*b"CHF", 2);
    /// Japanese yen (0).
    pub const JPY: Currency = Currency::known(*b"JPY", 0);
    /// Kuwaiti dinar (3).
    pub const KWD: Currency = Currency::known(*b"KWD", 3);

    const fn known(code: [u8; 3], minor_units: u8) -> Currency {
        Currency { code, minor_units }
    }

    /// Looks up an ISO 4217 alphabetic code (case-insensitive, surrounding spaces ignored).
    pub fn from_code(code: &str) -> Result<Currency> {
        // No allocation: every request names its currency, often once per amount.
        let found = <[u8; 3]>::try_from(code.trim().as_bytes())
            .ok()
            .and_then(|raw| {
                let upper = raw.map(|b| b.to_ascii_uppercase());
                let key = std::str::from_utf8(&upper).ok()?;
                let i = currency_table::CURRENCIES
                    .binary_search_by(|(c, ..)| (*c).cmp(key))
                    .ok()?;
                let (c, _, minor) = currency_table::CURRENCIES.get(i)?;
                let bytes: [u8; 3] = c.as_bytes().try_into().ok()?;
                Some(Currency::known(bytes, *minor))
            });
        found.ok_or_else(|| {
            KassaError::validation("currency", format!("unknown ISO 4217 currency '{code}'"))
        })
    }

    /// The alphabetic code, e.g. `"USD"`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Number of minor units (decimal places): JPY 0, USD 2, KWD 3.
    pub const fn minor_units(&self) -> u32 {
        self.minor_units as u32
    }

    /// The ISO 4217 numeric code, e.g. 840 for USD.
    pub fn numeric_code(&self) -> u16 {
        self.index()
            .and_then(|i| currency_table::CURRENCIES.get(i))
            .map_or(0, |(_, n, _)| *n)
    }

    /// The English name, e.g. `"US Dollar"`.
    pub fn name(&self) -> &'static str {
        self.index()
            .and_then(|i| currency_table::NAMES.get(i))
            .copied()
            .unwrap_or("")
    }

    /// Every currency of the table, sorted by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        currency_table::CURRENCIES
            .iter()
            .filter_map(|(c, ..)| Currency::from_code(c).ok())
    }

    fn index(&self) -> Option<usize> {
        let code = self.code();
        currency_table::CURRENCIES
            .binary_search_by(|(c, ..)| (*c).cmp(code))
            .ok()
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = KassaError;
    fn from_str(s: &str) -> Result<Self> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Code;
        impl serde::de::Visitor<'_> for Code {
            type Value = Currency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Currency, E> {
                Currency::from_code(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Code)
    }
}

/// How to round a value that falls between two representable amounts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Nearest; ties to the even neighbour (banker's rounding).
    #[default]
    HalfEven,
    /// Nearest; ties away from zero (commercial rounding).
    HalfUp,
    /// Nearest; ties toward zero.
    HalfDown,
    /// Away from zero (ceiling of the magnitude).
    Up,
    /// Toward zero (truncation).
    Down,
}

impl RoundingMode {
    /// The matching `rust_decimal` strategy.
    pub const fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
        }
    }

    /// Rounds a decimal to `dp` places.
    pub fn round(self, value: Decimal, dp: u32) -> Decimal {
        value.round_dp_with_strategy(dp, self.strategy())
    }
}

/// An exact amount of one currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

fn out_of_range() -> KassaError {
    KassaError::validation("amount", "amount out of range")
}

impl Money {
    /// An amount in a currency (kept exactly as given; not rounded).
    pub const fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in a currency.
    pub const fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// Parses a decimal string amount and a currency code: `Money::parse("12.34", "USD")`.
    /// Exponent notation, floats' `NaN`/`inf` and thousands separators are refused.
    pub fn parse(amount: &str, currency: &str) -> Result<Money> {
        Ok(Money::new(
            parse_amount(amount)?,
            Currency::from_code(currency)?,
        ))
    }

    /// An amount given in minor units: `Money::from_minor(1234, USD)` is 12.34 USD.
    pub fn from_minor(units: i64, currency: Currency) -> Money {
        Money::new(Decimal::new(units, currency.minor_units()), currency)
    }

    /// The amount in minor units; an amount finer than the minor unit is an error.
    pub fn to_minor(&self) -> Result<i128> {
        if !self.is_rounded() {
            return Err(KassaError::validation(
                "amount",
                format!("{self} has more decimals than {} allows", self.currency),
            ));
        }
        let mut d = self.amount;
        d.rescale(self.currency.minor_units());
        if d.scale() != self.currency.minor_units() {
            return Err(out_of_range());
        }
        Ok(d.mantissa())
    }

    /// The decimal amount.
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Whether the amount is above zero.
    pub fn is_positive(&self) -> bool {
        self.amount.is_sign_positive() && !self.amount.is_zero()
    }

    /// Whether the amount has no digits finer than the currency's minor unit.
    pub fn is_rounded(&self) -> bool {
        self.amount.normalize().scale() <= self.currency.minor_units()
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(KassaError::validation(
                "currency",
                format!(
                    "currency mismatch: {} and {}",
                    self.currency, other.currency
                ),
            )
            .with_meta("expected", self.currency.code())
            .with_meta("actual", other.currency.code()))
        }
    }

    /// `self + other`; different currencies or overflow are errors.
    pub fn checked_add(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(out_of_range)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self - other`; different currencies or overflow are errors.
    pub fn checked_sub(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(out_of_range)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × factor` (exact, unrounded).
    pub fn checked_mul(&self, factor: Decimal) -> Result<Money> {
        let amount = self.amount.checked_mul(factor).ok_or_else(out_of_range)?;
        Ok(Money::new(amount, self.currency))
    }

    /// `self × quantity` (exact).
    pub fn times(&self, quantity: u64) -> Result<Money> {
        self.checked_mul(Decimal::from(quantity))
    }

    /// `self / divisor` (up to 28 significant digits, unrounded).
    pub fn checked_div(&self, divisor: Decimal) -> Result<Money> {
        if divisor.is_zero() {
            return Err(KassaError::validation("divisor", "division by zero"));
        }
        let amount = self.amount.checked_div(divisor).ok_or_else(out_of_range)?;
        Ok(Money::new(amount, self.currency))
    }

    /// The negated amount.
    pub fn neg(&self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    /// The absolute amount.
    pub fn abs(&self) -> Money {
        Money::new(self.amount.abs(), self.currency)
    }

    /// The smaller of two amounts of the same currency.
    pub fn min(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        Ok(if other.amount < self.amount {
            *other
        } else {
            *self
        })
    }

    /// The larger of two amounts of the same currency.
    pub fn max(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        Ok(if other.amount > self.amount {
            *other
        } else {
            *self
        })
    }

    /// Compares two amounts of the same currency.
    pub fn cmp_amount(&self, other: &Money) -> Result<std::cmp::Ordering> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// Rounds to the currency's minor unit with a named mode.
    pub fn round(&self, mode: RoundingMode) -> Money {
        self.round_dp(self.currency.minor_units(), mode)
    }

    /// Rounds to `dp` decimal places with a named mode.
    pub fn round_dp(&self, dp: u32, mode: RoundingMode) -> Money {
        Money::new(mode.round(self.amount, dp), self.currency)
    }

    /// Sums amounts that must all be in `currency` (the sum of nothing is zero).
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// Splits this amount over `weights` exactly to the minor unit (largest remainder;
    /// ties go to the earlier weight). The parts always add up to `self`.
    ///
    /// The amount must already be rounded to the minor unit; weights must be non-negative
    /// and not all zero.
    pub fn allocate(&self, weights: &[Decimal]) -> Result<Vec<Money>> {
        let units = self.to_minor()?;
        let parts = allocate_units(units, weights)?;
        Ok(parts
            .into_iter()
            .map(|u| Money::from_minor_i128(u, self.currency))
            .collect())
    }

    /// Splits this amount into `n` parts that differ by at most one minor unit.
    pub fn split(&self, n: usize) -> Result<Vec<Money>> {
        if n == 0 {
            return Err(KassaError::validation("parts", "must be at least 1"));
        }
        self.allocate(&vec![Decimal::ONE; n])
    }

    fn from_minor_i128(units: i128, currency: Currency) -> Money {
        // allocate_units keeps every part within the magnitude of the input, so this fits.
        let amount = Decimal::try_from_i128_with_scale(units, currency.minor_units())
            .unwrap_or(Decimal::ZERO);
        Money::new(amount, currency)
    }

    /// The amount as a canonical decimal string: at least the currency's minor units of
    /// decimals, more only when the amount really has finer digits.
    pub fn amount_string(&self) -> String {
        format_amount(self.amount, self.currency.minor_units())
    }
}

/// Formats a decimal with at least `min_dp` decimal places and no trailing zeros beyond them.
pub fn format_amount(amount: Decimal, min_dp: u32) -> String {
    let mut buf = [0u8; format::MAX_LEN];
    format::write_amount(amount, min_dp, &mut buf).to_owned()
}

/// Parses a plain decimal string (`"-12.345"`), refusing exponents, `NaN` and separators.
pub fn parse_amount(s: &str) -> Result<Decimal> {
    let t = s.trim();
    let valid = !t.is_empty()
        && t.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')))
        && t.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return Err(KassaError::validation(
            "amount",
            format!("'{s}' is not a decimal amount"),
        ));
    }
    Decimal::from_str_exact(t).map_err(|e| {
        KassaError::validation("amount", format!("'{s}' is not a decimal amount: {e}"))
    })
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written from a stack buffer: `amount_string` would allocate on every display.
        let mut buf = [0u8; format::MAX_LEN];
        f.write_str(format::write_amount(
            self.amount,
            self.currency.minor_units(),
            &mut buf,
        ))?;
        f.write_str(" ")?;
        f.write_str(self.currency.code())
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

#[derive(Deserialize)]
struct MoneyRepr<'a> {
    // Borrowed from the request text when it has no escapes: no allocation per amount.
    #[serde(borrow)]
    amount: std::borrow::Cow<'a, str>,
    currency: Currency,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // The same shape as `MoneyRepr`, with the amount formatted on the stack.
        let mut buf = [0u8; format::MAX_LEN];
        let amount = format::write_amount(self.amount, self.currency.minor_units(), &mut buf);
        let mut st = s.serialize_struct("MoneyRepr", 2)?;
        st.serialize_field("amount", amount)?;
        st.serialize_field("currency", &self.currency)?;
        st.end()
    }
}

impl Money {
    /// Appends what `Display` writes (`"12.50 USD"`), without the formatting machinery.
    pub(crate) fn push_display(&self, out: &mut String) {
        let mut buf = [0u8; format::MAX_LEN];
        out.push_str(format::write_amount(
            self.amount,
            self.currency.minor_units(),
            &mut buf,
        ));
        out.push(' ');
        out.push_str(self.currency.code());
    }

    /// Appends the JSON of the amount, byte for byte what its `Serialize` writes through
    /// `serde_json`: for payloads written by hand, where serde's per-key escaping would cost
    /// more than the amount itself.
    pub(crate) fn write_json(&self, out: &mut String) {
        let mut buf = [0u8; format::MAX_LEN];
        let amount = format::write_amount(self.amount, self.currency.minor_units(), &mut buf);
        // Neither a decimal nor an ISO 4217 code has a character JSON escapes.
        out.push_str("{\"amount\":\"");
        out.push_str(amount);
        out.push_str("\",\"currency\":\"");
        out.push_str(self.currency.code());
        out.push_str("\"}");
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let repr = MoneyRepr::deserialize(d)?;
        let amount = parse_amount(&repr.amount).map_err(serde::de::Error::custom)?;
        Ok(Money::new(amount, repr.currency))
    }
}

/// Serde helpers for a bare [`Decimal`] carried as a string (never a JSON number).
pub mod decimal_string {
    use super::{format_amount, parse_amount};
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as the normalized decimal string.
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; super::format::MAX_LEN];
        s.serialize_str(super::format::write_amount(*d, 0, &mut buf))
    }

    /// Deserializes from a decimal string only.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let s = String::deserialize(d)?;
        parse_amount(&s).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<Decimal>`.
    pub mod option {
        use super::*;

        /// Serializes `Some` as a decimal string, `None` as null.
        pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&format_amount(*d, 0)),
                None => s.serialize_none(),
            }
        }

        /// Deserializes a decimal string or null.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            let s = Option::<String>::deserialize(d)?;
            s.map(|s| parse_amount(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests;

/// Whole-operation requests over money, in the serde form the bindings and vectors use.
pub mod ops {
    use super::{Money, RoundingMode};
    use crate::error::Result;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};

    /// Split `amount` over `weights` (decimal strings) exactly to the minor unit.
    #[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase")]
    pub struct AllocateRequest {
        /// The amount to split (must be rounded to the minor unit).
        pub amount: Money,
        /// Non-negative weights, not all zero.
        #[serde(with = "weights_serde")]
        pub weights: Vec<Decimal>,
    }

    /// Runs an [`AllocateRequest`].
    pub fn allocate(req: AllocateRequest) -> Result<Vec<Money>> {
        req.amount.allocate(&req.weights)
    }

    /// Round `amount` to its currency's minor unit with `mode`.
    #[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase")]
    pub struct RoundRequest {
        /// The amount to round.
        pub amount: Money,
        /// The rounding mode.
        pub mode: RoundingMode,
    }

    /// Runs a [`RoundRequest`].
    pub fn round(req: RoundRequest) -> Result<Money> {
        Ok(req.amount.round(req.mode))
    }

    mod weights_serde {
        use crate::money::{format_amount, parse_amount};
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(w: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(w.iter().map(|d| format_amount(*d, 0)))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|s| parse_amount(s).map_err(serde::de::Error::custom))
                .collect()
        }
    }
}
