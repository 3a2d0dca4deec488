//! Whole-operation requests over payments, in the serde form the bindings and the cross-host
//! vectors use.

use super::{EventEffect, GatewayEvent, Payment};
use crate::error::Result;
use crate::money::Money;
use crate::order::{HistoryEntry, Stamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Apply a gateway event to a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ApplyEventRequest {
    /// The payment before.
    pub payment: Payment,
    /// The event.
    pub event: GatewayEvent,
    /// Who applies it (recorded in history).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The payment after an event, the effect and the transitions it recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ApplyEventResult {
    /// What the event did.
    pub effect: EventEffect,
    /// The payment after.
    pub payment: Payment,
    /// Transitions recorded.
    pub history: Vec<HistoryEntry>,
}

/// `payment.apply_event`.
pub fn apply_event(req: ApplyEventRequest) -> Result<ApplyEventResult> {
    let mut payment = req.payment;
    let mut history = Vec::new();
    let effect = payment.apply_event(
        &req.event,
        &mut history,
        Stamp::new(&req.actor, req.at, "gateway event"),
    )?;
    Ok(ApplyEventResult {
        effect,
        payment,
        history,
    })
}

/// Refund `amount` of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefundCheckRequest {
    /// The payment.
    pub payment: Payment,
    /// The amount asked for.
    pub amount: Money,
}

/// What a refund leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefundCheckResult {
    /// Refunded in all after it.
    pub refunded: Money,
    /// Still refundable after it.
    pub refundable: Money,
}

/// `payment.check_refund`: over captured − refunded is a `VALIDATION_ERROR` on `amount`.
pub fn check_refund(req: RefundCheckRequest) -> Result<RefundCheckResult> {
    let refunded = req.payment.check_refund(&req.amount)?;
    Ok(RefundCheckResult {
        refunded,
        refundable: req.payment.captured.checked_sub(&refunded)?,
    })
}
