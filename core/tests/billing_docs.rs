//! `docs/billing.md` is generated from the transition table and computed examples; this
//! test fails when it is stale. Rewrite it with
//! `KASSA_UPDATE_DOCS=1 cargo test -p kassa --test billing_docs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

#[test]
fn billing_doc_matches_transition_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/billing.md");
    let generated = kassa::billing::billing_doc();
    for row in kassa::billing::TRANSITIONS {
        let edge = format!(
            "{} --> {} : {}",
            row.from.as_str(),
            row.to.as_str(),
            row.action.as_str()
        );
        assert!(generated.contains(&edge), "missing {edge}");
    }
    if std::env::var("KASSA_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/billing.md is out of date with core/src/billing; run \
         `KASSA_UPDATE_DOCS=1 cargo test -p kassa --test billing_docs` to regenerate it"
    );
}
