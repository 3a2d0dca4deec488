//! Merging a guest cart into a customer's cart when the guest logs in.

use super::{Cart, CartContext, CartLine};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// How quantities combine when both carts hold the same line.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum MergePolicy {
    /// Customer quantity + guest quantity (capped at the line maximum).
    #[default]
    Sum,
    /// The larger of the two.
    Max,
    /// The guest's quantity wins.
    Replace,
}

impl MergePolicy {
    /// The merged quantity before capping.
    pub fn combine(self, customer: u32, guest: u32) -> u64 {
        match self {
            MergePolicy::Sum => u64::from(customer) + u64::from(guest),
            MergePolicy::Max => u64::from(customer.max(guest)),
            MergePolicy::Replace => u64::from(guest),
        }
    }
}

/// A guest line left out of the merge, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct DroppedLine {
    /// The guest line.
    pub line_id: String,
    /// Its SKU.
    pub sku: String,
    /// Machine reason: `not_found`, `inactive` or `currency`.
    pub reason: String,
}

/// The merged cart with what the merge changed on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct MergeOutcome {
    /// The merged cart.
    pub cart: Cart,
    /// Ids (in the merged cart) of lines whose quantity was capped at the line maximum.
    pub capped: Vec<String>,
    /// Guest lines that could not be merged.
    pub dropped: Vec<DroppedLine>,
}

impl Cart {
    /// Merges a guest cart into this (the customer's) cart.
    ///
    /// A guest line *matches* the customer line with the same line id and SKU (line ids
    /// default to the SKU, so the usual one-line-per-SKU carts match by SKU). A matched
    /// line's quantity becomes `policy.combine(customer, guest)`; unmatched guest lines are
    /// appended in the guest's order (with a fresh id if theirs is taken); customer lines
    /// stay in place. Every resulting quantity is capped at the line maximum (`capped`).
    /// Guest lines whose SKU is unknown, inactive or unpriced in the cart's currency are
    /// left out and listed in `dropped`; the customer's own lines are kept as they are.
    ///
    /// Errors: carts in different currencies → `VALIDATION_ERROR` (`currency`); with a
    /// stock snapshot, summed demand over stock → `OUT_OF_STOCK`.
    pub fn merge(
        &self,
        guest: &Cart,
        policy: MergePolicy,
        ctx: &CartContext<'_>,
    ) -> Result<MergeOutcome> {
        if guest.currency != self.currency {
            return Err(KassaError::validation(
                "currency",
                format!(
                    "cannot merge a {} cart into a {} cart",
                    guest.currency, self.currency
                ),
            )
            .with_meta("expected", self.currency.code())
            .with_meta("actual", guest.currency.code()));
        }
        self.check_shape(&ctx.rules)
            .map_err(|e| prefix_fields(e, "customer"))?;
        guest
            .check_shape(&ctx.rules)
            .map_err(|e| prefix_fields(e, "guest"))?;
        let max = u64::from(ctx.rules.max_quantity_per_line);
        let cap = |q: u64| -> (u32, bool) {
            let capped = q.min(max);
            (u32::try_from(capped).unwrap_or(u32::MAX), q > max)
        };
        let mut out = self.clone();
        let mut capped = Vec::new();
        let mut dropped = Vec::new();
        for g in &guest.lines {
            if let Err(e) = out.check_sellable(ctx.catalog, &g.sku, "sku") {
                let reason = match e.meta.get("reason").and_then(|r| r.as_str()) {
                    Some(r) => r.to_owned(),
                    None if e.code == crate::error::ErrorCode::NotFound => "not_found".to_owned(),
                    None => "currency".to_owned(),
                };
                dropped.push(DroppedLine {
                    line_id: g.line_id.clone(),
                    sku: g.sku.clone(),
                    reason,
                });
                continue;
            }
            let matched = out
                .lines_mut()
                .iter_mut()
                .find(|c| c.line_id == g.line_id && c.sku == g.sku);
            match matched {
                Some(c) => {
                    let (q, was_capped) = cap(policy.combine(c.quantity, g.quantity));
                    c.quantity = q;
                    if was_capped {
                        capped.push(c.line_id.clone());
                    }
                }
                None => {
                    let line_id = out.fresh_line_id(&g.line_id);
                    let (q, was_capped) = cap(u64::from(g.quantity));
                    if was_capped {
                        capped.push(line_id.clone());
                    }
                    out.push_line(CartLine {
                        line_id,
                        sku: g.sku.clone(),
                        quantity: q,
                    });
                }
            }
        }
        if let Some(av) = ctx.availability {
            out.check_stock(av)?;
        }
        Ok(MergeOutcome {
            cart: out,
            capped,
            dropped,
        })
    }
}

fn prefix_fields(mut e: KassaError, prefix: &str) -> KassaError {
    for d in &mut e.details {
        d.field = format!("{prefix}.{}", d.field);
    }
    e
}
