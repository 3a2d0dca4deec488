//! Resolving cart lines against the catalog for pricing.

use super::Cart;
use crate::catalog::{Catalog, PriceContext, Product, Variant};
use crate::error::{KassaError, Result};
use crate::pricing::PricingLine;
use std::sync::Arc;

impl Cart {
    /// The cart's lines with their catalog prices, ready for pricing.
    ///
    /// Every unit price comes from [`Catalog::resolve_price`] in `ctx` (most specific scope
    /// wins); `category_ids` are the product's categories with all their ancestors (sorted);
    /// tax class and weight come from the product and variant.
    ///
    /// Errors: `ctx.currency` differs from the cart's → `VALIDATION_ERROR` (`currency`);
    /// unknown SKU → `NOT_FOUND`; inactive product or variant → `VALIDATION_ERROR`
    /// (`lines[i].sku`); no price in the context → `NOT_FOUND` (resource `price`).
    pub fn pricing_lines(&self, catalog: &Catalog, ctx: &PriceContext) -> Result<Vec<PricingLine>> {
        self.pricing_lines_with(catalog, ctx, |_, _| {})
    }

    /// [`Cart::pricing_lines`], handing `seen` the product and variant of each line in line
    /// order: checkout copies their names into the order lines without looking every SKU up
    /// again.
    pub(crate) fn pricing_lines_with<'c>(
        &self,
        catalog: &'c Catalog,
        ctx: &PriceContext,
        mut seen: impl FnMut(&'c Product, &'c Variant),
    ) -> Result<Vec<PricingLine>> {
        if ctx.currency != self.currency {
            return Err(KassaError::validation(
                "currency",
                format!(
                    "the cart is in {}, prices were asked in {}",
                    self.currency, ctx.currency
                ),
            )
            .with_meta("expected", self.currency.code())
            .with_meta("actual", ctx.currency.code()));
        }
        // Region and channel are interned once for the cart, not once per line.
        let key = catalog.context_key(ctx);
        self.lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let ((p, v), product, variant) = catalog.require_indexed_variant(&line.sku)?;
                if !product.active || !variant.active {
                    return Err(KassaError::validation(
                        format!("lines[{i}].sku"),
                        format!("'{}' is not for sale (inactive)", line.sku),
                    )
                    .with_meta("sku", line.sku.as_str())
                    .with_meta("reason", "inactive"));
                }
                let price = catalog.price_in(p, v, &line.sku, ctx, &key)?;
                seen(product, variant);
                Ok(PricingLine {
                    line_id: Arc::from(line.line_id.as_str()),
                    sku: line.sku.clone(),
                    product_id: product.id.clone(),
                    category_ids: catalog.lineage_ids(p),
                    quantity: line.quantity,
                    unit_price: price.amount,
                    tax_inclusive: price.tax_inclusive,
                    tax_class: product.tax_class.clone(),
                    weight_grams: variant.weight_grams,
                    compare_at: price.compare_at,
                })
            })
            .collect()
    }
}
