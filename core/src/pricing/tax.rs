//! Tax rules: a rate per region and product tax class.

use crate::money::decimal_string;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The tax rate of one product tax class in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TaxRule {
    /// Unique id (the key of the tax-by-rate breakdown).
    pub id: String,
    /// Region the rule applies in (compared exactly with the context's region).
    pub region: String,
    /// Product tax class the rule applies to.
    pub tax_class: String,
    /// The rate as a fraction, a decimal string: `"0.2"` is 20 %.
    #[serde(with = "decimal_string")]
    pub rate: Decimal,
}
