//! Every in-memory port wired together: the embedded default setup.

use super::{
    CollectingSink, ManualClock, MemoryCarts, MemoryCatalog, MemoryCoupons, MemoryIdempotency,
    MemoryInventory, MemoryOrders, MemoryRateLimitStore, MemorySubscriptions, MemoryTokenStore,
    MemoryUsers, SandboxGateway, SeededRandom, SequentialIds,
};
use crate::catalog::Catalog;
use crate::engine::Ports;
use crate::engine::{AuthPorts, BillingPorts};
use crate::ports::{Clock, IdGenerator, PricingRules};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The in-memory ports with their concrete types kept, so tests and examples can reach
/// sandbox controls (settle a timed-out charge, read the outbox, move the clock).
#[derive(Clone)]
pub struct InMemory {
    /// Catalog and pricing rules.
    pub catalog: Arc<MemoryCatalog>,
    /// Carts.
    pub carts: Arc<MemoryCarts>,
    /// Orders.
    pub orders: Arc<MemoryOrders>,
    /// Stock and reservations.
    pub inventory: Arc<MemoryInventory>,
    /// Coupon redemptions.
    pub coupons: Arc<MemoryCoupons>,
    /// Users and tokens.
    pub users: Arc<MemoryUsers>,
    /// Idempotency records.
    pub idempotency: Arc<MemoryIdempotency>,
    /// Sandbox gateway.
    pub gateway: Arc<SandboxGateway>,
    /// Collecting outbox.
    pub events: Arc<CollectingSink>,
    /// Manual clock.
    pub clock: Arc<ManualClock>,
    /// Sequential ids.
    pub ids: Arc<SequentialIds>,
    /// Refresh-token families and one-time tokens (identity flows).
    pub tokens: Arc<MemoryTokenStore>,
    /// Rate-limit state (identity flows).
    pub rate_limits: Arc<MemoryRateLimitStore>,
    /// Suppliers, reorder rules, purchase orders and shipments.
    pub supply: Arc<super::MemorySupply>,
    /// Deterministic randomness (seed 0; replace with [`InMemory::with_seed`]). Tests and
    /// examples only: production hosts pass an OS CSPRNG-backed `RandomSource`.
    pub random: Arc<SeededRandom>,
    /// Subscriptions with their invoices (billing flows).
    pub subscriptions: Arc<MemorySubscriptions>,
}

impl InMemory {
    /// Fresh in-memory ports over a catalog, with the clock at `start`.
    pub fn new(catalog: Catalog, rules: PricingRules, start: DateTime<Utc>) -> Self {
        InMemory {
            catalog: Arc::new(MemoryCatalog::new(catalog, rules)),
            carts: Arc::new(MemoryCarts::new()),
            orders: Arc::new(MemoryOrders::new()),
            inventory: Arc::new(MemoryInventory::new()),
            coupons: Arc::new(MemoryCoupons::new()),
            users: Arc::new(MemoryUsers::new()),
            idempotency: Arc::new(MemoryIdempotency::default()),
            gateway: Arc::new(SandboxGateway::new()),
            events: Arc::new(CollectingSink::new()),
            clock: Arc::new(ManualClock::new(start)),
            ids: Arc::new(SequentialIds::new()),
            tokens: Arc::new(MemoryTokenStore::new()),
            rate_limits: Arc::new(MemoryRateLimitStore::new()),
            random: Arc::new(SeededRandom::new(0)),
            subscriptions: Arc::new(MemorySubscriptions::new()),
            supply: Arc::new(super::MemorySupply::new()),
        }
    }

    /// The same ports with the randomness seeded by `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.random = Arc::new(SeededRandom::new(seed));
        self
    }

    /// The identity ports as trait objects, for [`crate::engine::Auth::new`].
    pub fn auth_ports(&self) -> AuthPorts {
        AuthPorts {
            tokens: self.tokens.clone(),
            rate_limits: self.rate_limits.clone(),
            random: self.random.clone(),
        }
    }

    /// The billing ports as trait objects, for [`crate::engine::Billing::new`].
    pub fn billing_ports(&self) -> BillingPorts {
        BillingPorts {
            subscriptions: self.subscriptions.clone(),
        }
    }

    /// The ports as trait objects, for [`crate::engine::Engine::new`].
    pub fn ports(&self) -> Ports {
        self.ports_with(self.users.clone(), self.supply.clone())
    }

    /// [`InMemory::ports`] with other user and supply stores (a host built without the
    /// identity or supply flows passes [`crate::ports::NoUsers`] or
    /// [`crate::ports::NoSupply`], so the in-memory store's methods are not kept by its trait
    /// object in a wasm module).
    pub fn ports_with(
        &self,
        users: Arc<dyn crate::ports::UserStore>,
        supply: Arc<dyn crate::ports::SupplyStore>,
    ) -> Ports {
        let clock: Arc<dyn Clock> = self.clock.clone();
        let ids: Arc<dyn IdGenerator> = self.ids.clone();
        Ports {
            catalog: self.catalog.clone(),
            carts: self.carts.clone(),
            orders: self.orders.clone(),
            inventory: self.inventory.clone(),
            coupons: self.coupons.clone(),
            users,
            idempotency: self.idempotency.clone(),
            gateway: self.gateway.clone(),
            events: self.events.clone(),
            supply,
            checkout: Arc::new(crate::ports::ComposedCheckout),
            clock,
            ids,
        }
    }
}
