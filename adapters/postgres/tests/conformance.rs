//! The conformance suite over PostgreSQL: every case in its own schema. Skipped (with a
//! printed reason) when `KASSA_TEST_POSTGRES_URL` is unset.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use kassa_conformance::{OutboxProbe, Subject};
use kassa_postgres::SqlOutbox;
use std::sync::Arc;

struct Probe(Arc<SqlOutbox>);

#[async_trait::async_trait]
impl OutboxProbe for Probe {
    async fn events(&self) -> kassa::Result<Vec<kassa::ports::OutboxEvent>> {
        self.0.all().await
    }
}

async fn make() -> Option<Subject> {
    let url = common::pg_url("postgres conformance case")?;
    let (store, _schema) = common::fresh_store(&url, 4).await;
    Some(Subject {
        name: "postgres".into(),
        ports: store.ports(),
        billing: store.billing_ports(),
        outbox: Arc::new(Probe(store.outbox.clone())),
        tokens: store.tokens.clone(),
    })
}

kassa_conformance::conformance_tests!(make);
