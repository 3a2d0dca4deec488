//! Price series to returns: alignment of dates, simple and log returns, expected returns
//! (arithmetic mean and exponentially weighted), with validation naming asset and row.

use super::rng::portable_ln;
use crate::error::{KassaError, Result};
use crate::text::Plain;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One price observation in long form: `(date, asset, price)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PriceObservation {
    /// ISO date (`YYYY-MM-DD`) or any string that sorts chronologically.
    pub date: String,
    /// Asset name.
    pub asset: String,
    /// Price; must be finite and positive.
    pub price: f64,
}

/// How dates missing for some assets are handled when the long form is put in a table.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    /// Keep only the dates on which every asset has a price.
    #[default]
    Intersect,
    /// Keep every date from the first date on which every asset has a price; a missing price
    /// is the asset's previous price (last observation carried forward).
    ForwardFill,
}

/// Aligned prices: one row per date, one column per asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PriceTable {
    /// Asset names, one per column.
    pub assets: Vec<String>,
    /// Dates, one per row, ascending.
    pub dates: Vec<String>,
    /// `prices[row][column]`.
    pub prices: Vec<Vec<f64>>,
}

/// Simple (`p1/p0 - 1`) or logarithmic (`ln(p1/p0)`) returns.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    /// `p1 / p0 - 1`.
    #[default]
    Simple,
    /// `ln(p1 / p0)`.
    Log,
}

/// Per-period returns: one row per period, one column per asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReturnTable {
    /// Asset names.
    pub assets: Vec<String>,
    /// The end date of each period.
    pub dates: Vec<String>,
    /// `returns[row][column]`.
    pub returns: Vec<Vec<f64>>,
}

impl ReturnTable {
    /// Number of assets.
    pub fn n_assets(&self) -> usize {
        self.assets.len()
    }
    /// Number of periods.
    pub fn n_periods(&self) -> usize {
        self.returns.len()
    }
}

/// Minimum number of aligned prices per asset (two returns).
pub const MIN_PRICES: usize = 3;

fn check_price(field: &str, asset: &str, date: &str, price: f64) -> Result<()> {
    if price.is_nan() {
        return Err(KassaError::validation(
            field,
            format!("price of '{asset}' on {date} is NaN"),
        ));
    }
    if price.is_infinite() {
        return Err(KassaError::validation(
            field,
            format!("price of '{asset}' on {date} is infinite"),
        ));
    }
    if price <= 0.0 {
        return Err(KassaError::validation(
            field,
            format!(
                "price of '{asset}' on {date} is {}; prices must be positive",
                Plain(price)
            ),
        ));
    }
    Ok(())
}

/// Puts long-form observations into an aligned [`PriceTable`] (assets in first-seen order).
///
/// Errors (`VALIDATION_ERROR`, field `observations[i].price` or `observations`): NaN,
/// infinite or non-positive prices (naming asset and date), duplicate `(date, asset)` pairs,
/// and an asset with fewer than [`MIN_PRICES`] aligned prices.
pub fn align(observations: &[PriceObservation], alignment: Alignment) -> Result<PriceTable> {
    let mut assets: Vec<String> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_asset: Vec<BTreeMap<&str, f64>> = Vec::new();
    for (i, o) in observations.iter().enumerate() {
        let field = format!("observations[{i}].price");
        check_price(&field, &o.asset, &o.date, o.price)?;
        let col = match index.get(o.asset.as_str()) {
            Some(c) => *c,
            None => {
                index.insert(&o.asset, assets.len());
                assets.push(o.asset.clone());
                by_asset.push(BTreeMap::new());
                assets.len() - 1
            }
        };
        let Some(series) = by_asset.get_mut(col) else {
            return Err(KassaError::internal("asset column out of range"));
        };
        if series.insert(o.date.as_str(), o.price).is_some() {
            return Err(KassaError::validation(
                format!("observations[{i}]"),
                format!("duplicate price for '{}' on {}", o.asset, o.date),
            ));
        }
    }
    if assets.is_empty() {
        return Err(KassaError::validation("observations", "no observations"));
    }
    let all_dates: BTreeSet<&str> =
        crate::sorting::set_from(by_asset.iter().flat_map(|s| s.keys().copied()));
    let mut dates = Vec::new();
    let mut rows = Vec::new();
    let mut last: Vec<Option<f64>> = vec![None; assets.len()];
    for d in all_dates {
        let mut row = Vec::with_capacity(assets.len());
        let mut complete = true;
        for (col, series) in by_asset.iter().enumerate() {
            let p = series.get(d).copied();
            let slot = last.get_mut(col);
            match (p, alignment, slot) {
                (Some(p), _, Some(slot)) => {
                    *slot = Some(p);
                    row.push(p);
                }
                (None, Alignment::ForwardFill, Some(Some(prev))) => row.push(*prev),
                _ => complete = false,
            }
        }
        if complete {
            dates.push(d.to_owned());
            rows.push(row);
        }
    }
    for a in &assets {
        if rows.len() < MIN_PRICES {
            let own = index
                .get(a.as_str())
                .and_then(|c| by_asset.get(*c))
                .map_or(0, BTreeMap::len);
            return Err(KassaError::validation(
                "observations",
                format!(
                    "too few observations: '{a}' has {own} prices, {} on dates shared by all assets; at least {MIN_PRICES} needed",
                    rows.len()
                ),
            )
            .with_meta("asset", a.as_str()));
        }
    }
    Ok(PriceTable {
        assets,
        dates,
        prices: rows,
    })
}

/// Validates a table given directly (rectangular, finite positive prices, enough rows).
pub fn validate_table(t: &PriceTable) -> Result<()> {
    let n = t.assets.len();
    if n == 0 {
        return Err(KassaError::validation("assets", "no assets"));
    }
    if t.dates.len() != t.prices.len() {
        return Err(KassaError::validation(
            "dates",
            format!("{} dates for {} rows", t.dates.len(), t.prices.len()),
        ));
    }
    for (r, row) in t.prices.iter().enumerate() {
        if row.len() != n {
            return Err(KassaError::validation(
                format!("prices[{r}]"),
                format!("row has {} prices for {n} assets", row.len()),
            ));
        }
        for (c, p) in row.iter().enumerate() {
            let asset = t.assets.get(c).map_or("", String::as_str);
            let date = t.dates.get(r).map_or("", String::as_str);
            check_price(&format!("prices[{r}][{c}]"), asset, date, *p)?;
        }
    }
    if t.prices.len() < MIN_PRICES {
        let a = t.assets.first().map_or("", String::as_str);
        return Err(KassaError::validation(
            "prices",
            format!(
                "too few observations: '{a}' has {} prices; at least {MIN_PRICES} needed",
                t.prices.len()
            ),
        ));
    }
    Ok(())
}

/// Period returns from an aligned table.
pub fn returns(t: &PriceTable, kind: ReturnKind) -> Result<ReturnTable> {
    validate_table(t)?;
    let mut out = Vec::with_capacity(t.prices.len().saturating_sub(1));
    for pair in t.prices.windows(2) {
        let [p0, p1] = pair else { continue };
        let row = p0
            .iter()
            .zip(p1)
            .map(|(a, b)| match kind {
                ReturnKind::Simple => b / a - 1.0,
                ReturnKind::Log => portable_ln(b / a),
            })
            .collect();
        out.push(row);
    }
    Ok(ReturnTable {
        assets: t.assets.clone(),
        dates: t.dates.iter().skip(1).cloned().collect(),
        returns: out,
    })
}

/// Arithmetic mean return per asset, annualized by `periods_per_year` (e.g. 252 trading days).
pub fn mean_returns(r: &ReturnTable, periods_per_year: f64) -> Vec<f64> {
    let n = r.n_assets();
    let t = r.n_periods().max(1) as f64;
    let mut m = vec![0.0; n];
    for row in &r.returns {
        for (acc, x) in m.iter_mut().zip(row) {
            *acc += x;
        }
    }
    m.iter().map(|s| s / t * periods_per_year).collect()
}

/// Exponentially weighted mean return per asset (pandas `ewm(span=span, adjust=True)`, last
/// value), annualized. Weight of the return `k` periods before the last is `(1-α)^k` with
/// `α = 2 / (span + 1)`.
pub fn ew_mean_returns(r: &ReturnTable, span: f64, periods_per_year: f64) -> Result<Vec<f64>> {
    if !(span.is_finite() && span >= 1.0) {
        return Err(KassaError::validation("span", "must be at least 1"));
    }
    let decay = 1.0 - 2.0 / (span + 1.0);
    let n = r.n_assets();
    let mut num = vec![0.0; n];
    let mut den = 0.0;
    let mut w = 1.0;
    for row in r.returns.iter().rev() {
        for (acc, x) in num.iter_mut().zip(row) {
            *acc += w * x;
        }
        den += w;
        w *= decay;
    }
    if den <= 0.0 {
        return Err(KassaError::validation("returns", "no returns"));
    }
    Ok(num.iter().map(|s| s / den * periods_per_year).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(date: &str, asset: &str, price: f64) -> PriceObservation {
        PriceObservation {
            date: date.into(),
            asset: asset.into(),
            price,
        }
    }

    #[test]
    fn aligns_and_names_bad_rows() {
        let o = vec![
            obs("2026-01-01", "gas", 10.0),
            obs("2026-01-01", "oil", 70.0),
            obs("2026-01-02", "gas", 11.0),
            obs("2026-01-03", "gas", 12.0),
            obs("2026-01-03", "oil", 71.0),
            obs("2026-01-04", "gas", 12.5),
            obs("2026-01-04", "oil", 72.0),
        ];
        let t = align(&o, Alignment::Intersect).unwrap();
        assert_eq!(t.dates.len(), 3);
        let f = align(&o, Alignment::ForwardFill).unwrap();
        assert_eq!(f.dates.len(), 4);
        assert_eq!(f.prices[1], vec![11.0, 70.0]);
        let r = returns(&t, ReturnKind::Simple).unwrap();
        assert!((r.returns[0][0] - 0.2).abs() < 1e-12);

        let mut bad = o.clone();
        bad[4].price = f64::NAN;
        let e = align(&bad, Alignment::Intersect).unwrap_err();
        assert_eq!(e.details[0].field, "observations[4].price");
        assert!(e.message.contains("oil") && e.message.contains("2026-01-03"));
        bad[4].price = -1.0;
        assert!(align(&bad, Alignment::Intersect)
            .unwrap_err()
            .message
            .contains("positive"));
        bad[4].price = f64::INFINITY;
        assert!(align(&bad, Alignment::Intersect)
            .unwrap_err()
            .message
            .contains("infinite"));
        let few = align(&o[..4], Alignment::Intersect).unwrap_err();
        assert!(few.message.contains("too few"), "{few}");
    }

    #[test]
    fn means() {
        let r = ReturnTable {
            assets: vec!["a".into()],
            dates: vec!["1".into(), "2".into()],
            returns: vec![vec![0.01], vec![0.03]],
        };
        assert!((mean_returns(&r, 1.0)[0] - 0.02).abs() < 1e-15);
        // span 3: alpha 0.5, weights 1 (last) and 0.5
        let ew = ew_mean_returns(&r, 3.0, 1.0).unwrap()[0];
        assert!((ew - (0.03 + 0.5 * 0.01) / 1.5).abs() < 1e-15);
    }
}
