//! Whole-operation requests over carts, in the serde form bindings and vectors use.

use super::{Cart, CartContext, CartRules, MergeOutcome, MergePolicy};
use crate::catalog::{Availability, Catalog, CatalogData, PriceContext};
use crate::error::{KassaError, Result};
use crate::money::Currency;
use crate::pricing::PricingLine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One cart operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(tag = "op", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum CartOp {
    /// [`Cart::add`].
    Add {
        /// SKU to add.
        sku: String,
        /// Units to add.
        quantity: u32,
        /// Target line (default: the SKU's first line, or a new one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line_id: Option<String>,
    },
    /// [`Cart::set_quantity`].
    SetQuantity {
        /// The line.
        line_id: String,
        /// Its new quantity.
        quantity: u32,
    },
    /// [`Cart::remove`].
    Remove {
        /// The line.
        line_id: String,
    },
    /// [`Cart::clear`].
    Clear,
}

impl Cart {
    /// Applies one operation.
    pub fn apply(&mut self, ctx: &CartContext<'_>, op: &CartOp) -> Result<()> {
        match op {
            CartOp::Add {
                sku,
                quantity,
                line_id,
            } => self
                .add(ctx, sku, *quantity, line_id.as_deref())
                .map(|_| ()),
            CartOp::SetQuantity { line_id, quantity } => self.set_quantity(ctx, line_id, *quantity),
            CartOp::Remove { line_id } => self.remove(line_id).map(|_| ()),
            CartOp::Clear => {
                self.clear();
                Ok(())
            }
        }
    }
}

/// `cart.apply`: a sequence of operations on a cart; the first failing operation's error
/// is the answer (with meta `operationIndex`).
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ApplyRequest {
    /// The catalog.
    pub catalog: CatalogData,
    /// Stock snapshot; no stock checks without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// Quantity limits.
    #[serde(default)]
    pub rules: CartRules,
    /// The starting cart (default: an empty cart in `currency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<Cart>,
    /// Currency of a new cart (needed without `cart`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The operations, applied in order.
    pub operations: Vec<CartOp>,
}

/// Runs an [`ApplyRequest`], answering the resulting cart.
pub fn apply(req: ApplyRequest) -> Result<Cart> {
    let catalog = Catalog::new(req.catalog)?;
    let mut ctx = CartContext::new(&catalog).with_rules(req.rules);
    ctx.availability = req.availability.as_ref();
    let mut cart = match (req.cart, req.currency) {
        (Some(cart), currency) => {
            if currency.is_some_and(|c| c != cart.currency()) {
                return Err(KassaError::validation(
                    "currency",
                    "differs from the cart's currency",
                ));
            }
            cart.check_shape(&req.rules)?;
            cart
        }
        (None, Some(currency)) => Cart::new(currency),
        (None, None) => {
            return Err(KassaError::validation(
                "currency",
                "needed when no cart is given",
            ))
        }
    };
    for (i, op) in req.operations.iter().enumerate() {
        cart.apply(&ctx, op)
            .map_err(|e| e.with_meta("operationIndex", i))?;
    }
    Ok(cart)
}

/// `cart.merge`: merges a guest cart into a customer cart.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct MergeRequest {
    /// The catalog.
    pub catalog: CatalogData,
    /// Stock snapshot; no stock check without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// Quantity limits.
    #[serde(default)]
    pub rules: CartRules,
    /// The customer's cart (the target).
    pub customer: Cart,
    /// The guest cart.
    pub guest: Cart,
    /// How quantities combine.
    pub policy: MergePolicy,
}

/// Runs a [`MergeRequest`].
pub fn merge(req: MergeRequest) -> Result<MergeOutcome> {
    let catalog = Catalog::new(req.catalog)?;
    let mut ctx = CartContext::new(&catalog).with_rules(req.rules);
    ctx.availability = req.availability.as_ref();
    req.customer.merge(&req.guest, req.policy, &ctx)
}

/// `cart.pricing_lines`: the cart's lines resolved against the catalog.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PricingLinesRequest {
    /// The catalog.
    pub catalog: CatalogData,
    /// The cart.
    pub cart: Cart,
    /// Region, channel and currency.
    pub context: PriceContext,
}

/// Runs a [`PricingLinesRequest`].
pub fn pricing_lines(req: PricingLinesRequest) -> Result<Vec<PricingLine>> {
    let catalog = Catalog::new(req.catalog)?;
    req.cart.pricing_lines(&catalog, &req.context)
}

/// `cart.check_stock`: summed demand per SKU, or `OUT_OF_STOCK`.
#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CheckStockRequest {
    /// The cart.
    pub cart: Cart,
    /// Stock snapshot.
    pub availability: Availability,
}

/// Runs a [`CheckStockRequest`], answering the demand per SKU when everything is in stock.
pub fn check_stock(req: CheckStockRequest) -> Result<BTreeMap<String, u64>> {
    req.cart.check_stock(&req.availability)?;
    Ok(req.cart.demand())
}
