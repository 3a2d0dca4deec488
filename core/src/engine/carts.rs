//! Browsing and cart flows.

use super::{Engine, Principal};
use crate::cart::{Cart, CartContext};
use crate::catalog::{Availability, ProductQuery, ProductSummary};
use crate::error::{KassaError, Result};
use crate::money::Currency;
use crate::page::Page;
use crate::ports::StoredCart;

impl Engine {
    /// Units available per SKU over every location, for the given SKUs (all when `None`).
    pub async fn availability(&self, skus: Option<&[&str]>) -> Result<Availability> {
        let levels = match skus {
            None => self.ports.inventory.all_stock().await?,
            Some(list) => {
                let mut all = Vec::new();
                for sku in list {
                    all.extend(self.ports.inventory.stock(sku).await?);
                }
                all
            }
        };
        let mut av = Availability::new();
        for l in levels {
            *av.entry(l.sku.clone()).or_insert(0) += l.available();
        }
        Ok(av)
    }

    /// Browses and searches the catalog (with live stock for `inStock`).
    pub async fn browse(
        &self,
        actor: &Principal,
        query: &ProductQuery,
    ) -> Result<Page<ProductSummary>> {
        self.authorize_kind(actor, "products", "read")?;
        let catalog = self.ports.catalog.catalog().await?;
        let av = if query.in_stock {
            Some(self.availability(None).await?)
        } else {
            None
        };
        catalog.query(query, av.as_ref())
    }

    /// Creates an empty cart owned by the actor.
    pub async fn create_cart(&self, actor: &Principal, currency: Currency) -> Result<StoredCart> {
        self.authorize_kind(actor, "carts", "create")?;
        self.ports
            .carts
            .save(StoredCart {
                id: self.ports.ids.next_id("cart"),
                owner_id: actor.id.clone(),
                cart: Cart::new(currency),
                version: 0,
                updated_at: self.now(),
            })
            .await
    }

    /// One cart (its owner or an admin).
    pub async fn get_cart(&self, actor: &Principal, cart_id: &str) -> Result<StoredCart> {
        self.load_cart_for(actor, cart_id, "read").await
    }

    async fn load_cart_for(
        &self,
        actor: &Principal,
        cart_id: &str,
        action: &str,
    ) -> Result<StoredCart> {
        self.authorize_kind(actor, "carts", action)?;
        let stored = self
            .ports
            .carts
            .get(cart_id)
            .await?
            .ok_or_else(|| KassaError::not_found("cart", cart_id))?;
        self.authorize_owned(actor, "carts", action, cart_id, &stored.owner_id)?;
        Ok(stored)
    }

    async fn change_cart<F>(
        &self,
        actor: &Principal,
        cart_id: &str,
        sku: Option<&str>,
        change: F,
    ) -> Result<StoredCart>
    where
        F: Fn(&mut Cart, &CartContext<'_>) -> Result<()>,
    {
        let mut stored = self.load_cart_for(actor, cart_id, "update").await?;
        let catalog = self.ports.catalog.catalog().await?;
        let skus: Vec<&str> = sku.into_iter().collect();
        let av = self.availability(Some(&skus)).await?;
        let ctx = CartContext::new(&catalog).with_availability(&av);
        change(&mut stored.cart, &ctx)?;
        stored.updated_at = self.now();
        self.ports.carts.save(stored).await
    }

    /// Adds units of a SKU (checked against the catalog and live stock).
    pub async fn add_to_cart(
        &self,
        actor: &Principal,
        cart_id: &str,
        sku: &str,
        quantity: u32,
    ) -> Result<StoredCart> {
        self.change_cart(actor, cart_id, Some(sku), |cart, ctx| {
            cart.add(ctx, sku, quantity, None).map(|_| ())
        })
        .await
    }

    /// Sets a line's quantity.
    pub async fn set_cart_quantity(
        &self,
        actor: &Principal,
        cart_id: &str,
        line_id: &str,
        quantity: u32,
    ) -> Result<StoredCart> {
        let stored = self.load_cart_for(actor, cart_id, "update").await?;
        let sku = stored
            .cart
            .line(line_id)
            .map(|l| l.sku.clone())
            .ok_or_else(|| KassaError::not_found("cartLine", line_id))?;
        self.change_cart(actor, cart_id, Some(&sku), |cart, ctx| {
            cart.set_quantity(ctx, line_id, quantity)
        })
        .await
    }

    /// Removes a line.
    pub async fn remove_cart_line(
        &self,
        actor: &Principal,
        cart_id: &str,
        line_id: &str,
    ) -> Result<StoredCart> {
        self.change_cart(actor, cart_id, None, |cart, _| {
            cart.remove(line_id).map(|_| ())
        })
        .await
    }
}
