//! Who changed what, when and why: one entry per state transition.

use super::machine::{GuardFacts, Machine, StateMachine};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One state transition of one machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Which machine moved.
    pub machine: Machine,
    /// State before.
    pub from: Cow<'static, str>,
    /// State after.
    pub to: Cow<'static, str>,
    /// Id of the principal that caused it (`"system"` for the engine itself).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why (free text; e.g. `"payment authorized"`, `"customer request"`).
    pub reason: String,
}

/// Who, when and why, passed to every transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp<'a> {
    /// Id of the acting principal.
    pub actor: &'a str,
    /// When the change happens.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: &'a str,
}

impl<'a> Stamp<'a> {
    /// A stamp.
    pub const fn new(actor: &'a str, at: DateTime<Utc>, reason: &'a str) -> Self {
        Stamp { actor, at, reason }
    }

    /// The same actor and time with another reason.
    pub const fn because(self, reason: &'a str) -> Self {
        Stamp { reason, ..self }
    }
}

/// Checks `*state → to` against the machine's table and, when legal, moves and records it.
pub fn transition<S: StateMachine>(
    state: &mut S,
    to: S,
    facts: &GuardFacts,
    history: &mut Vec<HistoryEntry>,
    stamp: Stamp<'_>,
) -> Result<()> {
    S::check(*state, to, facts)?;
    history.push(HistoryEntry {
        machine: S::MACHINE,
        from: Cow::Borrowed(state.name()),
        to: Cow::Borrowed(to.name()),
        actor: stamp.actor.to_owned(),
        at: stamp.at,
        reason: stamp.reason.to_owned(),
    });
    *state = to;
    Ok(())
}
