//! Every transition of the subscription state machine, and every illegal one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kassa::billing::{next_status, Action, Subscription, SubscriptionStatus as S};
use kassa::ErrorCode;

/// The expected table, written out independently of `TRANSITIONS`.
const EXPECTED: &[(S, Action, S)] = &[
    (S::Trialing, Action::ConvertTrial, S::Active),
    (S::Trialing, Action::ExpireTrial, S::Expired),
    (S::Trialing, Action::FailPayment, S::PastDue),
    (S::Trialing, Action::ChangePlan, S::Trialing),
    (S::Trialing, Action::Cancel, S::Cancelled),
    (S::Trialing, Action::CancelAtPeriodEnd, S::Cancelled),
    (S::Active, Action::Renew, S::Active),
    (S::Active, Action::FailPayment, S::PastDue),
    (S::Active, Action::ChangePlan, S::Active),
    (S::Active, Action::Pause, S::Paused),
    (S::Active, Action::Cancel, S::Cancelled),
    (S::Active, Action::CancelAtPeriodEnd, S::Cancelled),
    (S::Active, Action::EndTerm, S::Expired),
    (S::PastDue, Action::RecoverPayment, S::Active),
    (S::PastDue, Action::DunningCancel, S::Cancelled),
    (S::PastDue, Action::DunningPause, S::Paused),
    (S::PastDue, Action::Cancel, S::Cancelled),
    (S::Paused, Action::Resume, S::Active),
    (S::Paused, Action::Cancel, S::Cancelled),
];

#[test]
fn every_legal_transition_leads_where_expected() {
    for (from, action, to) in EXPECTED {
        assert_eq!(
            next_status(*from, *action).unwrap(),
            *to,
            "{from} {action:?}"
        );
    }
    assert_eq!(kassa::billing::TRANSITIONS.len(), EXPECTED.len());
}

#[test]
fn every_other_pair_is_a_conflict_naming_state_and_action() {
    let mut illegal = 0;
    for from in S::ALL {
        for action in Action::ALL {
            if EXPECTED.iter().any(|(f, a, _)| *f == from && *a == action) {
                continue;
            }
            illegal += 1;
            let err = next_status(from, action).unwrap_err();
            assert_eq!(err.code, ErrorCode::Conflict);
            assert_eq!(err.meta["machine"], "subscription");
            assert_eq!(err.meta["current"], from.as_str());
            assert_eq!(err.meta["attempted"], action.as_str());
        }
    }
    assert_eq!(illegal, 6 * 13 - EXPECTED.len());
}

#[test]
fn cancelled_and_expired_are_terminal() {
    for s in S::ALL {
        let terminal = matches!(s, S::Cancelled | S::Expired);
        assert_eq!(s.is_terminal(), terminal, "{s}");
    }
    let err = next_status(S::Cancelled, Action::Resume).unwrap_err();
    assert!(err.message.contains("terminal"), "{}", err.message);
}

fn sample(status: S) -> Subscription {
    serde_json::from_value(serde_json::json!({
        "id": "s1", "customerId": "c1",
        "plan": {"id": "p", "price": {"amount": "10.00", "currency": "EUR"}, "interval": "month"},
        "quantity": 1, "status": status,
        "schedule": {"anchor": "2026-01-31T10:00:00Z", "interval": "month"},
        "currentPeriod": {"index": 0, "start": "2026-01-31T10:00:00Z", "end": "2026-02-28T10:00:00Z"},
        "creditBalance": {"amount": "0.00", "currency": "EUR"},
        "createdAt": "2026-01-31T10:00:00Z"
    }))
    .unwrap()
}

#[test]
fn apply_records_actor_reason_and_time_and_refuses_illegal_moves() {
    let t = chrono::DateTime::parse_from_rfc3339("2026-02-10T08:00:00Z")
        .unwrap()
        .to_utc();
    let mut s = sample(S::Active);
    s.apply(Action::Pause, "u1", t, "holiday").unwrap();
    assert_eq!(s.status, S::Paused);
    let h = s.history.last().unwrap();
    assert_eq!(
        (h.from, h.to, h.action),
        (S::Active, S::Paused, Action::Pause)
    );
    assert_eq!(
        (h.actor.as_str(), h.reason.as_str(), h.at),
        ("u1", "holiday", t)
    );
    let before = s.clone();
    let err = s.apply(Action::Renew, "u1", t, "x").unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(s, before, "a refused transition changes nothing");
}
