//! Stock levels per SKU per location, and demand summed per SKU.

use crate::error::{ErrorCode, KassaError, Result};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

/// The largest quantity one line may ask for: bigger requests are refused as input errors,
/// not treated as plain shortages.
pub const MAX_LINE_QUANTITY: u64 = 1_000_000;

/// Stock of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct StockLevel {
    /// Stock keeping unit.
    pub sku: String,
    /// Location (warehouse, store).
    pub location_id: String,
    /// Units physically there.
    pub on_hand: u64,
    /// Units held by active reservations (never above `on_hand`).
    pub reserved: u64,
}

impl StockLevel {
    /// Units that can still be reserved.
    pub fn available(&self) -> u64 {
        self.on_hand.saturating_sub(self.reserved)
    }
}

/// Units of one SKU asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Demand {
    /// Stock keeping unit.
    pub sku: String,
    /// Units (at least 1).
    pub quantity: u64,
}

/// Units of one SKU taken from one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct StockAllocation {
    /// Stock keeping unit.
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Units.
    pub quantity: u64,
}

/// Sums quantities per SKU (sorted by SKU), refusing empty SKUs, zero and huge quantities.
/// `field` names the list in errors (e.g. `"items"`).
pub fn sum_demand<'a>(
    field: &str,
    lines: impl IntoIterator<Item = (&'a str, u64)>,
) -> Result<Vec<Demand>> {
    let mut sums: BTreeMap<&str, u64> = BTreeMap::new();
    for (i, (sku, q)) in lines.into_iter().enumerate() {
        if sku.trim().is_empty() {
            return Err(KassaError::validation(
                format!("{field}[{i}].sku"),
                "must not be empty",
            ));
        }
        if q == 0 || q > MAX_LINE_QUANTITY {
            return Err(KassaError::validation(
                format!("{field}[{i}].quantity"),
                format!("must be between 1 and {MAX_LINE_QUANTITY}"),
            ));
        }
        let s = sums.entry(sku).or_insert(0);
        *s = s.saturating_add(q);
    }
    if sums.is_empty() {
        return Err(KassaError::validation(field, "must not be empty"));
    }
    Ok(sums
        .into_iter()
        .map(|(sku, quantity)| Demand {
            sku: sku.to_owned(),
            quantity,
        })
        .collect())
}

/// Every stock level, keyed by (SKU, location): the pure book the inventory store keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct StockBook {
    levels: BTreeMap<(String, String), StockLevel>,
}

/// A (SKU, location) key of the book, owned by the map or borrowed for a lookup, so that
/// finding a level does not build two `String`s (checkout looks up every reserved level
/// again to commit it).
trait LevelKey {
    fn parts(&self) -> (&str, &str);
}

impl LevelKey for (String, String) {
    fn parts(&self) -> (&str, &str) {
        (&self.0, &self.1)
    }
}

impl LevelKey for (&str, &str) {
    fn parts(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

// Same order as the owned tuple's: by SKU, then location.
impl<'a> Borrow<dyn LevelKey + 'a> for (String, String) {
    fn borrow(&self) -> &(dyn LevelKey + 'a) {
        self
    }
}

impl PartialEq for dyn LevelKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn LevelKey + '_ {}

impl PartialOrd for dyn LevelKey + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn LevelKey + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// The bounds of every key of `sku`: its smallest (SKU, "") and onwards; callers stop at the
/// first key of another SKU.
fn from_sku<'k>(
    sku: &'k (&'k str, &'k str),
) -> (
    Bound<&'k (dyn LevelKey + 'k)>,
    Bound<&'k (dyn LevelKey + 'k)>,
) {
    (Bound::Included(sku), Bound::Unbounded)
}

impl StockBook {
    /// An empty book.
    pub fn new() -> Self {
        StockBook::default()
    }

    /// The level of one SKU at one location.
    pub fn level(&self, sku: &str, location_id: &str) -> Option<&StockLevel> {
        self.levels.get(&(sku, location_id) as &dyn LevelKey)
    }

    /// Every level of one SKU, by location id.
    pub fn levels_of<'a>(&'a self, sku: &'a str) -> impl Iterator<Item = &'a StockLevel> + 'a {
        self.levels
            .range::<dyn LevelKey, _>(from_sku(&(sku, "")))
            .take_while(move |((s, _), _)| s == sku)
            .map(|(_, l)| l)
    }

    /// Every level.
    pub fn all(&self) -> impl Iterator<Item = &StockLevel> {
        self.levels.values()
    }

    /// The level of one SKU at one location, or an empty one (nothing on hand or reserved)
    /// when the book has none yet.
    pub fn level_or_empty(&self, sku: &str, location_id: &str) -> StockLevel {
        self.level(sku, location_id)
            .cloned()
            .unwrap_or_else(|| StockLevel {
                sku: sku.to_owned(),
                location_id: location_id.to_owned(),
                on_hand: 0,
                reserved: 0,
            })
    }

    /// Stores a level as given (the caller checked it: `reserved ≤ on_hand`).
    pub(crate) fn put(&mut self, level: StockLevel) {
        self.levels
            .insert((level.sku.clone(), level.location_id.clone()), level);
    }

    /// Units available over every location of a SKU.
    pub fn available(&self, sku: &str) -> u64 {
        self.levels_of(sku).map(StockLevel::available).sum()
    }

    /// Sets the units on hand (an absolute count, e.g. after a stock take). It may not go
    /// below what is reserved there.
    pub fn set_on_hand(
        &mut self,
        sku: &str,
        location_id: &str,
        on_hand: u64,
    ) -> Result<StockLevel> {
        if sku.trim().is_empty() {
            return Err(KassaError::validation("sku", "must not be empty"));
        }
        if location_id.trim().is_empty() {
            return Err(KassaError::validation("locationId", "must not be empty"));
        }
        let level = self
            .levels
            .entry((sku.to_owned(), location_id.to_owned()))
            .or_insert_with(|| StockLevel {
                sku: sku.to_owned(),
                location_id: location_id.to_owned(),
                on_hand: 0,
                reserved: 0,
            });
        if on_hand < level.reserved {
            return Err(KassaError::validation(
                "onHand",
                format!("{on_hand} is below the {} unit(s) reserved", level.reserved),
            ));
        }
        level.on_hand = on_hand;
        Ok(level.clone())
    }

    /// Adds `delta` (may be negative) to the units on hand.
    pub fn adjust(&mut self, sku: &str, location_id: &str, delta: i64) -> Result<StockLevel> {
        let current = self.level(sku, location_id).map_or(0, |l| l.on_hand);
        let next = i128::from(current) + i128::from(delta);
        let next = u64::try_from(next)
            .map_err(|_| KassaError::validation("delta", format!("would leave {next} on hand")))?;
        self.set_on_hand(sku, location_id, next)
    }

    /// Reserves every demand or nothing: for each SKU, units are taken from locations in
    /// location-id order. A shortage is `OUT_OF_STOCK` with `meta` `{sku, requested,
    /// available}` and leaves the book unchanged.
    pub fn reserve(&mut self, demand: &[Demand]) -> Result<Vec<StockAllocation>> {
        for d in demand {
            let available = self.available(&d.sku);
            if available < d.quantity {
                return Err(KassaError::new(
                    ErrorCode::OutOfStock,
                    format!(
                        "only {available} unit(s) of '{}' available, {} requested",
                        d.sku, d.quantity
                    ),
                )
                .with_meta("sku", d.sku.clone())
                .with_meta("requested", d.quantity)
                .with_meta("available", available));
            }
        }
        let mut out = Vec::with_capacity(demand.len());
        for d in demand {
            let mut left = d.quantity;
            let levels = self
                .levels
                .range_mut::<dyn LevelKey, _>(from_sku(&(d.sku.as_str(), "")))
                .take_while(|((s, _), _)| *s == d.sku)
                .map(|(_, l)| l);
            for level in levels {
                if left == 0 {
                    break;
                }
                let take = level.available().min(left);
                if take > 0 {
                    level.reserved += take;
                    left -= take;
                    out.push(StockAllocation {
                        sku: d.sku.clone(),
                        location_id: level.location_id.clone(),
                        quantity: take,
                    });
                }
            }
        }
        Ok(out)
    }

    fn level_mut(&mut self, a: &StockAllocation) -> Result<&mut StockLevel> {
        self.levels
            .get_mut(&(a.sku.as_str(), a.location_id.as_str()) as &dyn LevelKey)
            .ok_or_else(|| {
                KassaError::internal(format!("no stock level for {} at {}", a.sku, a.location_id))
            })
    }

    /// Gives reserved units back (reservation released or expired).
    pub fn release(&mut self, allocations: &[StockAllocation]) -> Result<()> {
        for a in allocations {
            let level = self.level_mut(a)?;
            level.reserved = level.reserved.saturating_sub(a.quantity);
        }
        Ok(())
    }

    /// Turns reserved units into sold units: they leave both `reserved` and `on_hand`.
    pub fn commit(&mut self, allocations: &[StockAllocation]) -> Result<()> {
        for a in allocations {
            let level = self.level_mut(a)?;
            level.reserved = level.reserved.saturating_sub(a.quantity);
            level.on_hand = level.on_hand.saturating_sub(a.quantity);
        }
        Ok(())
    }

    /// Puts sold units back on hand (a cancelled order's committed stock).
    pub fn restock(&mut self, allocations: &[StockAllocation]) -> Result<()> {
        for a in allocations {
            let level = self.level_mut(a)?;
            level.on_hand = level.on_hand.saturating_add(a.quantity);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demand_is_summed_and_validated() {
        let d = sum_demand("items", [("B", 1), ("A", 2), ("B", 3)]).unwrap();
        assert_eq!(
            d,
            vec![
                Demand {
                    sku: "A".into(),
                    quantity: 2
                },
                Demand {
                    sku: "B".into(),
                    quantity: 4
                }
            ]
        );
        assert_eq!(
            sum_demand("items", [("A", 0)]).unwrap_err().details[0].field,
            "items[0].quantity"
        );
        assert_eq!(
            sum_demand("items", [("A", u64::MAX)]).unwrap_err().details[0].field,
            "items[0].quantity"
        );
        assert_eq!(
            sum_demand("items", []).unwrap_err().details[0].field,
            "items"
        );
    }

    #[test]
    fn reserve_is_all_or_nothing_across_locations() {
        let mut b = StockBook::new();
        b.set_on_hand("A", "w1", 2).unwrap();
        b.set_on_hand("A", "w2", 3).unwrap();
        b.set_on_hand("B", "w1", 1).unwrap();
        let before = b.clone();
        let err = b
            .reserve(&[
                Demand {
                    sku: "A".into(),
                    quantity: 4,
                },
                Demand {
                    sku: "B".into(),
                    quantity: 2,
                },
            ])
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::OutOfStock);
        assert_eq!(err.meta["sku"], "B");
        assert_eq!(b, before);
        let alloc = b
            .reserve(&[Demand {
                sku: "A".into(),
                quantity: 4,
            }])
            .unwrap();
        assert_eq!(alloc.len(), 2);
        assert_eq!(b.available("A"), 1);
        b.commit(&alloc).unwrap();
        assert_eq!(b.level("A", "w2").unwrap().on_hand, 1);
        assert!(b.set_on_hand("A", "w1", 0).is_ok());
        assert!(b.adjust("A", "w1", -1).is_err());
    }
}
