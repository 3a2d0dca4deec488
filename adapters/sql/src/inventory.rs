//! Stock levels and reservations. Reserving a cart is one transaction: the SKUs' rows are
//! locked in (SKU, location) order (no deadlocks between carts), the shortfall is checked, and
//! every allocation is a conditional `UPDATE ... WHERE on_hand - reserved >= n`.

use crate::db::{db_err, enum_name, from_json, from_ns, int, ns, to_json, uint, Db};
use chrono::{DateTime, Utc};
use kassa::inventory::adjustment::{apply_adjustment, AuditEntry};
use kassa::inventory::reservation::{
    AdjustmentBatch, AdjustmentBatchResult, Reservation, ReservationStatus, ReserveRequest,
};
use kassa::inventory::stock::{StockAllocation, StockLevel, MAX_LINE_QUANTITY};
use kassa::ports::{InventoryStore, PortHealth};
use kassa::{ErrorCode, KassaError, Result};
use sqlx::{Any, Row, Transaction};

/// The inventory store over SQL.
#[derive(Debug)]
pub struct SqlInventory {
    db: Db,
}

pub(crate) type Tx = Transaction<'static, Any>;

fn level(r: &sqlx::any::AnyRow) -> Result<StockLevel> {
    Ok(StockLevel {
        sku: r.try_get(0).map_err(db_err)?,
        location_id: r.try_get(1).map_err(db_err)?,
        on_hand: uint(r.try_get(2).map_err(db_err)?),
        reserved: uint(r.try_get(3).map_err(db_err)?),
    })
}

pub(crate) fn status_from(s: &str) -> Result<ReservationStatus> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| KassaError::internal(format!("stored reservation status: {e}")))
}

pub(crate) fn status_conflict(r: &Reservation, attempted: &str) -> KassaError {
    KassaError::conflict(format!(
        "reservation '{}' is {:?}; cannot {attempted}",
        r.id, r.status
    ))
    .with_meta("current", format!("{:?}", r.status).to_lowercase())
    .with_meta("attempted", attempted)
}

const RES_COLUMNS: &str = "id, reference, status, created_at_ns, expires_at_ns, allocations";

fn reservation(r: &sqlx::any::AnyRow) -> Result<Reservation> {
    Ok(Reservation {
        id: r.try_get(0).map_err(db_err)?,
        reference: r.try_get(1).map_err(db_err)?,
        status: status_from(&r.try_get::<String, _>(2).map_err(db_err)?)?,
        created_at: from_ns(r.try_get(3).map_err(db_err)?),
        expires_at: from_ns(r.try_get(4).map_err(db_err)?),
        allocations: from_json(&r.try_get::<String, _>(5).map_err(db_err)?)?,
    })
}

/// How an allocation changes its stock row.
#[derive(Clone, Copy)]
enum Move {
    Release,
    Commit,
    Restock,
}

impl SqlInventory {
    /// The store over `db`.
    pub fn new(db: Db) -> Self {
        SqlInventory { db }
    }

    async fn begin(&self) -> Result<Tx> {
        self.db.pool().begin().await.map_err(db_err)
    }

    async fn locked_reservation(&self, tx: &mut Tx, id: &str) -> Result<Reservation> {
        let sql = format!(
            "SELECT {RES_COLUMNS} FROM kassa_reservations WHERE id = $1{}",
            self.db.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?
            .ok_or_else(|| KassaError::not_found("reservation", id))?;
        reservation(&row)
    }

    async fn apply(tx: &mut Tx, allocations: &[StockAllocation], m: Move) -> Result<()> {
        let sql = match m {
            Move::Release => {
                "UPDATE kassa_stock SET reserved = CASE WHEN reserved >= $3 THEN reserved - $3 ELSE 0 END \
                 WHERE sku = $1 AND location_id = $2"
            }
            Move::Commit => {
                "UPDATE kassa_stock SET reserved = CASE WHEN reserved >= $3 THEN reserved - $3 ELSE 0 END, \
                 on_hand = CASE WHEN on_hand >= $3 THEN on_hand - $3 ELSE 0 END \
                 WHERE sku = $1 AND location_id = $2"
            }
            Move::Restock => {
                "UPDATE kassa_stock SET on_hand = on_hand + $3 WHERE sku = $1 AND location_id = $2"
            }
        };
        for a in allocations {
            let done = sqlx::query(sql)
                .bind(&a.sku)
                .bind(&a.location_id)
                .bind(int(a.quantity, "quantity")?)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            if done.rows_affected() != 1 {
                return Err(KassaError::internal(format!(
                    "no stock level for {} at {}",
                    a.sku, a.location_id
                )));
            }
        }
        Ok(())
    }

    async fn set_status(
        tx: &mut Tx,
        mut r: Reservation,
        s: ReservationStatus,
    ) -> Result<Reservation> {
        sqlx::query("UPDATE kassa_reservations SET status = $1 WHERE id = $2")
            .bind(enum_name(&s)?)
            .bind(&r.id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        r.status = s;
        Ok(r)
    }

    /// The level of one (SKU, location) inside `tx`, locked on PostgreSQL; an absent row is
    /// an empty level.
    async fn locked_level(&self, tx: &mut Tx, sku: &str, location_id: &str) -> Result<StockLevel> {
        let sql = format!(
            "SELECT sku, location_id, on_hand, reserved FROM kassa_stock WHERE sku = $1 AND location_id = $2{}",
            self.db.for_update()
        );
        let row = sqlx::query(&sql)
            .bind(sku)
            .bind(location_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => level(&r),
            None => Ok(StockLevel {
                sku: sku.to_owned(),
                location_id: location_id.to_owned(),
                on_hand: 0,
                reserved: 0,
            }),
        }
    }

    async fn upsert_on_hand(
        &self,
        tx: &mut Tx,
        sku: &str,
        location_id: &str,
        on_hand: u64,
    ) -> Result<StockLevel> {
        if sku.trim().is_empty() {
            return Err(KassaError::validation("sku", "must not be empty"));
        }
        if location_id.trim().is_empty() {
            return Err(KassaError::validation("locationId", "must not be empty"));
        }
        let row = sqlx::query(
            "INSERT INTO kassa_stock (sku, location_id, on_hand, reserved) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (sku, location_id) DO UPDATE SET on_hand = excluded.on_hand \
             WHERE kassa_stock.reserved <= excluded.on_hand \
             RETURNING sku, location_id, on_hand, reserved",
        )
        .bind(sku)
        .bind(location_id)
        .bind(int(on_hand, "onHand")?)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
        match row {
            Some(r) => level(&r),
            None => {
                let reserved: i64 = sqlx::query(
                    "SELECT reserved FROM kassa_stock WHERE sku = $1 AND location_id = $2",
                )
                .bind(sku)
                .bind(location_id)
                .fetch_one(&mut **tx)
                .await
                .map_err(db_err)?
                .try_get(0)
                .map_err(db_err)?;
                Err(KassaError::validation(
                    "onHand",
                    format!("{on_hand} is below the {reserved} unit(s) reserved"),
                ))
            }
        }
    }
}

#[async_trait::async_trait]
impl InventoryStore for SqlInventory {
    async fn stock(&self, sku: &str) -> Result<Vec<StockLevel>> {
        let rows = sqlx::query(
            "SELECT sku, location_id, on_hand, reserved FROM kassa_stock WHERE sku = $1 ORDER BY location_id",
        )
        .bind(sku)
        .fetch_all(self.db.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(level).collect()
    }

    async fn all_stock(&self) -> Result<Vec<StockLevel>> {
        let rows = sqlx::query(
            "SELECT sku, location_id, on_hand, reserved FROM kassa_stock ORDER BY sku, location_id",
        )
        .fetch_all(self.db.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(level).collect()
    }

    async fn set_on_hand(&self, sku: &str, location_id: &str, on_hand: u64) -> Result<StockLevel> {
        let mut tx = self.begin().await?;
        let l = self
            .upsert_on_hand(&mut tx, sku, location_id, on_hand)
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(l)
    }

    async fn adjust(&self, sku: &str, location_id: &str, delta: i64) -> Result<StockLevel> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT on_hand FROM kassa_stock WHERE sku = $1 AND location_id = $2{}",
            self.db.for_update()
        );
        let current = sqlx::query(&sql)
            .bind(sku)
            .bind(location_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()
            .map_err(db_err)?
            .unwrap_or(0);
        let next = i128::from(current) + i128::from(delta);
        let next = u64::try_from(next)
            .map_err(|_| KassaError::validation("delta", format!("would leave {next} on hand")))?;
        let l = self.upsert_on_hand(&mut tx, sku, location_id, next).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(l)
    }

    async fn reserve(&self, req: ReserveRequest, now: DateTime<Utc>) -> Result<Reservation> {
        validate_reserve(&req, now)?;
        let mut tx = self.begin().await?;
        let r = reserve_in(&self.db, &mut tx, &req, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(r)
    }

    async fn commit(&self, reservation_id: &str, now: DateTime<Utc>) -> Result<Reservation> {
        let mut tx = self.begin().await?;
        match commit_in(&self.db, &mut tx, reservation_id, now).await? {
            Committed::Done(r) => {
                tx.commit().await.map_err(db_err)?;
                Ok(r)
            }
            Committed::Expired(e) => {
                tx.commit().await.map_err(db_err)?;
                Err(e)
            }
            Committed::Refused(e) => Err(e),
        }
    }

    async fn release(&self, reservation_id: &str) -> Result<Reservation> {
        let mut tx = self.begin().await?;
        let r = self.locked_reservation(&mut tx, reservation_id).await?;
        match r.status {
            ReservationStatus::Released | ReservationStatus::Expired => Ok(r),
            ReservationStatus::Active => {
                Self::apply(&mut tx, &r.allocations, Move::Release).await?;
                let r = Self::set_status(&mut tx, r, ReservationStatus::Released).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(r)
            }
            _ => Err(status_conflict(&r, "release")),
        }
    }

    async fn restock(&self, reservation_id: &str) -> Result<Reservation> {
        let mut tx = self.begin().await?;
        let r = self.locked_reservation(&mut tx, reservation_id).await?;
        match r.status {
            ReservationStatus::Restocked => Ok(r),
            ReservationStatus::Committed => {
                Self::apply(&mut tx, &r.allocations, Move::Restock).await?;
                let r = Self::set_status(&mut tx, r, ReservationStatus::Restocked).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(r)
            }
            _ => Err(status_conflict(&r, "restock")),
        }
    }

    async fn reservation(&self, reservation_id: &str) -> Result<Option<Reservation>> {
        let row = sqlx::query(&format!(
            "SELECT {RES_COLUMNS} FROM kassa_reservations WHERE id = $1"
        ))
        .bind(reservation_id)
        .fetch_optional(self.db.pool())
        .await
        .map_err(db_err)?;
        row.as_ref().map(reservation).transpose()
    }

    async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<Vec<Reservation>> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT {RES_COLUMNS} FROM kassa_reservations WHERE status = 'active' AND expires_at_ns < $1 \
             ORDER BY id{}",
            self.db.skip_locked()
        );
        let rows = sqlx::query(&sql)
            .bind(ns(now)?)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let r = reservation(row)?;
            Self::apply(&mut tx, &r.allocations, Move::Release).await?;
            out.push(Self::set_status(&mut tx, r, ReservationStatus::Expired).await?);
        }
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    /// One transaction: the batch row is the idempotency record (a second writer of the
    /// same id waits on its primary key, then replays), each touched level is locked and
    /// changed with the core's `apply_adjustment`, and the audit entries are appended.
    async fn apply_adjustments(&self, batch: AdjustmentBatch) -> Result<AdjustmentBatchResult> {
        if batch.id.trim().is_empty() {
            return Err(KassaError::validation("id", "must not be empty"));
        }
        if batch.adjustments.is_empty() {
            return Err(KassaError::validation("adjustments", "must not be empty"));
        }
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT adjustments, audit FROM kassa_adjustment_batches WHERE id = $1{}",
            self.db.for_update()
        );
        let applied = sqlx::query(&sql)
            .bind(&batch.id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if let Some(row) = applied {
            let stored: Vec<kassa::inventory::adjustment::Adjustment> =
                from_json(&row.try_get::<String, _>(0).map_err(db_err)?)?;
            if stored != batch.adjustments {
                return Err(KassaError::conflict(format!(
                    "adjustment batch '{}' was already applied with other adjustments",
                    batch.id
                ))
                .with_meta("batchId", batch.id.clone()));
            }
            let audit: Vec<AuditEntry> = from_json(&row.try_get::<String, _>(1).map_err(db_err)?)?;
            let mut levels: Vec<StockLevel> = Vec::new();
            for a in &batch.adjustments {
                if !levels
                    .iter()
                    .any(|l| l.sku == a.sku && l.location_id == a.location)
                {
                    levels.push(self.locked_level(&mut tx, &a.sku, &a.location).await?);
                }
            }
            tx.commit().await.map_err(db_err)?;
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
                    let level = self.locked_level(&mut tx, &adj.sku, &adj.location).await?;
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
        for l in &staged {
            self.upsert_on_hand(&mut tx, &l.sku, &l.location_id, l.on_hand)
                .await?;
        }
        for entry in &audit {
            sqlx::query("INSERT INTO kassa_inventory_audit (sku, entry) VALUES ($1, $2)")
                .bind(&entry.sku)
                .bind(to_json(entry)?)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        sqlx::query(
            "INSERT INTO kassa_adjustment_batches (id, adjustments, audit) VALUES ($1, $2, $3)",
        )
        .bind(&batch.id)
        .bind(to_json(&batch.adjustments)?)
        .bind(to_json(&audit)?)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(AdjustmentBatchResult {
            before,
            after: staged,
            audit,
            replayed: false,
        })
    }

    async fn audit_log(&self, sku: Option<&str>) -> Result<Vec<AuditEntry>> {
        let rows = match sku {
            Some(sku) => {
                sqlx::query("SELECT entry FROM kassa_inventory_audit WHERE sku = $1 ORDER BY seq")
                    .bind(sku)
                    .fetch_all(self.db.pool())
                    .await
            }
            None => {
                sqlx::query("SELECT entry FROM kassa_inventory_audit ORDER BY seq")
                    .fetch_all(self.db.pool())
                    .await
            }
        }
        .map_err(db_err)?;
        rows.iter()
            .map(|r| from_json(&r.try_get::<String, _>(0).map_err(db_err)?))
            .collect()
    }

    async fn health(&self) -> PortHealth {
        self.db.health("inventory").await
    }
}

/// The checks of a reservation request (before any statement).
pub(crate) fn validate_reserve(req: &ReserveRequest, now: DateTime<Utc>) -> Result<()> {
    if req.reservation_id.trim().is_empty() {
        return Err(KassaError::validation("reservationId", "must not be empty"));
    }
    if req.items.is_empty() {
        return Err(KassaError::validation("items", "must not be empty"));
    }
    for (i, d) in req.items.iter().enumerate() {
        if d.quantity == 0 || d.quantity > MAX_LINE_QUANTITY {
            return Err(KassaError::validation(
                format!("items[{i}].quantity"),
                "out of range",
            ));
        }
    }
    if req.expires_at <= now {
        return Err(KassaError::validation("expiresAt", "must be in the future"));
    }
    Ok(())
}

/// Reserves inside `tx` (the request already validated): the SKUs' rows are locked in
/// (SKU, location) order, each allocation is a conditional `UPDATE`, the reservation row is
/// inserted. Nothing is committed.
pub(crate) async fn reserve_in(
    db: &Db,
    tx: &mut Tx,
    req: &ReserveRequest,
    now: DateTime<Utc>,
) -> Result<Reservation> {
    let mut items = req.items.clone();
    items.sort_by(|a, b| a.sku.cmp(&b.sku));
    let lock_sql = format!(
        "SELECT location_id, on_hand - reserved FROM kassa_stock WHERE sku = $1 ORDER BY location_id{}",
        db.for_update()
    );
    let mut allocations = Vec::new();
    for d in &items {
        let rows = sqlx::query(&lock_sql)
            .bind(&d.sku)
            .fetch_all(&mut **tx)
            .await
            .map_err(db_err)?;
        let mut levels = Vec::with_capacity(rows.len());
        for r in &rows {
            let loc: String = r.try_get(0).map_err(db_err)?;
            levels.push((loc, uint(r.try_get::<i64, _>(1).map_err(db_err)?)));
        }
        let available: u64 = levels.iter().map(|(_, a)| *a).sum();
        if available < d.quantity {
            return Err(out_of_stock(&d.sku, d.quantity, available));
        }
        let mut left = d.quantity;
        for (loc, avail) in levels {
            if left == 0 {
                break;
            }
            let take = avail.min(left);
            if take == 0 {
                continue;
            }
            let done = sqlx::query(
                "UPDATE kassa_stock SET reserved = reserved + $3 \
                 WHERE sku = $1 AND location_id = $2 AND on_hand - reserved >= $3",
            )
            .bind(&d.sku)
            .bind(&loc)
            .bind(int(take, "quantity")?)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() != 1 {
                return Err(KassaError::unavailable(
                    "stock changed during the reservation; retry",
                    0,
                ));
            }
            left -= take;
            allocations.push(StockAllocation {
                sku: d.sku.clone(),
                location_id: loc,
                quantity: take,
            });
        }
    }
    let r = Reservation {
        id: req.reservation_id.clone(),
        reference: req.reference.clone(),
        allocations: allocations.into(),
        status: ReservationStatus::Active,
        created_at: now,
        expires_at: req.expires_at,
    };
    let inserted = sqlx::query(
        "INSERT INTO kassa_reservations (id, reference, status, created_at_ns, expires_at_ns, allocations) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&r.id)
    .bind(&r.reference)
    .bind(enum_name(&r.status)?)
    .bind(ns(r.created_at)?)
    .bind(ns(r.expires_at)?)
    .bind(to_json(&r.allocations)?)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if inserted.rows_affected() != 1 {
        return Err(KassaError::conflict(format!(
            "reservation '{}' already exists",
            r.id
        )));
    }
    Ok(r)
}

/// How [`commit_in`] ended.
pub(crate) enum Committed {
    /// Committed now or before: commit the transaction.
    Done(Reservation),
    /// Expired: its stock was released and it is marked expired in the transaction (commit
    /// it), and this is the `CONFLICT` to report.
    Expired(KassaError),
    /// Not committable (unknown, released, ...): nothing written.
    Refused(KassaError),
}

/// Commits a reservation inside `tx` (locked first): the semantics of
/// [`InventoryStore::commit`].
pub(crate) async fn commit_in(
    db: &Db,
    tx: &mut Tx,
    reservation_id: &str,
    now: DateTime<Utc>,
) -> Result<Committed> {
    let sql = format!(
        "SELECT {RES_COLUMNS} FROM kassa_reservations WHERE id = $1{}",
        db.for_update()
    );
    let Some(row) = sqlx::query(&sql)
        .bind(reservation_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?
    else {
        return Ok(Committed::Refused(KassaError::not_found(
            "reservation",
            reservation_id,
        )));
    };
    let r = reservation(&row)?;
    match r.status {
        ReservationStatus::Committed => Ok(Committed::Done(r)),
        ReservationStatus::Active if now > r.expires_at => {
            SqlInventory::apply(tx, &r.allocations, Move::Release).await?;
            let r = SqlInventory::set_status(tx, r, ReservationStatus::Expired).await?;
            Ok(Committed::Expired(status_conflict(&r, "commit")))
        }
        ReservationStatus::Active => {
            SqlInventory::apply(tx, &r.allocations, Move::Commit).await?;
            let r = SqlInventory::set_status(tx, r, ReservationStatus::Committed).await?;
            Ok(Committed::Done(r))
        }
        _ => Ok(Committed::Refused(status_conflict(&r, "commit"))),
    }
}

/// The `OUT_OF_STOCK` of a reservation short of `sku`.
pub(crate) fn out_of_stock(sku: &str, requested: u64, available: u64) -> KassaError {
    KassaError::new(
        ErrorCode::OutOfStock,
        format!("only {available} unit(s) of '{sku}' available, {requested} requested"),
    )
    .with_meta("sku", sku.to_owned())
    .with_meta("requested", requested)
    .with_meta("available", available)
}
