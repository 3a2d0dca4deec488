//! The three state machines of an order as explicit transition tables (data, not `match` arms).
//!
//! Each machine is an enum implementing [`StateMachine`]: its states, its initial state and a
//! table of [`Transition`]s, each with a named [`Guard`] evaluated against [`GuardFacts`] (the
//! amounts and unit counts of the order *after* the change). A state without an outgoing
//! transition is terminal. `docs/orders.md` is generated from these tables
//! ([`mermaid_diagram`]).

use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which of the three machines a state or a history entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum Machine {
    /// The order's life: pending, confirmed, completed, cancelled.
    Order,
    /// The money: authorization, capture, refunds.
    Payment,
    /// The goods: shipping, delivery, returns.
    Fulfillment,
}

impl Machine {
    /// The stable name (`"order"`, `"payment"`, `"fulfillment"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Machine::Order => "order",
            Machine::Payment => "payment",
            Machine::Fulfillment => "fulfillment",
        }
    }
}

/// A named condition a transition requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    /// No condition.
    Always,
    /// The payment is authorized or (partially) captured.
    PaymentSecured,
    /// No unit has been shipped yet.
    NothingShipped,
    /// Every unit has been delivered.
    AllDelivered,
    /// Something was authorized.
    AmountAuthorized,
    /// Nothing has been captured (a void releases the whole authorization).
    NothingCaptured,
    /// `0 < captured < authorized`.
    PartlyCaptured,
    /// `captured == authorized > 0`.
    FullyCaptured,
    /// `0 < refunded < captured`.
    PartlyRefunded,
    /// `refunded == captured > 0`.
    FullyRefunded,
    /// Some but not all units shipped.
    PartlyShipped,
    /// Every unit shipped.
    AllShipped,
    /// Some but not all units delivered.
    PartlyDelivered,
    /// Some units were returned.
    AnyReturned,
}

impl Guard {
    /// The label used in errors and diagrams.
    pub const fn as_str(self) -> &'static str {
        match self {
            Guard::Always => "always",
            Guard::PaymentSecured => "payment secured",
            Guard::NothingShipped => "nothing shipped",
            Guard::AllDelivered => "all delivered",
            Guard::AmountAuthorized => "amount authorized",
            Guard::NothingCaptured => "nothing captured",
            Guard::PartlyCaptured => "partly captured",
            Guard::FullyCaptured => "fully captured",
            Guard::PartlyRefunded => "partly refunded",
            Guard::FullyRefunded => "fully refunded",
            Guard::PartlyShipped => "some units shipped",
            Guard::AllShipped => "all units shipped",
            Guard::PartlyDelivered => "some units delivered",
            Guard::AnyReturned => "units returned",
        }
    }

    /// Every guard, in declaration order.
    pub const ALL: [Guard; 14] = [
        Guard::Always,
        Guard::PaymentSecured,
        Guard::NothingShipped,
        Guard::AllDelivered,
        Guard::AmountAuthorized,
        Guard::NothingCaptured,
        Guard::PartlyCaptured,
        Guard::FullyCaptured,
        Guard::PartlyRefunded,
        Guard::FullyRefunded,
        Guard::PartlyShipped,
        Guard::AllShipped,
        Guard::PartlyDelivered,
        Guard::AnyReturned,
    ];

    /// The exact condition, for the docs.
    pub const fn condition(self) -> &'static str {
        match self {
            Guard::Always => "no condition",
            Guard::PaymentSecured => "payment is authorized, partially captured or captured",
            Guard::NothingShipped => "no unit has shipped",
            Guard::AllDelivered => "every unit ordered is delivered",
            Guard::AmountAuthorized => "authorized > 0",
            Guard::NothingCaptured => "captured = 0",
            Guard::PartlyCaptured => "0 < captured < authorized",
            Guard::FullyCaptured => "captured = authorized > 0",
            Guard::PartlyRefunded => "0 < refunded < captured",
            Guard::FullyRefunded => "refunded = captured > 0",
            Guard::PartlyShipped => "0 < units shipped < units ordered",
            Guard::AllShipped => "units shipped = units ordered",
            Guard::PartlyDelivered => "0 < units delivered < units ordered",
            Guard::AnyReturned => "units returned > 0",
        }
    }

    /// Whether the guard holds for these facts.
    pub fn holds(self, f: &GuardFacts) -> bool {
        match self {
            Guard::Always => true,
            Guard::PaymentSecured => matches!(
                f.payment,
                PaymentStatus::Authorized
                    | PaymentStatus::PartiallyCaptured
                    | PaymentStatus::Captured
            ),
            Guard::NothingShipped => f.units_shipped == 0,
            Guard::AllDelivered => f.units_total > 0 && f.units_delivered >= f.units_total,
            Guard::AmountAuthorized => f.authorized > 0,
            Guard::NothingCaptured => f.captured == 0,
            Guard::PartlyCaptured => f.captured > 0 && f.captured < f.authorized,
            Guard::FullyCaptured => f.captured > 0 && f.captured == f.authorized,
            Guard::PartlyRefunded => f.refunded > 0 && f.refunded < f.captured,
            Guard::FullyRefunded => f.refunded > 0 && f.refunded == f.captured,
            Guard::PartlyShipped => f.units_shipped > 0 && f.units_shipped < f.units_total,
            Guard::AllShipped => f.units_total > 0 && f.units_shipped >= f.units_total,
            Guard::PartlyDelivered => f.units_delivered > 0 && f.units_delivered < f.units_total,
            Guard::AnyReturned => f.units_returned > 0,
        }
    }
}

/// What the guards look at: the order's amounts (in minor units) and unit counts, as they
/// would be after the change being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuardFacts {
    /// Current payment status.
    pub payment: PaymentStatus,
    /// Authorized amount, minor units.
    pub authorized: i128,
    /// Captured amount, minor units.
    pub captured: i128,
    /// Refunded amount, minor units.
    pub refunded: i128,
    /// Units ordered over all lines.
    pub units_total: u64,
    /// Units shipped.
    pub units_shipped: u64,
    /// Units delivered.
    pub units_delivered: u64,
    /// Units returned.
    pub units_returned: u64,
}

/// One row of a transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S: 'static> {
    /// State before.
    pub from: S,
    /// State after.
    pub to: S,
    /// Condition that must hold.
    pub guard: Guard,
}

const fn t<S>(from: S, to: S, guard: Guard) -> Transition<S> {
    Transition { from, to, guard }
}

/// A state machine given by a transition table.
pub trait StateMachine: Copy + Eq + fmt::Debug + Sized + 'static {
    /// Which machine this is.
    const MACHINE: Machine;
    /// Every state, in display order.
    const STATES: &'static [Self];
    /// The state a new order starts in.
    const INITIAL: Self;
    /// The transition table.
    const TABLE: &'static [Transition<Self>];

    /// The stable `snake_case` name of a state.
    fn name(self) -> &'static str;

    /// Whether no transition leaves this state.
    fn is_terminal(self) -> bool {
        !Self::TABLE.iter().any(|r| r.from == self)
    }

    /// Checks that `from → to` is in the table and that one of its guards holds.
    ///
    /// Errors are `CONFLICT` with `meta` `{machine, current, attempted}` (and `guard` when
    /// the transition exists but its guard fails).
    fn check(from: Self, to: Self, facts: &GuardFacts) -> Result<()> {
        let mut failed_guard = None;
        for rule in Self::TABLE.iter().filter(|r| r.from == from && r.to == to) {
            if rule.guard.holds(facts) {
                return Ok(());
            }
            failed_guard = Some(rule.guard);
        }
        let machine = Self::MACHINE.as_str();
        let (current, attempted) = (from.name(), to.name());
        let err = match failed_guard {
            Some(guard) => KassaError::conflict(format!(
                "{machine} status cannot change from '{current}' to '{attempted}': requires {}",
                guard.as_str()
            ))
            .with_meta("guard", guard.as_str()),
            None if from.is_terminal() => KassaError::conflict(format!(
                "{machine} status '{current}' is terminal; cannot change to '{attempted}'"
            )),
            None => KassaError::conflict(format!(
                "illegal {machine} transition from '{current}' to '{attempted}'"
            )),
        };
        Err(err
            .with_meta("machine", machine)
            .with_meta("current", current)
            .with_meta("attempted", attempted))
    }
}

/// The order's own status.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Created; payment not settled yet.
    #[default]
    Pending,
    /// Paid (authorized or captured); stock committed.
    Confirmed,
    /// Everything delivered (terminal).
    Completed,
    /// Cancelled before shipment, or payment failed (terminal).
    Cancelled,
}

impl StateMachine for OrderStatus {
    const MACHINE: Machine = Machine::Order;
    const STATES: &'static [Self] = &[
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
    ];
    const INITIAL: Self = OrderStatus::Pending;
    const TABLE: &'static [Transition<Self>] = &[
        t(
            OrderStatus::Pending,
            OrderStatus::Confirmed,
            Guard::PaymentSecured,
        ),
        t(
            OrderStatus::Pending,
            OrderStatus::Cancelled,
            Guard::NothingShipped,
        ),
        t(
            OrderStatus::Confirmed,
            OrderStatus::Completed,
            Guard::AllDelivered,
        ),
        t(
            OrderStatus::Confirmed,
            OrderStatus::Cancelled,
            Guard::NothingShipped,
        ),
    ];

    fn name(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// The payment's status.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Not settled: not attempted yet, or the gateway's answer is unknown.
    #[default]
    Pending,
    /// Funds held, nothing captured.
    Authorized,
    /// Part of the authorization captured.
    PartiallyCaptured,
    /// The whole authorization captured.
    Captured,
    /// Part of the captured amount refunded.
    PartiallyRefunded,
    /// The whole captured amount refunded (terminal).
    Refunded,
    /// Declined or errored (terminal).
    Failed,
    /// Authorization released without capture (terminal).
    Voided,
}

impl StateMachine for PaymentStatus {
    const MACHINE: Machine = Machine::Payment;
    const STATES: &'static [Self] = &[
        PaymentStatus::Pending,
        PaymentStatus::Authorized,
        PaymentStatus::PartiallyCaptured,
        PaymentStatus::Captured,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Failed,
        PaymentStatus::Voided,
    ];
    const INITIAL: Self = PaymentStatus::Pending;
    const TABLE: &'static [Transition<Self>] = &[
        t(
            PaymentStatus::Pending,
            PaymentStatus::Authorized,
            Guard::AmountAuthorized,
        ),
        t(
            PaymentStatus::Pending,
            PaymentStatus::Captured,
            Guard::FullyCaptured,
        ),
        t(PaymentStatus::Pending, PaymentStatus::Failed, Guard::Always),
        t(
            PaymentStatus::Pending,
            PaymentStatus::Voided,
            Guard::NothingCaptured,
        ),
        t(
            PaymentStatus::Authorized,
            PaymentStatus::PartiallyCaptured,
            Guard::PartlyCaptured,
        ),
        t(
            PaymentStatus::Authorized,
            PaymentStatus::Captured,
            Guard::FullyCaptured,
        ),
        t(
            PaymentStatus::Authorized,
            PaymentStatus::Voided,
            Guard::NothingCaptured,
        ),
        t(
            PaymentStatus::PartiallyCaptured,
            PaymentStatus::PartiallyCaptured,
            Guard::PartlyCaptured,
        ),
        t(
            PaymentStatus::PartiallyCaptured,
            PaymentStatus::Captured,
            Guard::FullyCaptured,
        ),
        t(
            PaymentStatus::PartiallyCaptured,
            PaymentStatus::PartiallyRefunded,
            Guard::PartlyRefunded,
        ),
        t(
            PaymentStatus::PartiallyCaptured,
            PaymentStatus::Refunded,
            Guard::FullyRefunded,
        ),
        t(
            PaymentStatus::Captured,
            PaymentStatus::PartiallyRefunded,
            Guard::PartlyRefunded,
        ),
        t(
            PaymentStatus::Captured,
            PaymentStatus::Refunded,
            Guard::FullyRefunded,
        ),
        t(
            PaymentStatus::PartiallyRefunded,
            PaymentStatus::PartiallyRefunded,
            Guard::PartlyRefunded,
        ),
        t(
            PaymentStatus::PartiallyRefunded,
            PaymentStatus::Refunded,
            Guard::FullyRefunded,
        ),
    ];

    fn name(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::PartiallyCaptured => "partially_captured",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Voided => "voided",
        }
    }
}

/// The goods' status.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum FulfillmentStatus {
    /// Nothing shipped.
    #[default]
    Unfulfilled,
    /// Some units shipped.
    PartiallyFulfilled,
    /// Every unit shipped.
    Fulfilled,
    /// Some units delivered.
    PartiallyDelivered,
    /// Every unit delivered.
    Delivered,
    /// Goods came back (terminal).
    Returned,
}

impl StateMachine for FulfillmentStatus {
    const MACHINE: Machine = Machine::Fulfillment;
    const STATES: &'static [Self] = &[
        FulfillmentStatus::Unfulfilled,
        FulfillmentStatus::PartiallyFulfilled,
        FulfillmentStatus::Fulfilled,
        FulfillmentStatus::PartiallyDelivered,
        FulfillmentStatus::Delivered,
        FulfillmentStatus::Returned,
    ];
    const INITIAL: Self = FulfillmentStatus::Unfulfilled;
    const TABLE: &'static [Transition<Self>] = &[
        t(
            FulfillmentStatus::Unfulfilled,
            FulfillmentStatus::PartiallyFulfilled,
            Guard::PartlyShipped,
        ),
        t(
            FulfillmentStatus::Unfulfilled,
            FulfillmentStatus::Fulfilled,
            Guard::AllShipped,
        ),
        t(
            FulfillmentStatus::PartiallyFulfilled,
            FulfillmentStatus::PartiallyFulfilled,
            Guard::PartlyShipped,
        ),
        t(
            FulfillmentStatus::PartiallyFulfilled,
            FulfillmentStatus::Fulfilled,
            Guard::AllShipped,
        ),
        t(
            FulfillmentStatus::Fulfilled,
            FulfillmentStatus::PartiallyDelivered,
            Guard::PartlyDelivered,
        ),
        t(
            FulfillmentStatus::Fulfilled,
            FulfillmentStatus::Delivered,
            Guard::AllDelivered,
        ),
        t(
            FulfillmentStatus::PartiallyDelivered,
            FulfillmentStatus::PartiallyDelivered,
            Guard::PartlyDelivered,
        ),
        t(
            FulfillmentStatus::PartiallyDelivered,
            FulfillmentStatus::Delivered,
            Guard::AllDelivered,
        ),
        t(
            FulfillmentStatus::Delivered,
            FulfillmentStatus::Returned,
            Guard::AnyReturned,
        ),
    ];

    fn name(self) -> &'static str {
        match self {
            FulfillmentStatus::Unfulfilled => "unfulfilled",
            FulfillmentStatus::PartiallyFulfilled => "partially_fulfilled",
            FulfillmentStatus::Fulfilled => "fulfilled",
            FulfillmentStatus::PartiallyDelivered => "partially_delivered",
            FulfillmentStatus::Delivered => "delivered",
            FulfillmentStatus::Returned => "returned",
        }
    }
}

macro_rules! display_via_name {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )*};
}
display_via_name!(OrderStatus, PaymentStatus, FulfillmentStatus);

/// The mermaid `stateDiagram-v2` of a machine, generated from its table: `[*]` enters the
/// initial state, every row is an arrow labelled with its guard (`always` is unlabelled), and
/// every terminal state leads to `[*]`.
pub fn mermaid_diagram<S: StateMachine>() -> String {
    let mut out = String::from("stateDiagram-v2\n");
    out.push_str(&format!("    [*] --> {}\n", S::INITIAL.name()));
    for rule in S::TABLE {
        match rule.guard {
            Guard::Always => out.push_str(&format!(
                "    {} --> {}\n",
                rule.from.name(),
                rule.to.name()
            )),
            g => out.push_str(&format!(
                "    {} --> {}: {}\n",
                rule.from.name(),
                rule.to.name(),
                g.as_str()
            )),
        }
    }
    for s in S::STATES.iter().filter(|s| s.is_terminal()) {
        out.push_str(&format!("    {} --> [*]\n", s.name()));
    }
    out
}

/// The whole generated `docs/orders.md`.
pub fn orders_doc() -> String {
    fn section<S: StateMachine>(title: &str, intro: &str) -> String {
        let terminal: Vec<&str> = S::STATES
            .iter()
            .filter(|s| s.is_terminal())
            .map(|s| s.name())
            .collect();
        format!(
            "## {title}\n\n{intro}\n\nTerminal: {}.\n\n```mermaid\n{}```\n\n",
            terminal
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            mermaid_diagram::<S>()
        )
    }
    let mut doc = String::from(ORDERS_DOC_HEAD);
    doc.push_str(&section::<OrderStatus>(
        "Order status",
        "The order's own life. It is confirmed once the payment is secured, completed once \
         every unit is delivered, and can be cancelled only while nothing has shipped.",
    ));
    doc.push_str(&section::<PaymentStatus>(
        "Payment status",
        "The money. Captures never exceed the authorization; refunds never exceed captured \
         minus refunded. Guards are checked against the amounts after the change, so one \
         capture of the whole authorization goes straight to `captured`.",
    ));
    doc.push_str(&section::<FulfillmentStatus>(
        "Fulfillment status",
        "The goods, counted in units over all lines.",
    ));
    doc.push_str("## Guards\n\nChecked against the order as it would be after the change.\n\n| guard | condition |\n|---|---|\n");
    for g in Guard::ALL.iter().filter(|g| **g != Guard::Always) {
        doc.push_str(&format!("| {} | {} |\n", g.as_str(), g.condition()));
    }
    doc.push('\n');
    doc.push_str(ORDERS_DOC_TAIL);
    doc
}

const ORDERS_DOC_HEAD: &str = "# Orders\n\n\
<!-- Generated from the transition tables in core/src/order/machine.rs by \
`KASSA_UPDATE_DOCS=1 cargo test -p kassa --test engine_docs`. Do not edit by hand: the test \
fails when this file and the tables disagree. -->\n\n\
An order carries three separate state machines: the order itself, its payment and its \
fulfillment. Each is an explicit transition table with a guard per row. A change that is not \
in the table, or whose guard does not hold, is a `CONFLICT` error whose `meta` names the \
`machine`, the `current` state and the `attempted` one (and the failed `guard`). Every \
transition appends a history entry: machine, from, to, actor, at, reason. States without an \
outgoing arrow are terminal.\n\n";

const ORDERS_DOC_TAIL: &str = "## Refunds\n\n\
A refund names an amount and, optionally, the lines it is for. The total never exceeds the \
captured amount minus what was already refunded, and a line's share never exceeds the line's \
total minus what was already refunded on it. A refund without lines is an order-level refund \
(for example shipping).\n\n\
## Payment events\n\n\
Webhook-style gateway events carry an event id and cumulative amounts (`totalCaptured`, \
`totalRefunded`). An event id is applied at most once; an event that arrives late (its \
cumulative amount is already reached, or the payment has moved past the state it reports) \
is recorded as stale and changes nothing, so events are safe to deliver twice or out of \
order. A refund total above what is known to be captured cannot apply yet: it is a \
`CONFLICT`, not recorded, and applies when the gateway redelivers it after the capture.\n\n\
## Checkout\n\n\
`Engine::checkout` (seed: `POST /orders`) runs these steps over the ports:\n\n\
1. Load the cart (only its owner may check it out) and reject an empty one.\n\
2. Recompute every price from the catalog (`Cart::pricing_lines`, then `pricing::price_cart` with \
the promotions, coupons with their live usage, tax and shipping). A client `expectedTotal` that \
differs is a `CONFLICT` whose `meta.totals` holds the new totals.\n\
3. Sum the demand per SKU and reserve all of it in one `InventoryStore::reserve` call, with an \
expiry (`OUT_OF_STOCK` names the short SKU).\n\
4. Redeem the applied coupons with `CouponStore::redeem` (redeem-if-under-limit, atomic).\n\
5. Create the order (`pending`) with a unique human-readable number from the order store's \
sequence (`KS-000042`) and its first payment attempt already recorded (idempotency key \
`<orderId>:<attempt>:authorize`), in one store write.\n\
6. Authorize (and by default capture) through the `PaymentGateway`.\n\n\
| gateway answer | order | payment | stock | coupons | cart | event |\n\
|---|---|---|---|---|---|---|\n\
| approved | confirmed | captured (or authorized) | committed | kept | cleared | `order_placed` |\n\
| declined | cancelled | failed | released | given back | kept for retry | `payment_failed` |\n\
| unknown (timeout, gateway down) | pending | pending | held | kept | kept | none until a gateway event settles it |\n\n\
A failure before the order exists undoes what was done (reservation released, coupons given \
back) and changes nothing else.\n\n\
## Idempotent checkout\n\n\
With an idempotency key (scoped to the principal) checkout follows Stripe: the same key with \
the same request returns the same order (or the same `PAYMENT_DECLINED`) without calling the \
gateway again; the same key with a different request is a `CONFLICT` with \
`meta.idempotency = \"key_reused\"`; a duplicate that arrives while the first is still running is a \
`CONFLICT` with `meta.idempotency = \"in_progress\"`. An error before any order exists frees the \
key. `IdempotencyStore::begin` makes the claim in one atomic call.\n\n\
A request can die after its order exists but before the gateway answered (a crashed process, \
a gateway slower than the claim's lock timeout). So that a retry never charges twice, checkout \
checkpoints the key with the order id (`{\"orderId\", \"inFlightSince\"}`) as soon as the order \
is written and before the gateway is called. A duplicate inside \
`EngineConfig::in_flight_seconds` (default 60) is still `in_progress`; after it, the holder \
counts as dead and the duplicate answers with that order as it stands (typically payment \
`pending`, settled later by the gateway's event or reconciliation): never a second order or \
charge. The final response replaces the checkpoint.\n\n\
## Other flows\n\n\
- Cancel (owner or admin): only while nothing shipped; voids an authorization or refunds what \
was captured, releases or restocks the stock, gives coupons back, emits `order_cancelled`. A \
payment whose outcome is still unknown cannot be cancelled until it settles.\n\
- Refund (admin): as above under Refunds; emits `refund_issued`.\n\
- Status update (admin): ship, deliver, return, complete; one `order_status_changed` event per \
transition, rendered into subject, text and HTML by `notify::Notifier` from templates a host can \
override.\n\
- Every order write is a compare-and-set on the order's version; a lost race reloads and \
re-applies the pure change.\n\
- Events are versioned (`schemaVersion`) and have deterministic ids, so a retried publish is \
stored once.\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> GuardFacts {
        GuardFacts::default()
    }

    #[test]
    fn terminal_states_have_no_exit() {
        assert!(OrderStatus::Completed.is_terminal());
        assert!(OrderStatus::Cancelled.is_terminal());
        assert!(!OrderStatus::Pending.is_terminal());
        for s in [
            PaymentStatus::Refunded,
            PaymentStatus::Failed,
            PaymentStatus::Voided,
        ] {
            assert!(s.is_terminal());
        }
        assert!(FulfillmentStatus::Returned.is_terminal());
        assert!(!FulfillmentStatus::Delivered.is_terminal());
    }

    #[test]
    fn illegal_transition_names_both_states() {
        let err = OrderStatus::check(OrderStatus::Cancelled, OrderStatus::Confirmed, &facts())
            .unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Conflict);
        assert_eq!(err.meta["current"], "cancelled");
        assert_eq!(err.meta["attempted"], "confirmed");
        assert!(err.message.contains("terminal"));
        let err =
            OrderStatus::check(OrderStatus::Pending, OrderStatus::Completed, &facts()).unwrap_err();
        assert!(err.message.contains("illegal"));
    }

    #[test]
    fn guard_failure_is_a_conflict_naming_the_guard() {
        let err =
            OrderStatus::check(OrderStatus::Pending, OrderStatus::Confirmed, &facts()).unwrap_err();
        assert_eq!(err.meta["guard"], "payment secured");
        let ok = GuardFacts {
            payment: PaymentStatus::Authorized,
            ..facts()
        };
        OrderStatus::check(OrderStatus::Pending, OrderStatus::Confirmed, &ok).unwrap();
    }

    #[test]
    fn every_state_is_reachable_from_initial() {
        fn reach<S: StateMachine>() {
            let mut seen = vec![S::INITIAL];
            let mut i = 0;
            while let Some(s) = seen.get(i).copied() {
                for r in S::TABLE.iter().filter(|r| r.from == s) {
                    if !seen.contains(&r.to) {
                        seen.push(r.to);
                    }
                }
                i += 1;
            }
            for s in S::STATES {
                assert!(seen.contains(s), "{s:?} unreachable");
            }
        }
        reach::<OrderStatus>();
        reach::<PaymentStatus>();
        reach::<FulfillmentStatus>();
    }

    #[test]
    fn serde_names_match_table_names() {
        for s in PaymentStatus::STATES {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
        for s in FulfillmentStatus::STATES {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
        for s in OrderStatus::STATES {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }
}
