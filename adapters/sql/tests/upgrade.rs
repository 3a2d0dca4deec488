//! Upgrading a database migrated by an older build: a database at migration 3 (before the
//! identity token store) opens with this build, gets every newer migration, and keeps its
//! rows; a database at migration 4 with refresh families written before the expiry column
//! gets the column filled from the stored records, so purging finds those families.
//! SQLite always runs (a temporary file); PostgreSQL runs in a fresh schema when
//! `KASSA_TEST_POSTGRES_URL` is set and is skipped with a printed reason otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use chrono::{Duration, TimeZone, Utc};
use kassa::identity::{PurgedTokens, RefreshFamily, RotationOutcome, TokenStore};
use kassa_sql::{Db, Dialect, OpenOptions, MIGRATIONS};
use sqlx::Row;

const SUPPLIER: &str = r#"{"id":"sup-1","name":"Old Supplier"}"#;

/// Brings `db` to migration `upto` the way the build of that time did: the statements of
/// migrations 1..=upto, each recorded in `kassa_migrations`.
async fn migrate_to(db: &Db, upto: i64) {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS kassa_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    for m in MIGRATIONS.iter().filter(|m| m.version <= upto) {
        let statements = match db.dialect() {
            Dialect::Postgres => m.postgres,
            Dialect::Sqlite => m.sqlite,
        };
        for s in statements {
            sqlx::query(s).execute(db.pool()).await.unwrap();
        }
        sqlx::query("INSERT INTO kassa_migrations (version, name) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.name)
            .execute(db.pool())
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO kassa_suppliers (id, data) VALUES ($1, $2)")
        .bind("sup-1")
        .bind(SUPPLIER)
        .execute(db.pool())
        .await
        .unwrap();
}

/// Opens the migration-3 database at `url` with this build and checks the upgrade.
async fn upgrade_from_3(url: &str, options: OpenOptions) {
    assert!(
        MIGRATIONS.iter().any(|m| m.version >= 4),
        "this test upgrades past migration 4"
    );
    let old = Db::connect(url, options.clone()).await.unwrap();
    migrate_to(&old, 3).await;
    let tables = "SELECT count(*) FROM kassa_refresh_families";
    assert!(
        sqlx::query(tables).fetch_one(old.pool()).await.is_err(),
        "no token tables before migration 4"
    );
    old.pool().close().await;

    let store = kassa_sql::open_with(url, options.clone()).await.unwrap();
    let known: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(store.applied_migrations().await.unwrap(), known);
    assert!(known.contains(&4) && known.contains(&5), "{known:?}");

    let row = sqlx::query("SELECT id, data FROM kassa_suppliers")
        .fetch_all(store.db.pool())
        .await
        .unwrap();
    assert_eq!(row.len(), 1, "the old row is intact");
    assert_eq!(row[0].try_get::<String, _>(0).unwrap(), "sup-1");
    assert_eq!(row[0].try_get::<String, _>(1).unwrap(), SUPPLIER);

    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let ttl = Duration::hours(1);
    let family = RefreshFamily::start("f1", "u1", "j1", t0, ttl);
    store.tokens.create_family(family.clone()).await.unwrap();
    assert_eq!(
        store
            .tokens
            .rotate_refresh("f1", "u1", "j1", "j2", t0, ttl)
            .await
            .unwrap(),
        RotationOutcome::Rotated
    );
    store.close().await;

    // Opening again changes nothing.
    let again = kassa_sql::open_with(url, options).await.unwrap();
    assert_eq!(again.applied_migrations().await.unwrap(), known);
    let f1 = again.tokens.get_family("f1").await.unwrap().unwrap();
    assert_eq!(f1.current_jti, "j2");
    again.close().await;
}

/// A family written by the migration-4 build (no expiry column), then opened with this
/// build: migration 5 fills the expiry from the stored record, and `purge_expired` keeps the
/// family before that time and deletes it after.
async fn upgrade_from_4(url: &str, options: OpenOptions) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    // sub-second expiry: the SQLite fill rounds up to the next whole second
    let expires = t0 + Duration::hours(1) + Duration::milliseconds(250);
    let mut family = RefreshFamily::start("old", "u1", "j1", t0, Duration::hours(1));
    family.expires_at = expires;
    let old = Db::connect(url, options.clone()).await.unwrap();
    migrate_to(&old, 4).await;
    sqlx::query(
        "INSERT INTO kassa_refresh_families (id, user_id, active, version, data) \
         VALUES ($1, $2, 1, 1, $3)",
    )
    .bind("old")
    .bind("u1")
    .bind(serde_json::to_string(&family).unwrap())
    .execute(old.pool())
    .await
    .unwrap();
    old.pool().close().await;

    let store = kassa_sql::open_with(url, options).await.unwrap();
    let stored: i64 =
        sqlx::query("SELECT expires_at_ns FROM kassa_refresh_families WHERE id = 'old'")
            .fetch_one(store.db.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
    let exact = expires.timestamp_nanos_opt().unwrap();
    assert!(
        (exact..=exact + 1_000_000_000).contains(&stored),
        "filled expiry {stored} is not within a second after {exact}"
    );
    let none = PurgedTokens::default();
    assert_eq!(store.tokens.purge_expired(expires).await.unwrap(), none);
    assert!(store.tokens.get_family("old").await.unwrap().is_some());
    assert_eq!(
        store
            .tokens
            .purge_expired(expires + Duration::seconds(2))
            .await
            .unwrap(),
        PurgedTokens {
            families: 1,
            one_time: 0
        }
    );
    assert!(store.tokens.get_family("old").await.unwrap().is_none());
    store.close().await;
}

fn temp_sqlite() -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "kassa-upgrade-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    (format!("sqlite://{}", path.display()), path)
}

fn remove_sqlite(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn a_sqlite_database_at_migration_3_upgrades() {
    let (url, path) = temp_sqlite();
    upgrade_from_3(&url, OpenOptions::default()).await;
    remove_sqlite(&path);
}

#[tokio::test]
async fn a_sqlite_database_at_migration_4_gets_family_expiries() {
    let (url, path) = temp_sqlite();
    upgrade_from_4(&url, OpenOptions::default()).await;
    remove_sqlite(&path);
}

/// The server's URL and a fresh schema, or `None` (printed) when no server is configured.
fn postgres() -> Option<(String, OpenOptions)> {
    let url = match std::env::var("KASSA_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            println!("skipped postgres upgrade: KASSA_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)");
            return None;
        }
    };
    let options = OpenOptions {
        schema: Some(format!("kassa_t_{}", uuid::Uuid::new_v4().simple())),
        max_connections: 2,
        ..OpenOptions::default()
    };
    Some((url, options))
}

#[tokio::test]
async fn a_postgres_schema_at_migration_3_upgrades() {
    let Some((url, options)) = postgres() else {
        return;
    };
    upgrade_from_3(&url, options).await;
}

#[tokio::test]
async fn a_postgres_schema_at_migration_4_gets_family_expiries() {
    let Some((url, options)) = postgres() else {
        return;
    };
    upgrade_from_4(&url, options).await;
}
