//! One conformance suite for Kassa's storage ports (behaviour, atomicity under concurrency,
//! ordering, errors). The in-memory ports, SQLite and PostgreSQL all run the same cases.
//!
//! A store crate provides an async factory returning a fresh [`Subject`] (or `None`, after
//! printing why, to skip: e.g. no `KASSA_TEST_POSTGRES_URL`) and expands
//! [`conformance_tests!`] in an integration test file, which turns every case of [`cases`]
//! into a `#[tokio::test]`:
//!
//! ```ignore
//! async fn make() -> Option<kassa_conformance::Subject> { /* fresh schema / temp file */ }
//! kassa_conformance::conformance_tests!(make);
//! ```
//!
//! This crate is test support: its cases assert (and so may panic), unlike library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod cases;

use kassa::engine::{BillingPorts, Ports};
use kassa::identity::TokenStore;
use kassa::memory::CollectingSink;
use kassa::ports::OutboxEvent;
use kassa::Result;
use std::sync::Arc;

/// Reads back what reached the outbox (the suite checks that order writes and their events
/// are stored together).
#[async_trait::async_trait]
pub trait OutboxProbe: Send + Sync {
    /// Every event stored so far (delivered or not), oldest first.
    async fn events(&self) -> Result<Vec<OutboxEvent>>;
}

#[async_trait::async_trait]
impl OutboxProbe for CollectingSink {
    async fn events(&self) -> Result<Vec<OutboxEvent>> {
        Ok(CollectingSink::events(self))
    }
}

/// The ports under test, fresh (empty stores, an empty catalog).
pub struct Subject {
    /// Which implementation (for messages).
    pub name: String,
    /// The ports (the supply store is `ports.supply`).
    pub ports: Ports,
    /// The billing ports (the subscription store), over the same storage as `ports`.
    pub billing: BillingPorts,
    /// The outbox behind `ports.events` (and behind order writes).
    pub outbox: Arc<dyn OutboxProbe>,
    /// The identity flows' token store (`AuthPorts::tokens`), over the same storage.
    pub tokens: Arc<dyn TokenStore>,
}

/// Expands to one `#[tokio::test]` per conformance case, each with a fresh subject from
/// `$make` (an `async fn() -> Option<Subject>`; `None` skips the case).
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::__conformance_cases!($make;
            carts_compare_and_set
            catalog_products_and_rules
            orders_insert_get_and_list
            orders_compare_and_set
            orders_events_are_atomic_with_the_write
            order_numbers_never_repeat
            inventory_levels
            inventory_adjustment_batches
            inventory_reservation_lifecycle
            inventory_reserve_is_all_or_nothing
            inventory_concurrent_reserves_never_oversell
            inventory_expiry_and_sweep
            coupons_limits_and_undo
            coupons_concurrent_redemptions_respect_the_limit
            users_unique_email_and_versions
            tokens_consume_once_and_revoke
            idempotency_claims
            idempotency_concurrent_begin_has_one_winner
            events_publish_is_idempotent
            supply_suppliers_and_reorder_rules
            supply_purchase_orders_compare_and_set
            supply_purchase_orders_open_only
            supply_shipments_compare_and_set_and_by_order
            supply_concurrent_compare_and_set_has_one_winner
            subscriptions_insert_get_and_compare_and_set
            subscriptions_due_ordering_and_limit
            subscriptions_for_customer
            subscriptions_concurrent_compare_and_set_has_one_winner
            identity_families_create_rotate_and_reuse
            identity_families_revoke
            identity_one_time_tokens
            identity_purge_expired
            identity_concurrent_rotation_and_redemption
            every_port_reports_health
            engine_checkout_end_to_end
            checkout_place_is_all_or_nothing
            checkout_settle_is_one_step
            checkout_place_claims_the_key
            engine_keyed_checkouts
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($make:path; $($case:ident)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(subject) = $make().await else { return };
                $crate::cases::$case(&subject).await;
            }
        )*
    };
}
