//! `open_host_json`, the call behind the bindings' `Engine.open(url)`: the setup's catalog,
//! rules and stock are loaded into a fresh database only (a second open with another setup
//! changes nothing), the engine answers JSON operations over the SQL stores with identity
//! flows on the OS random source, and URLs, options and setups are checked with the field
//! named. SQLite only (a temporary file); the bindings' tests run PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use kassa::ErrorCode;
use kassa_sql::open_host_json;
use serde_json::{json, Value};

fn temp_sqlite() -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "kassa-open-host-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    (format!("sqlite://{}", path.display()), path)
}

fn setup(on_hand: u64) -> String {
    json!({
        "catalog": {"products": [{
            "id": "p-a", "name": "Mug", "slug": "mug", "createdAt": "2026-01-01T00:00:00Z",
            "variants": [{"sku": "SKU-A", "prices": [{"amount": {"amount": "10.00", "currency": "USD"}}]}]
        }]},
        "stock": [{"sku": "SKU-A", "onHand": on_hand}],
        "auth": {"issuer": "t", "audience": "t", "hs256Secret": "0123456789abcdef0123456789abcdef",
                 "config": {"argon2": {"memoryKib": 1024, "iterations": 1, "parallelism": 1}}}
    })
    .to_string()
}

async fn call(host: &kassa::host::EngineHost, op: &str, input: Value) -> Value {
    serde_json::from_str(&host.call_str(op, &input.to_string()).await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_setup_is_loaded_into_a_fresh_database_only() {
    let (url, path) = temp_sqlite();
    let first = open_host_json(&url, &setup(7), "{}", None).await.unwrap();
    let stock = call(&first.host, "inventory.availability", json!({})).await;
    assert_eq!(stock, json!({"SKU-A": 7}));
    let user = json!({"email": "ada@example.com", "password": "correct horse battery staple"});
    call(&first.host, "auth.register", user.clone()).await;
    first.store.close().await;

    // Another setup on the same file: the database is the source of truth now.
    let second = open_host_json(&url, &setup(99), "", None).await.unwrap();
    let stock = call(&second.host, "inventory.availability", json!({})).await;
    assert_eq!(stock, json!({"SKU-A": 7}));
    let login = json!({"email": "ada@example.com", "password": "correct horse battery staple", "clientAddress": "10.0.0.1"});
    let session = call(&second.host, "auth.login", login).await;
    assert!(session["tokens"]["accessToken"].is_string());
    // memory.* needs the in-memory ports.
    let err = second.host.call_str("memory.now", "{}").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    second.store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn an_empty_setup_leaves_the_database_fresh() {
    let opened = open_host_json("sqlite::memory:", "{}", "{}", None)
        .await
        .unwrap();
    let stock = call(&opened.host, "inventory.availability", json!({})).await;
    assert_eq!(stock, json!({}));
    // Nothing was loaded, so the catalog row is still at its first version.
    assert!(opened
        .store
        .catalog
        .seed_if_fresh(Default::default(), Default::default())
        .await
        .unwrap());
    assert!(!opened
        .store
        .catalog
        .seed_if_fresh(Default::default(), Default::default())
        .await
        .unwrap());
}

#[tokio::test]
async fn urls_options_and_setups_are_checked_with_the_field_named() {
    let cases = [
        ("mysql://x/y", "{}", "{}", "url"),
        (
            "sqlite::memory:",
            "{}",
            r#"{"maxConnections": 0}"#,
            "maxConnections",
        ),
        (
            "sqlite::memory:",
            "{}",
            r#"{"acquireTimeoutSeconds": 0}"#,
            "acquireTimeoutSeconds",
        ),
        ("sqlite::memory:", "{}", r#"{"poolSize": 3}"#, "poolSize"),
        ("sqlite::memory:", "{}", "[", "options"),
        (
            "sqlite::memory:",
            r#"{"stock": [{"sku": "", "onHand": 1}]}"#,
            "{}",
            "stock[0].sku",
        ),
        ("sqlite::memory:", r#"{"seed": 3}"#, "{}", "seed"),
        ("sqlite::memory:", "nope", "{}", "setup"),
    ];
    for (url, setup, options, field) in cases {
        let err = open_host_json(url, setup, options, None).await.unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::ValidationError,
            "{url} {setup} {options}: {err:?}"
        );
        assert!(
            err.details.iter().any(|d| d.field == field),
            "{url} {setup} {options}: {err:?}"
        );
    }
    let options = r#"{"acquireTimeoutSeconds": 0.3}"#;
    let err = open_host_json("postgres://postgres@127.0.0.1:1/test", "{}", options, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unavailable, "{err:?}");
}
