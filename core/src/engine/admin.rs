//! Admin flows: products, stock, dashboard, reservation sweep, health.

use super::dashboard::{dashboard_stats, DashboardRequest, DashboardStats};
use super::{Engine, Principal};
use crate::catalog::Product;
use crate::error::Result;
use crate::inventory::reservation::Reservation;
use crate::inventory::stock::StockLevel;
use crate::page::PageRequest;
use crate::ports::{HealthStatus, OrderFilter, PortHealth};
use serde::{Deserialize, Serialize};

/// The health of the engine: the worst of its ports, and each port's own report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct EngineHealth {
    /// Worst status over all ports.
    pub status: HealthStatus,
    /// Every port's report.
    pub ports: Vec<PortHealth>,
}

impl Engine {
    /// Adds a product (admin). Invalid data is a `VALIDATION_ERROR`, a taken id a `CONFLICT`;
    /// nothing changes on error.
    pub async fn create_product(&self, actor: &Principal, product: Product) -> Result<Product> {
        self.authorize_all(actor, "products", "create")?;
        self.ports.catalog.create_product(product).await
    }

    /// Replaces a product (admin).
    pub async fn update_product(&self, actor: &Principal, product: Product) -> Result<Product> {
        self.authorize_all(actor, "products", "update")?;
        self.ports.catalog.update_product(product).await
    }

    /// Sets the units on hand of a SKU at a location (admin inventory update).
    pub async fn set_stock(
        &self,
        actor: &Principal,
        sku: &str,
        location_id: &str,
        on_hand: u64,
    ) -> Result<StockLevel> {
        self.authorize_all(actor, "inventory", "update")?;
        self.ports
            .inventory
            .set_on_hand(sku, location_id, on_hand)
            .await
    }

    /// Expires lapsed reservations (each exactly once) and returns them.
    pub async fn sweep_reservations(&self, actor: &Principal) -> Result<Vec<Reservation>> {
        self.authorize_all(actor, "inventory", "update")?;
        self.ports.inventory.sweep_expired(self.now()).await
    }

    /// Dashboard statistics (admin): revenue per day, orders by status, average order value,
    /// top products and the low-stock count.
    pub async fn dashboard(
        &self,
        actor: &Principal,
        req: &DashboardRequest,
    ) -> Result<DashboardStats> {
        self.authorize_all(actor, "reports", "read")?;
        let filter = OrderFilter {
            from: Some(req.from),
            to: Some(req.to),
            ..OrderFilter::default()
        };
        let mut orders = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 100,
        };
        loop {
            let p = self.ports.orders.list(&filter, page).await?;
            let more = p.pagination.has_next_page;
            orders.extend(p.items);
            if !more {
                break;
            }
            page.page += 1;
        }
        let stock = self.ports.inventory.all_stock().await?;
        dashboard_stats(req, &orders, &stock, self.config.low_stock_threshold)
    }

    /// The health of every port.
    pub async fn health(&self) -> EngineHealth {
        let p = &self.ports;
        let ports = vec![
            p.catalog.health().await,
            p.carts.health().await,
            p.orders.health().await,
            p.inventory.health().await,
            p.coupons.health().await,
            p.users.health().await,
            p.idempotency.health().await,
            p.gateway.health().await,
            p.events.health().await,
            p.supply.health().await,
            p.checkout.health().await,
        ];
        let status = if ports.iter().any(|h| h.status == HealthStatus::Down) {
            HealthStatus::Down
        } else if ports.iter().any(|h| h.status == HealthStatus::Degraded) {
            HealthStatus::Degraded
        } else {
            HealthStatus::Up
        };
        EngineHealth { status, ports }
    }
}
