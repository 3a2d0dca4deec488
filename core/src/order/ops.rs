//! Whole-operation requests over the order state machines, in the serde form the bindings and
//! the cross-host vectors use.

use super::machine::{
    FulfillmentStatus, GuardFacts, Machine, OrderStatus, PaymentStatus, StateMachine,
};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// The guard facts in serde form (amounts in minor units).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "camelCase", default)]
pub struct FactsInput {
    /// Payment status.
    pub payment: PaymentStatus,
    /// Authorized, minor units.
    pub authorized: i64,
    /// Captured, minor units.
    pub captured: i64,
    /// Refunded, minor units.
    pub refunded: i64,
    /// Units ordered.
    pub units_total: u64,
    /// Units shipped.
    pub units_shipped: u64,
    /// Units delivered.
    pub units_delivered: u64,
    /// Units returned.
    pub units_returned: u64,
}

/// Is `from → to` legal in `machine` under `facts`?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TransitionRequest {
    /// Which machine.
    pub machine: Machine,
    /// Current state name.
    pub from: String,
    /// Attempted state name.
    pub to: String,
    /// Facts after the change.
    #[serde(default)]
    pub facts: FactsInput,
}

/// A legal transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TransitionAllowed {
    /// State before.
    pub from: String,
    /// State after.
    pub to: String,
    /// Whether the new state is terminal.
    pub terminal: bool,
}

/// The state named `name` (its wire name, [`StateMachine::name`]).
fn state<S: StateMachine>(field: &str, name: &str) -> Result<S> {
    S::STATES
        .iter()
        .copied()
        .find(|s| s.name() == name)
        .ok_or_else(|| {
            KassaError::validation(
                field,
                format!("unknown {} state '{name}'", S::MACHINE.as_str()),
            )
        })
}

fn check<S: StateMachine>(
    req: &TransitionRequest,
    facts: &GuardFacts,
) -> Result<TransitionAllowed> {
    let from: S = state("from", &req.from)?;
    let to: S = state("to", &req.to)?;
    S::check(from, to, facts)?;
    Ok(TransitionAllowed {
        from: from.name().to_owned(),
        to: to.name().to_owned(),
        terminal: to.is_terminal(),
    })
}

/// `order.check_transition`: a `CONFLICT` (meta `machine`, `current`, `attempted`, maybe
/// `guard`) when illegal.
pub fn check_transition(req: TransitionRequest) -> Result<TransitionAllowed> {
    let f = req.facts;
    let facts = GuardFacts {
        payment: f.payment,
        authorized: i128::from(f.authorized),
        captured: i128::from(f.captured),
        refunded: i128::from(f.refunded),
        units_total: f.units_total,
        units_shipped: f.units_shipped,
        units_delivered: f.units_delivered,
        units_returned: f.units_returned,
    };
    match req.machine {
        Machine::Order => check::<OrderStatus>(&req, &facts),
        Machine::Payment => check::<PaymentStatus>(&req, &facts),
        Machine::Fulfillment => check::<FulfillmentStatus>(&req, &facts),
    }
}
