//! Purchase orders: an explicit transition table with history, totals from cost prices, and
//! receiving (partial or full) that yields receipt records and stock increases as data.

use crate::error::{ErrorCode, KassaError, Result};
use crate::inventory::adjustment::{Adjustment, AdjustmentChange, AdjustmentReason};
use crate::money::{Currency, Money};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A line of a draft purchase order (from the reorder run or an admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderDraftLine {
    /// SKU.
    pub sku: String,
    /// Units to order (> 0).
    pub quantity: i64,
    /// Cost price per unit (supplier currency).
    pub unit_cost: Money,
    /// quantity × unit cost.
    pub line_total: Money,
}

/// A draft purchase order for one supplier and one destination location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderDraft {
    /// Supplier id.
    pub supplier_id: String,
    /// Destination location.
    pub location: String,
    /// Supplier currency.
    pub currency: Currency,
    /// Lines.
    pub lines: Vec<PurchaseOrderDraftLine>,
    /// Sum of line totals.
    pub total: Money,
}

/// Purchase order status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOrderStatus {
    /// Being prepared; not yet with the supplier.
    Draft,
    /// Sent to the supplier.
    Sent,
    /// The supplier confirmed it.
    Acknowledged,
    /// Some but not all units arrived.
    PartiallyReceived,
    /// Every unit arrived (terminal).
    Received,
    /// Cancelled (terminal).
    Cancelled,
}

impl PurchaseOrderStatus {
    /// The stable string form.
    pub const fn as_str(self) -> &'static str {
        match self {
            PurchaseOrderStatus::Draft => "draft",
            PurchaseOrderStatus::Sent => "sent",
            PurchaseOrderStatus::Acknowledged => "acknowledged",
            PurchaseOrderStatus::PartiallyReceived => "partially_received",
            PurchaseOrderStatus::Received => "received",
            PurchaseOrderStatus::Cancelled => "cancelled",
        }
    }

    /// Open = goods still expected (counts as "on order" in the reorder run).
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            PurchaseOrderStatus::Sent
                | PurchaseOrderStatus::Acknowledged
                | PurchaseOrderStatus::PartiallyReceived
        )
    }
}

use PurchaseOrderStatus as S;

/// Every legal (from, to) move. Receiving moves to `partially_received` / `received`;
/// goods may arrive before the acknowledgement (from `sent`). A purchase order can be
/// cancelled until goods arrive; after a partial receipt it is closed by receiving the rest.
pub const PURCHASE_ORDER_TRANSITIONS: &[(PurchaseOrderStatus, PurchaseOrderStatus)] = &[
    (S::Draft, S::Sent),
    (S::Draft, S::Cancelled),
    (S::Sent, S::Acknowledged),
    (S::Sent, S::PartiallyReceived),
    (S::Sent, S::Received),
    (S::Sent, S::Cancelled),
    (S::Acknowledged, S::PartiallyReceived),
    (S::Acknowledged, S::Received),
    (S::Acknowledged, S::Cancelled),
    (S::PartiallyReceived, S::PartiallyReceived),
    (S::PartiallyReceived, S::Received),
];

/// One history entry: who moved the order from where to where, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderHistoryEntry {
    /// Status before.
    pub from: PurchaseOrderStatus,
    /// Status after.
    pub to: PurchaseOrderStatus,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A purchase order line with its received quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrderLine {
    /// SKU.
    pub sku: String,
    /// Units ordered.
    pub quantity: i64,
    /// Units received so far.
    #[serde(default)]
    pub received: i64,
    /// Cost price per unit.
    pub unit_cost: Money,
}

/// A purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseOrder {
    /// Id.
    pub id: String,
    /// Supplier id.
    pub supplier_id: String,
    /// Destination location.
    pub location: String,
    /// Supplier currency.
    pub currency: Currency,
    /// Current status.
    pub status: PurchaseOrderStatus,
    /// Lines.
    pub lines: Vec<PurchaseOrderLine>,
    /// Transition history, oldest first.
    #[serde(default)]
    pub history: Vec<PurchaseOrderHistoryEntry>,
}

impl PurchaseOrder {
    /// A new draft purchase order from a [`PurchaseOrderDraft`].
    pub fn from_draft(id: &str, draft: &PurchaseOrderDraft) -> Result<PurchaseOrder> {
        let po = PurchaseOrder {
            id: id.to_string(),
            supplier_id: draft.supplier_id.clone(),
            location: draft.location.clone(),
            currency: draft.currency,
            status: S::Draft,
            lines: draft
                .lines
                .iter()
                .map(|l| PurchaseOrderLine {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    received: 0,
                    unit_cost: l.unit_cost,
                })
                .collect(),
            history: Vec::new(),
        };
        po.validate()?;
        Ok(po)
    }

    /// Lines non-empty, quantities positive, received within 0..=quantity is not required
    /// (over-receipt may have been allowed) but never negative, costs in the order currency.
    pub fn validate(&self) -> Result<()> {
        if self.lines.is_empty() {
            return Err(KassaError::validation("lines", "at least one line"));
        }
        for (i, l) in self.lines.iter().enumerate() {
            if l.quantity <= 0 {
                return Err(KassaError::validation(
                    format!("lines[{i}].quantity"),
                    "must be positive",
                ));
            }
            if l.received < 0 {
                return Err(KassaError::validation(
                    format!("lines[{i}].received"),
                    "must not be negative",
                ));
            }
            if l.unit_cost.currency() != self.currency {
                return Err(KassaError::validation(
                    format!("lines[{i}].unitCost.currency"),
                    format!("must be the order currency {}", self.currency),
                ));
            }
            if l.unit_cost.is_negative() {
                return Err(KassaError::validation(
                    format!("lines[{i}].unitCost"),
                    "must not be negative",
                ));
            }
        }
        Ok(())
    }

    /// Σ quantity × unit cost (exact, in the order currency).
    pub fn total(&self) -> Result<Money> {
        let mut total = Money::zero(self.currency);
        for l in &self.lines {
            let q = u64::try_from(l.quantity)
                .map_err(|_| KassaError::validation("quantity", "must be positive"))?;
            total = total.checked_add(&l.unit_cost.times(q)?)?;
        }
        Ok(total)
    }

    /// Units still expected per line (ordered − received, never below 0).
    pub fn outstanding(&self) -> impl Iterator<Item = (&str, i64)> {
        self.lines
            .iter()
            .map(|l| (l.sku.as_str(), (l.quantity - l.received).max(0)))
    }

    /// Moves to `to` if the table allows it, appending history; otherwise `CONFLICT` naming
    /// both states (meta `from`, `to`).
    pub fn transition(
        &mut self,
        to: PurchaseOrderStatus,
        actor: &str,
        at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<()> {
        let from = self.status;
        if !PURCHASE_ORDER_TRANSITIONS.contains(&(from, to)) {
            return Err(KassaError::new(
                ErrorCode::Conflict,
                format!(
                    "purchase order {} cannot move from {} to {}",
                    self.id,
                    from.as_str(),
                    to.as_str()
                ),
            )
            .with_meta("from", from.as_str())
            .with_meta("to", to.as_str()));
        }
        self.status = to;
        self.history.push(PurchaseOrderHistoryEntry {
            from,
            to,
            actor: actor.to_string(),
            at,
            reason,
        });
        Ok(())
    }
}

/// One SKU's quantity in a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveLine {
    /// SKU (must be on the order).
    pub sku: String,
    /// Units that arrived (> 0).
    pub quantity: i64,
}

/// A receiving request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveRequest {
    /// Receipt id (from the engine's id generator).
    pub receipt_id: String,
    /// What arrived.
    pub lines: Vec<ReceiveLine>,
    /// Accept more than ordered (supplier over-shipment kept); default false.
    #[serde(default)]
    pub allow_over_receipt: bool,
    /// Who received.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The record of one receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Receipt id.
    pub id: String,
    /// Purchase order id.
    pub purchase_order_id: String,
    /// Location the goods went to.
    pub location: String,
    /// What arrived.
    pub lines: Vec<ReceiveLine>,
    /// Value received (quantity × unit cost).
    pub value: Money,
    /// Who.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What a receipt changes: the updated order, the receipt, and one `received` delta
/// [`Adjustment`] per line. The engine applies each with
/// [`crate::inventory::adjustment::apply_adjustment`] (which yields the audit entry) and
/// persists them atomically with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveOutcome {
    /// The order after receiving.
    pub purchase_order: PurchaseOrder,
    /// The receipt record.
    pub receipt: Receipt,
    /// On-hand increases at the order's location, reason `received`.
    pub adjustments: Vec<Adjustment>,
}

/// Receives goods against an order in `sent`, `acknowledged` or `partially_received`.
///
/// Refuses (`VALIDATION_ERROR`) unknown SKUs, non-positive quantities, and — unless
/// `allowOverReceipt` — any line whose received total would exceed what was ordered. The
/// order becomes `received` when every line is fully received, else `partially_received`.
pub fn receive(po: &PurchaseOrder, req: &ReceiveRequest) -> Result<ReceiveOutcome> {
    po.validate()?;
    if req.lines.is_empty() {
        return Err(KassaError::validation("lines", "at least one line"));
    }
    if req.actor.trim().is_empty() {
        return Err(KassaError::validation("actor", "must not be empty"));
    }
    let mut next = po.clone();
    let mut value = Money::zero(po.currency);
    let mut increases = Vec::with_capacity(req.lines.len());
    for (i, rl) in req.lines.iter().enumerate() {
        if rl.quantity <= 0 {
            return Err(KassaError::validation(
                format!("lines[{i}].quantity"),
                "must be positive",
            ));
        }
        let Some(line) = next.lines.iter_mut().find(|l| l.sku == rl.sku) else {
            return Err(KassaError::validation(
                format!("lines[{i}].sku"),
                format!("{} is not on the purchase order", rl.sku),
            ));
        };
        let received = line.received.checked_add(rl.quantity).ok_or_else(|| {
            KassaError::validation(format!("lines[{i}].quantity"), "out of range")
        })?;
        if received > line.quantity && !req.allow_over_receipt {
            return Err(KassaError::validation(
                format!("lines[{i}].quantity"),
                format!(
                    "receiving {} would make {} of {} ordered; over-receipt is not allowed",
                    rl.quantity, received, line.quantity
                ),
            )
            .with_meta("ordered", line.quantity)
            .with_meta("alreadyReceived", line.received));
        }
        line.received = received;
        let q = u64::try_from(rl.quantity)
            .map_err(|_| KassaError::validation("quantity", "out of range"))?;
        value = value.checked_add(&line.unit_cost.times(q)?)?;
        increases.push(Adjustment {
            sku: rl.sku.clone(),
            location: po.location.clone(),
            change: AdjustmentChange::Delta {
                quantity: rl.quantity,
            },
            reason: AdjustmentReason::Received,
            actor: req.actor.clone(),
            note: Some(format!(
                "purchase order {} receipt {}",
                po.id, req.receipt_id
            )),
        });
    }
    let complete = next.lines.iter().all(|l| l.received >= l.quantity);
    let to = if complete {
        S::Received
    } else {
        S::PartiallyReceived
    };
    next.transition(
        to,
        &req.actor,
        req.at,
        Some(format!("receipt {}", req.receipt_id)),
    )?;
    Ok(ReceiveOutcome {
        receipt: Receipt {
            id: req.receipt_id.clone(),
            purchase_order_id: po.id.clone(),
            location: po.location.clone(),
            lines: req.lines.clone(),
            value,
            actor: req.actor.clone(),
            at: req.at,
        },
        purchase_order: next,
        adjustments: increases,
    })
}
