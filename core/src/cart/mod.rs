//! Cart: lines, quantities, stock checks against a snapshot, guest-cart merge.
//!
//! A [`Cart`] holds lines (line id, SKU, quantity) in one currency. It never holds a
//! price: [`Cart::pricing_lines`] resolves every line against the [`Catalog`] in the
//! shopper's [`PriceContext`], so a price a client sends is never trusted.
//!
//! Every mutating operation validates first and changes nothing on error.

mod merge;
pub mod ops;
mod pricing;

#[cfg(test)]
mod tests;

use crate::catalog::{Availability, Catalog};
use crate::error::{ErrorCode, KassaError, Result};
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use merge::{DroppedLine, MergeOutcome, MergePolicy};

/// Default highest quantity of one line.
pub const DEFAULT_MAX_QUANTITY: u32 = 999;

/// Longest line id accepted.
pub const MAX_LINE_ID_LEN: usize = 100;

/// Configurable cart rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CartRules {
    /// Highest quantity of one line (default 999).
    #[serde(default = "default_max_quantity")]
    pub max_quantity_per_line: u32,
}

fn default_max_quantity() -> u32 {
    DEFAULT_MAX_QUANTITY
}

impl Default for CartRules {
    fn default() -> Self {
        CartRules {
            max_quantity_per_line: DEFAULT_MAX_QUANTITY,
        }
    }
}

/// What cart operations check against: the catalog, an optional stock snapshot (no stock
/// check without one) and the rules.
#[derive(Debug, Clone, Copy)]
pub struct CartContext<'a> {
    /// The catalog SKUs are looked up in.
    pub catalog: &'a Catalog,
    /// Units available per SKU; `None` skips stock checks.
    pub availability: Option<&'a Availability>,
    /// Quantity limits.
    pub rules: CartRules,
}

impl<'a> CartContext<'a> {
    /// A context with default rules and no stock snapshot.
    pub fn new(catalog: &'a Catalog) -> Self {
        CartContext {
            catalog,
            availability: None,
            rules: CartRules::default(),
        }
    }

    /// The same context with a stock snapshot.
    pub fn with_availability(mut self, availability: &'a Availability) -> Self {
        self.availability = Some(availability);
        self
    }

    /// The same context with other rules.
    pub fn with_rules(mut self, rules: CartRules) -> Self {
        self.rules = rules;
        self
    }
}

/// One cart line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CartLine {
    /// Id of the line, unique in its cart (defaults to the SKU).
    pub line_id: String,
    /// The variant's SKU.
    pub sku: String,
    /// Units, `1..=max`.
    pub quantity: u32,
}

/// A shopping cart in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    currency: Currency,
    #[serde(default)]
    lines: Vec<CartLine>,
}

impl Cart {
    /// An empty cart.
    pub fn new(currency: Currency) -> Cart {
        Cart {
            currency,
            lines: Vec::new(),
        }
    }

    /// A cart from stored lines, checking their shape: non-empty unique line ids, SKUs
    /// present, quantities `1..=max` (field paths `lines[i].lineId`, `lines[i].quantity`).
    /// SKUs are not looked up: a stored cart may hold products that have since gone.
    pub fn from_lines(currency: Currency, lines: Vec<CartLine>, rules: &CartRules) -> Result<Cart> {
        let cart = Cart { currency, lines };
        cart.check_shape(rules)?;
        Ok(cart)
    }

    /// Checks the shape of a cart built by deserialization (see [`Cart::from_lines`]).
    pub fn check_shape(&self, rules: &CartRules) -> Result<()> {
        let mut details = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, l) in self.lines.iter().enumerate() {
            if l.line_id.is_empty() || l.line_id.len() > MAX_LINE_ID_LEN {
                details.push(field(
                    format!("lines[{i}].lineId"),
                    format!("must be 1 to {MAX_LINE_ID_LEN} characters"),
                ));
            } else if !seen.insert(l.line_id.as_str()) {
                details.push(field(
                    format!("lines[{i}].lineId"),
                    format!("duplicate line id '{}'", l.line_id),
                ));
            }
            if l.sku.is_empty() {
                details.push(field(format!("lines[{i}].sku"), "must not be empty"));
            }
            if l.quantity == 0 || l.quantity > rules.max_quantity_per_line {
                details.push(field(
                    format!("lines[{i}].quantity"),
                    quantity_message(rules.max_quantity_per_line),
                ));
            }
        }
        if details.is_empty() {
            Ok(())
        } else {
            Err(KassaError::validation_many(details))
        }
    }

    /// The cart's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The lines, in the order they were added.
    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    /// A line by id.
    pub fn line(&self, line_id: &str) -> Option<&CartLine> {
        self.lines.iter().find(|l| l.line_id == line_id)
    }

    /// Whether the cart has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Total units over all lines.
    pub fn total_quantity(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }

    /// Units demanded per SKU, summed over every line of that SKU.
    pub fn demand(&self) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        for l in &self.lines {
            *out.entry(l.sku.clone()).or_insert(0) += u64::from(l.quantity);
        }
        out
    }

    /// Units demanded for one SKU over all lines.
    pub fn demand_for(&self, sku: &str) -> u64 {
        self.lines
            .iter()
            .filter(|l| l.sku == sku)
            .map(|l| u64::from(l.quantity))
            .sum()
    }

    /// Checks every SKU's summed demand against a snapshot (a missing SKU has 0 available).
    /// The first short SKU in SKU order gives `OUT_OF_STOCK` with meta `sku`, `requested`
    /// and `available`.
    pub fn check_stock(&self, availability: &Availability) -> Result<()> {
        for (sku, requested) in self.demand() {
            let available = availability.get(&sku).copied().unwrap_or(0);
            if requested > available {
                return Err(out_of_stock(&sku, requested, available));
            }
        }
        Ok(())
    }

    /// Adds `quantity` units of `sku`.
    ///
    /// Without `line_id` the units go to the first line holding the SKU, or to a new line
    /// whose id is the SKU (`SKU~2`, `SKU~3`, ... when taken). With a `line_id`, they go to
    /// that line (which must hold the same SKU) or to a new line with that id. Answers the
    /// id of the line.
    ///
    /// Errors: quantity 0 or a resulting line quantity over the maximum → `VALIDATION_ERROR`
    /// (`quantity`); unknown SKU → `NOT_FOUND`; inactive product or variant →
    /// `VALIDATION_ERROR` (`sku`, meta `reason: "inactive"`); no price in the cart's
    /// currency → `VALIDATION_ERROR` (`currency`); a line id holding another SKU →
    /// `VALIDATION_ERROR` (`lineId`); summed demand over stock → `OUT_OF_STOCK`.
    pub fn add(
        &mut self,
        ctx: &CartContext<'_>,
        sku: &str,
        quantity: u32,
        line_id: Option<&str>,
    ) -> Result<String> {
        check_quantity(quantity, &ctx.rules)?;
        self.check_sellable(ctx.catalog, sku, "sku")?;
        let existing = match line_id {
            Some(id) => {
                if id.is_empty() || id.len() > MAX_LINE_ID_LEN {
                    return Err(KassaError::validation(
                        "lineId",
                        format!("must be 1 to {MAX_LINE_ID_LEN} characters"),
                    ));
                }
                match self.lines.iter().position(|l| l.line_id == id) {
                    Some(i) if self.lines.get(i).is_some_and(|l| l.sku != sku) => {
                        return Err(KassaError::validation(
                            "lineId",
                            format!("line '{id}' holds another SKU"),
                        ));
                    }
                    found => found,
                }
            }
            None => self.lines.iter().position(|l| l.sku == sku),
        };
        let current = existing
            .and_then(|i| self.lines.get(i))
            .map_or(0, |l| l.quantity);
        let new_quantity = current.saturating_add(quantity);
        if new_quantity > ctx.rules.max_quantity_per_line {
            return Err(KassaError::validation(
                "quantity",
                format!(
                    "the line would hold {new_quantity}; {}",
                    quantity_message(ctx.rules.max_quantity_per_line)
                ),
            ));
        }
        if let Some(av) = ctx.availability {
            let requested = self.demand_for(sku) + u64::from(quantity);
            check_one(av, sku, requested)?;
        }
        match existing.and_then(|i| self.lines.get_mut(i)) {
            Some(line) => {
                line.quantity = new_quantity;
                Ok(line.line_id.clone())
            }
            None => {
                let id = match line_id {
                    Some(id) => id.to_owned(),
                    None => self.fresh_line_id(sku),
                };
                self.lines.push(CartLine {
                    line_id: id.clone(),
                    sku: sku.to_owned(),
                    quantity,
                });
                Ok(id)
            }
        }
    }

    /// Sets a line's quantity (`1..=max`; remove a line with [`Cart::remove`]).
    ///
    /// Errors: unknown line → `NOT_FOUND` (resource `cartLine`); quantity out of range →
    /// `VALIDATION_ERROR` (`quantity`); the line's SKU gone or inactive → as in
    /// [`Cart::add`]; a raise over stock → `OUT_OF_STOCK` (lowering is always allowed).
    pub fn set_quantity(
        &mut self,
        ctx: &CartContext<'_>,
        line_id: &str,
        quantity: u32,
    ) -> Result<()> {
        check_quantity(quantity, &ctx.rules)?;
        let Some(i) = self.lines.iter().position(|l| l.line_id == line_id) else {
            return Err(KassaError::not_found("cartLine", line_id));
        };
        let Some(line) = self.lines.get(i) else {
            return Err(KassaError::not_found("cartLine", line_id));
        };
        let (sku, current) = (line.sku.clone(), line.quantity);
        if quantity > current {
            self.check_sellable(ctx.catalog, &sku, "sku")?;
            if let Some(av) = ctx.availability {
                let requested = self.demand_for(&sku) - u64::from(current) + u64::from(quantity);
                check_one(av, &sku, requested)?;
            }
        }
        if let Some(line) = self.lines.get_mut(i) {
            line.quantity = quantity;
        }
        Ok(())
    }

    /// Removes a line; an unknown line is `NOT_FOUND` (resource `cartLine`).
    pub fn remove(&mut self, line_id: &str) -> Result<CartLine> {
        let i = self
            .lines
            .iter()
            .position(|l| l.line_id == line_id)
            .ok_or_else(|| KassaError::not_found("cartLine", line_id))?;
        Ok(self.lines.remove(i))
    }

    /// Removes every line.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// Unknown SKU → `NOT_FOUND`; inactive → `VALIDATION_ERROR` on `field`; not sold in
    /// the cart's currency → `VALIDATION_ERROR` on `currency`.
    fn check_sellable(&self, catalog: &Catalog, sku: &str, field_name: &str) -> Result<()> {
        let (product, variant) = catalog.require_variant(sku)?;
        if !product.active || !variant.active {
            return Err(KassaError::validation(
                field_name,
                format!("'{sku}' is not for sale (inactive)"),
            )
            .with_meta("sku", sku)
            .with_meta("reason", "inactive"));
        }
        if !variant
            .prices
            .iter()
            .any(|p| p.amount.currency() == self.currency)
        {
            return Err(KassaError::validation(
                "currency",
                format!(
                    "'{sku}' has no price in the cart's currency {}",
                    self.currency
                ),
            )
            .with_meta("sku", sku)
            .with_meta("expected", self.currency.code()));
        }
        Ok(())
    }

    pub(crate) fn fresh_line_id(&self, base: &str) -> String {
        if self.line(base).is_none() {
            return base.to_owned();
        }
        (2u64..)
            .map(|n| format!("{base}~{n}"))
            .find(|id| self.line(id).is_none())
            .unwrap_or_else(|| base.to_owned())
    }

    pub(crate) fn push_line(&mut self, line: CartLine) {
        self.lines.push(line);
    }

    pub(crate) fn lines_mut(&mut self) -> &mut Vec<CartLine> {
        &mut self.lines
    }
}

fn field(name: String, message: impl Into<String>) -> crate::error::FieldError {
    crate::error::FieldError {
        field: name,
        message: message.into(),
    }
}

fn quantity_message(max: u32) -> String {
    format!("quantity must be between 1 and {max}")
}

fn check_quantity(quantity: u32, rules: &CartRules) -> Result<()> {
    if quantity == 0 || quantity > rules.max_quantity_per_line {
        return Err(KassaError::validation(
            "quantity",
            quantity_message(rules.max_quantity_per_line),
        )
        .with_meta("max", rules.max_quantity_per_line));
    }
    Ok(())
}

fn check_one(av: &Availability, sku: &str, requested: u64) -> Result<()> {
    let available = av.get(sku).copied().unwrap_or(0);
    if requested > available {
        return Err(out_of_stock(sku, requested, available));
    }
    Ok(())
}

/// `OUT_OF_STOCK` with meta `sku`, `requested` and `available`.
pub fn out_of_stock(sku: &str, requested: u64, available: u64) -> KassaError {
    KassaError::new(
        ErrorCode::OutOfStock,
        format!("only {available} of '{sku}' available, {requested} requested"),
    )
    .with_meta("sku", sku)
    .with_meta("requested", requested)
    .with_meta("available", available)
}
