//! The conformance suite over SQLite: every case on its own temporary database file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa_conformance::{OutboxProbe, Subject};
use kassa_sql::SqlOutbox;
use std::sync::Arc;

struct Probe(Arc<SqlOutbox>);

#[async_trait::async_trait]
impl OutboxProbe for Probe {
    async fn events(&self) -> kassa::Result<Vec<kassa::ports::OutboxEvent>> {
        self.0.all().await
    }
}

async fn make() -> Option<Subject> {
    let path =
        std::env::temp_dir().join(format!("kassa-test-{}.db", uuid::Uuid::new_v4().simple()));
    let store = kassa_sqlite::connect(path.to_str().unwrap()).await.unwrap();
    Some(Subject {
        name: "sqlite".into(),
        ports: store.ports(),
        billing: store.billing_ports(),
        outbox: Arc::new(Probe(store.outbox.clone())),
        tokens: store.tokens.clone(),
    })
}

kassa_conformance::conformance_tests!(make);
