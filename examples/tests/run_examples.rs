//! The examples are part of the test suite: each binary runs to the end on the embedded
//! defaults, exits 0 and prints the milestones its walkthrough promises.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn run(exe: &str, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{exe} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn storefront_runs_every_act() {
    let out = run(env!("CARGO_BIN_EXE_storefront"), &[]);
    for milestone in [
        "1. Browse",
        "approved: KS-000001 total 106.92 EUR",
        "same idempotency key again → same order KS-000001 (gateway charges: 1)",
        "4. Bob's card is declined",
        "9. Supply chain",
        "10. Health",
        "11. Subscriptions",
        "gateway: 3 charges for 3 invoices",
    ] {
        assert!(out.contains(milestone), "missing {milestone:?} in:\n{out}");
    }
}

#[test]
fn energy_runs_to_the_selection() {
    let svg = std::env::temp_dir().join(format!("kassa-energy-{}.svg", std::process::id()));
    let out = run(
        env!("CARGO_BIN_EXE_energy"),
        &["--svg", svg.to_str().unwrap()],
    );
    let drawn = std::fs::read_to_string(&svg).unwrap();
    let _ = std::fs::remove_file(&svg);
    assert!(drawn.contains("<svg"), "no SVG written");
    for milestone in [
        "Ledoit-Wolf shrinkage",
        "frontier: ",
        "VaR95",
        "scenario (gas +30%",
        "QUBO selection",
        "(same as exact: true)",
    ] {
        assert!(out.contains(milestone), "missing {milestone:?} in:\n{out}");
    }
}
