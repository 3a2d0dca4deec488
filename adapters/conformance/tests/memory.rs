//! The conformance suite over the in-memory ports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{TimeZone, Utc};
use kassa::catalog::{Catalog, CatalogData};
use kassa::memory::InMemory;
use kassa::ports::PricingRules;
use kassa_conformance::Subject;

async fn make() -> Option<Subject> {
    let mem = InMemory::new(
        Catalog::new(CatalogData::default()).unwrap(),
        PricingRules::default(),
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    );
    Some(Subject {
        name: "memory".into(),
        ports: mem.ports(),
        billing: mem.billing_ports(),
        outbox: mem.events.clone(),
        tokens: mem.tokens.clone(),
    })
}

kassa_conformance::conformance_tests!(make);
