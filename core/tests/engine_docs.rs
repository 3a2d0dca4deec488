//! `docs/orders.md` is generated from the transition tables; this test fails when they
//! disagree. Rewrite the doc with `KASSA_UPDATE_DOCS=1 cargo test -p kassa --test engine_docs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

#[test]
fn orders_doc_matches_transition_tables() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/orders.md");
    let generated = kassa::order::orders_doc();
    if std::env::var("KASSA_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/orders.md is out of date with the transition tables in core/src/order/machine.rs; \
         run `KASSA_UPDATE_DOCS=1 cargo test -p kassa --test engine_docs` to regenerate it"
    );
}
