//! Price contexts, resolved prices and margins.

use crate::error::{KassaError, Result};
use crate::money::{Currency, Money, RoundingMode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a price is asked for: the shopper's region and channel, and the currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PriceContext {
    /// Region (e.g. `"DE"`, `"US-CA"`); `None` matches only prices without a region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Sales channel (e.g. `"web"`, `"pos"`); `None` matches only prices without a channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Currency the price must be in (prices are never converted).
    pub currency: Currency,
}

impl PriceContext {
    /// A context with only a currency.
    pub fn currency(currency: Currency) -> Self {
        PriceContext {
            region: None,
            channel: None,
            currency,
        }
    }

    /// The same context with a region.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The same context with a channel.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }
}

/// Which scope a resolved price came from, from least to most specific.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum PriceScope {
    /// Neither region nor channel: the currency's default price.
    Default,
    /// Channel only.
    Channel,
    /// Region only.
    Region,
    /// Both region and channel.
    RegionChannel,
}

impl PriceScope {
    /// The scope of a price with or without region and channel.
    pub fn of(has_region: bool, has_channel: bool) -> PriceScope {
        match (has_region, has_channel) {
            (false, false) => PriceScope::Default,
            (false, true) => PriceScope::Channel,
            (true, false) => PriceScope::Region,
            (true, true) => PriceScope::RegionChannel,
        }
    }
}

/// The price of one SKU in one context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedPrice {
    /// The SKU.
    pub sku: String,
    /// Unit price.
    pub amount: Money,
    /// Whether `amount` includes tax.
    pub tax_inclusive: bool,
    /// The "was" price, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at: Option<Money>,
    /// Which scope matched.
    pub scope: PriceScope,
    /// Cost per item, when the variant has one in the same currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
}

impl ResolvedPrice {
    /// Margin of this price over the cost per item; `None` without a cost in this currency.
    ///
    /// `tax_rate` (e.g. `0.20`) is used only for a tax-inclusive price, to take the tax out
    /// first: net = amount / (1 + rate), rounded half-even to the minor unit.
    pub fn margin(&self, tax_rate: Decimal) -> Result<Option<Margin>> {
        let Some(cost) = self.cost else {
            return Ok(None);
        };
        let net = if self.tax_inclusive {
            if tax_rate.is_sign_negative() {
                return Err(KassaError::validation("taxRate", "must not be negative"));
            }
            self.amount
                .checked_div(Decimal::ONE + tax_rate)?
                .round(RoundingMode::HalfEven)
        } else {
            self.amount
        };
        margin(&net, &cost).map(Some)
    }

    /// Discount of the compare-at price shown to shoppers, in percent of the compare-at
    /// price (two decimals, half-even); `None` without a higher compare-at price.
    pub fn savings_percent(&self) -> Option<Decimal> {
        let was = self.compare_at?;
        if was.currency() != self.amount.currency() || was.amount() <= self.amount.amount() {
            return None;
        }
        let pct = (was.amount() - self.amount.amount())
            .checked_mul(Decimal::ONE_HUNDRED)?
            .checked_div(was.amount())?;
        Some(RoundingMode::HalfEven.round(pct, 2))
    }
}

/// What a sale earns over its cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Margin {
    /// Net price minus cost.
    pub amount: Money,
    /// `amount` in percent of the net price (two decimals, half-even); `None` when the
    /// price is zero.
    #[serde(with = "crate::money::decimal_string::option")]
    pub percent: Option<Decimal>,
}

/// Margin of a net (tax-exclusive) price over a cost per item; both in one currency.
pub fn margin(net_price: &Money, cost: &Money) -> Result<Margin> {
    let amount = net_price.checked_sub(cost)?;
    let percent = if net_price.is_zero() {
        None
    } else {
        amount
            .amount()
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(net_price.amount()))
            .map(|p| RoundingMode::HalfEven.round(p, 2))
    };
    Ok(Margin { amount, percent })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins() {
        let p = Money::parse("25.00", "EUR").unwrap();
        let c = Money::parse("10.00", "EUR").unwrap();
        let m = margin(&p, &c).unwrap();
        assert_eq!(m.amount, Money::parse("15.00", "EUR").unwrap());
        assert_eq!(m.percent, Some(Decimal::new(60, 0)));
        let usd = Money::parse("1", "USD").unwrap();
        assert!(margin(&p, &usd).is_err());
        let zero = Money::zero(Currency::EUR);
        assert_eq!(margin(&zero, &c).unwrap().percent, None);

        let r = ResolvedPrice {
            sku: "A".into(),
            amount: Money::parse("24.00", "EUR").unwrap(),
            tax_inclusive: true,
            compare_at: Some(Money::parse("30.00", "EUR").unwrap()),
            scope: PriceScope::Default,
            cost: Some(c),
        };
        let m = r.margin(Decimal::new(20, 2)).unwrap().unwrap();
        assert_eq!(m.amount, Money::parse("10.00", "EUR").unwrap());
        assert_eq!(r.savings_percent(), Some(Decimal::new(2000, 2)));
    }
}
