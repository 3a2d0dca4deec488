//! Reservations with expiry over a [`StockBook`]: reserve-if-available for a whole cart,
//! commit, release, restock and an exactly-once sweep of expired reservations.

use super::adjustment::{apply_adjustment, Adjustment, AuditEntry};
use super::stock::{Demand, StockAllocation, StockBook, StockLevel};
use crate::error::{KassaError, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a reservation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum ReservationStatus {
    /// Holding stock until `expiresAt`.
    Active,
    /// Turned into a sale: units left `onHand`.
    Committed,
    /// Given back before expiry.
    Released,
    /// Given back by the sweep after expiry.
    Expired,
    /// A committed reservation whose units went back on hand (order cancelled).
    Restocked,
}

impl ReservationStatus {
    /// The status as it is written (`"active"`, `"committed"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ReservationStatus::Active => "active",
            ReservationStatus::Committed => "committed",
            ReservationStatus::Released => "released",
            ReservationStatus::Expired => "expired",
            ReservationStatus::Restocked => "restocked",
        }
    }
}

/// Stock held for one order (or cart) until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    /// Reservation id.
    pub id: String,
    /// What it is for (an order id).
    pub reference: String,
    /// Units per SKU per location. Shared between copies: they never change once
    /// reserved, while every reserve, commit and release answers a copy of the reservation
    /// (a deep copy was ~13 allocations for a 5-line cart).
    pub allocations: Arc<[StockAllocation]>,
    /// Status.
    pub status: ReservationStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When an active reservation lapses.
    pub expires_at: DateTime<Utc>,
}

/// A request to reserve a whole cart's demand at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReserveRequest {
    /// Id for the new reservation.
    pub reservation_id: String,
    /// What it is for (an order id).
    pub reference: String,
    /// Demand summed per SKU.
    pub items: Vec<Demand>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// Stock levels plus reservations: the state an inventory store keeps, with every racy
/// operation as one method (a store runs each under one lock or one transaction).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
pub struct InventoryLedger {
    /// Stock levels.
    pub book: StockBook,
    reservations: BTreeMap<String, Reservation>,
    /// The audit log of every adjustment, oldest first.
    #[serde(default)]
    audit: Vec<AuditEntry>,
    /// Applied adjustment batches by id (for idempotent replays).
    #[serde(default)]
    batches: BTreeMap<String, AppliedBatch>,
}

/// A batch of stock adjustments applied all together or not at all, once per id: an admin
/// inventory update, a barcode-scan count, or the goods of one purchase-order receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AdjustmentBatch {
    /// Batch id (the idempotency key: a receipt id, or a fresh id per admin update). The
    /// audit entries get the ids `<batch id>:<index>`.
    pub id: String,
    /// The adjustments, applied in order (two may touch the same SKU and location).
    pub adjustments: Vec<Adjustment>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What [`InventoryLedger::apply_adjustments`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AdjustmentBatchResult {
    /// The stock levels before the batch, one per distinct (SKU, location), in first-touch
    /// order (on a replay: the levels as they are now, the same as `after`).
    pub before: Vec<StockLevel>,
    /// The same levels after the batch.
    pub after: Vec<StockLevel>,
    /// The audit entries of the batch.
    pub audit: Vec<AuditEntry>,
    /// True when the batch id was already applied: nothing changed this time.
    pub replayed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
struct AppliedBatch {
    adjustments: Vec<Adjustment>,
    first: usize,
    count: usize,
}

impl InventoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        InventoryLedger::default()
    }

    /// One reservation.
    pub fn reservation(&self, id: &str) -> Option<&Reservation> {
        self.reservations.get(id)
    }

    /// Every reservation.
    pub fn reservations(&self) -> impl Iterator<Item = &Reservation> {
        self.reservations.values()
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> &[AuditEntry] {
        &self.audit
    }

    /// Applies a batch of adjustments all together or not at all, recording one audit entry
    /// each. Idempotent by batch id: a second call with the same id and the same adjustments
    /// changes nothing and returns the recorded entries (`replayed`); the same id with other
    /// adjustments is a `CONFLICT`. A failing adjustment (see
    /// [`apply_adjustment`]) fails the batch with its field prefixed `adjustments[i]`.
    pub fn apply_adjustments(&mut self, batch: &AdjustmentBatch) -> Result<AdjustmentBatchResult> {
        if batch.id.trim().is_empty() {
            return Err(KassaError::validation("id", "must not be empty"));
        }
        if batch.adjustments.is_empty() {
            return Err(KassaError::validation("adjustments", "must not be empty"));
        }
        if let Some(applied) = self.batches.get(&batch.id) {
            if applied.adjustments != batch.adjustments {
                return Err(KassaError::conflict(format!(
                    "adjustment batch '{}' was already applied with other adjustments",
                    batch.id
                ))
                .with_meta("batchId", batch.id.clone()));
            }
            let audit: Vec<AuditEntry> = self
                .audit
                .iter()
                .skip(applied.first)
                .take(applied.count)
                .cloned()
                .collect();
            let mut levels: Vec<StockLevel> = Vec::new();
            for a in &batch.adjustments {
                if !levels
                    .iter()
                    .any(|l| l.sku == a.sku && l.location_id == a.location)
                {
                    levels.push(self.book.level_or_empty(&a.sku, &a.location));
                }
            }
            return Ok(AdjustmentBatchResult {
                before: levels.clone(),
                after: levels,
                audit,
                replayed: true,
            });
        }
        let mut before: Vec<StockLevel> = Vec::new();
        let mut staged: Vec<StockLevel> = Vec::new();
        let mut audit = Vec::with_capacity(batch.adjustments.len());
        for (i, adj) in batch.adjustments.iter().enumerate() {
            let pos = match staged
                .iter()
                .position(|l| l.sku == adj.sku && l.location_id == adj.location)
            {
                Some(p) => p,
                None => {
                    let level = self.book.level_or_empty(&adj.sku, &adj.location);
                    before.push(level.clone());
                    staged.push(level);
                    staged.len() - 1
                }
            };
            let current = staged
                .get(pos)
                .ok_or_else(|| KassaError::internal("staged level missing"))?;
            let (next, entry) =
                apply_adjustment(current, adj, &format!("{}:{i}", batch.id), batch.at).map_err(
                    |mut e| {
                        for d in &mut e.details {
                            d.field = format!("adjustments[{i}].{}", d.field);
                        }
                        e
                    },
                )?;
            if let Some(slot) = staged.get_mut(pos) {
                *slot = next;
            }
            audit.push(entry);
        }
        for level in &staged {
            self.book.put(level.clone());
        }
        self.batches.insert(
            batch.id.clone(),
            AppliedBatch {
                adjustments: batch.adjustments.clone(),
                first: self.audit.len(),
                count: audit.len(),
            },
        );
        self.audit.extend(audit.iter().cloned());
        Ok(AdjustmentBatchResult {
            before,
            after: staged,
            audit,
            replayed: false,
        })
    }

    /// Reserves the whole demand or nothing (`OUT_OF_STOCK` naming the short SKU).
    pub fn reserve(&mut self, req: &ReserveRequest, now: DateTime<Utc>) -> Result<Reservation> {
        if req.reservation_id.trim().is_empty() {
            return Err(KassaError::validation("reservationId", "must not be empty"));
        }
        if self.reservations.contains_key(&req.reservation_id) {
            return Err(KassaError::conflict(format!(
                "reservation '{}' already exists",
                req.reservation_id
            )));
        }
        if req.items.is_empty() {
            return Err(KassaError::validation("items", "must not be empty"));
        }
        for (i, d) in req.items.iter().enumerate() {
            if d.quantity == 0 || d.quantity > super::stock::MAX_LINE_QUANTITY {
                return Err(KassaError::validation(
                    format!("items[{i}].quantity"),
                    "out of range",
                ));
            }
        }
        if req.expires_at <= now {
            return Err(KassaError::validation("expiresAt", "must be in the future"));
        }
        let allocations = self.book.reserve(&req.items)?;
        let r = Reservation {
            id: req.reservation_id.clone(),
            reference: req.reference.clone(),
            allocations: allocations.into(),
            status: ReservationStatus::Active,
            created_at: now,
            expires_at: req.expires_at,
        };
        self.reservations.insert(r.id.clone(), r.clone());
        Ok(r)
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut Reservation> {
        Self::find(&mut self.reservations, id)
    }

    fn find<'a>(
        reservations: &'a mut BTreeMap<String, Reservation>,
        id: &str,
    ) -> Result<&'a mut Reservation> {
        reservations
            .get_mut(id)
            .ok_or_else(|| KassaError::not_found("reservation", id))
    }

    fn status_conflict(r: &Reservation, attempted: &str) -> KassaError {
        KassaError::conflict(format!(
            "reservation '{}' is {:?}; cannot {attempted}",
            r.id, r.status
        ))
        .with_meta("current", r.status.name())
        .with_meta("attempted", attempted)
    }

    /// Commits an active reservation (idempotent for a committed one). An active
    /// reservation past its expiry is expired instead, and the call is a `CONFLICT`.
    pub fn commit(&mut self, id: &str, now: DateTime<Utc>) -> Result<Reservation> {
        // The book and the reservations are separate fields: the reservation is changed in
        // place and copied once, for the answer.
        let r = Self::find(&mut self.reservations, id)?;
        match r.status {
            ReservationStatus::Committed => Ok(r.clone()),
            ReservationStatus::Active if now > r.expires_at => {
                self.book.release(&r.allocations)?;
                r.status = ReservationStatus::Expired;
                Err(Self::status_conflict(r, "commit"))
            }
            ReservationStatus::Active => {
                self.book.commit(&r.allocations)?;
                r.status = ReservationStatus::Committed;
                Ok(r.clone())
            }
            _ => Err(Self::status_conflict(r, "commit")),
        }
    }

    /// Releases an active reservation (idempotent for a released or expired one).
    pub fn release(&mut self, id: &str) -> Result<Reservation> {
        let r = Self::find(&mut self.reservations, id)?;
        match r.status {
            ReservationStatus::Released | ReservationStatus::Expired => Ok(r.clone()),
            ReservationStatus::Active => {
                self.book.release(&r.allocations)?;
                r.status = ReservationStatus::Released;
                Ok(r.clone())
            }
            _ => Err(Self::status_conflict(r, "release")),
        }
    }

    /// Puts a committed reservation's units back on hand (idempotent for a restocked one).
    pub fn restock(&mut self, id: &str) -> Result<Reservation> {
        let r = Self::find(&mut self.reservations, id)?;
        match r.status {
            ReservationStatus::Restocked => Ok(r.clone()),
            ReservationStatus::Committed => {
                self.book.restock(&r.allocations)?;
                r.status = ReservationStatus::Restocked;
                Ok(r.clone())
            }
            _ => Err(Self::status_conflict(r, "restock")),
        }
    }

    fn set_status(&mut self, id: &str, status: ReservationStatus) -> Result<Reservation> {
        let r = self.get_mut(id)?;
        r.status = status;
        Ok(r.clone())
    }

    /// Expires every active reservation whose expiry is before `now` and returns them. A
    /// reservation is expired by exactly one sweep.
    pub fn sweep_expired(&mut self, now: DateTime<Utc>) -> Result<Vec<Reservation>> {
        let due: Vec<String> = self
            .reservations
            .values()
            .filter(|r| r.status == ReservationStatus::Active && r.expires_at < now)
            .map(|r| r.id.clone())
            .collect();
        let mut out = Vec::with_capacity(due.len());
        for id in due {
            let allocations = self.get_mut(&id)?.allocations.clone();
            self.book.release(&allocations)?;
            out.push(self.set_status(&id, ReservationStatus::Expired)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_the_wire_names() {
        use ReservationStatus::*;
        for s in [Active, Committed, Released, Expired, Restocked] {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.name())
            );
        }
    }
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn req(id: &str, q: u64) -> ReserveRequest {
        ReserveRequest {
            reservation_id: id.into(),
            reference: "order".into(),
            items: vec![Demand {
                sku: "A".into(),
                quantity: q,
            }],
            expires_at: t0() + Duration::minutes(15),
        }
    }

    #[test]
    fn lifecycle_and_exactly_once_sweep() {
        let mut l = InventoryLedger::new();
        l.book.set_on_hand("A", "w", 5).unwrap();
        l.reserve(&req("r1", 2), t0()).unwrap();
        l.reserve(&req("r2", 3), t0()).unwrap();
        assert!(l.reserve(&req("r3", 1), t0()).is_err());
        assert!(l.reserve(&req("r1", 1), t0()).is_err(), "duplicate id");
        l.commit("r1", t0()).unwrap();
        l.commit("r1", t0()).unwrap();
        assert_eq!(l.book.level("A", "w").unwrap().on_hand, 3);
        let later = t0() + Duration::hours(1);
        assert_eq!(l.sweep_expired(later).unwrap().len(), 1);
        assert!(l.sweep_expired(later).unwrap().is_empty());
        assert_eq!(l.book.available("A"), 3);
        assert!(l.commit("r2", later).is_err());
        l.release("r2").unwrap();
        l.restock("r1").unwrap();
        assert_eq!(l.book.level("A", "w").unwrap().on_hand, 5);
        assert!(l.release("r1").is_err());
    }

    #[test]
    fn late_commit_expires_instead() {
        let mut l = InventoryLedger::new();
        l.book.set_on_hand("A", "w", 5).unwrap();
        l.reserve(&req("r1", 2), t0()).unwrap();
        let err = l.commit("r1", t0() + Duration::hours(1)).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Conflict);
        assert_eq!(l.book.available("A"), 5);
        assert!(l
            .sweep_expired(t0() + Duration::hours(2))
            .unwrap()
            .is_empty());
    }
}
