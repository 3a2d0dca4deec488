//! Shared helpers of the PostgreSQL tests: the server URL (or a printed skip) and a fresh
//! schema per test, so runs and cases never collide.
#![allow(dead_code, clippy::print_stdout)]

use kassa_postgres::{OpenOptions, SqlStore};

/// `KASSA_TEST_POSTGRES_URL`, or `None` after printing why the test is skipped.
pub fn pg_url(test: &str) -> Option<String> {
    match std::env::var("KASSA_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            println!("skipped {test}: KASSA_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)");
            None
        }
    }
}

/// A schema name unique to this test run and case.
pub fn fresh_schema() -> String {
    format!("kassa_t_{}", uuid::Uuid::new_v4().simple())
}

/// A migrated store in a fresh schema.
pub async fn fresh_store(url: &str, pool: u32) -> (SqlStore, String) {
    let schema = fresh_schema();
    let store = kassa_postgres::connect_with(
        url,
        OpenOptions {
            schema: Some(schema.clone()),
            max_connections: pool,
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    (store, schema)
}
