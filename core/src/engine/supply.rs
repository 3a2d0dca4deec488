//! Supply flows over the ports: suppliers and reorder rules, the reorder run (projected stock
//! with open purchase orders, suggestions, low-stock events, draft purchase orders grouped by
//! supplier), purchase orders (send, acknowledge, cancel, receive into stock), and shipments
//! (create, carrier tracking that moves the order's fulfillment).
//!
//! Receiving is crash-safe: the receipt is first recorded on the purchase order
//! (compare-and-set), then its stock is applied through the inventory port as one batch keyed
//! by the receipt id, which the port applies at most once. A failure in between leaves a
//! recorded receipt whose stock is missing; receiving again with the same receipt id, or
//! [`Engine::settle_receipts`], completes it, and never counts the goods twice.
//!
//! Shipments move the order the same way: the shipment is saved first, then each stage
//! (shipped, delivered, returned) is applied to the order once, marked in the order's own
//! history by the reason `shipment <id> <stage>`, so a retry never moves units twice.

use super::events::status_events;
use super::{Engine, Principal};
use crate::error::{ErrorCode, KassaError, Result};
use crate::inventory::adjustment::{Adjustment, AdjustmentChange, AdjustmentReason};
use crate::inventory::reorder::{reorder_run, ReorderRule, ReorderRunInput, ReorderRunResult};
use crate::inventory::reservation::{AdjustmentBatch, AdjustmentBatchResult};
use crate::order::{LineQuantity, Order, Stamp};
use crate::ports::{OutboxEvent, StoredPurchaseOrder, StoredShipment};
use crate::supply::{
    apply_tracking, create_shipment, fulfillment_progress, receive, FulfillmentProgress,
    OrderedQuantity, PurchaseOrder, PurchaseOrderStatus, RealtimeEnvelope, Receipt, ReceiveLine,
    ReceiveRequest, Shipment, ShipmentLine, ShipmentStatus, Supplier, TrackingEvent,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Outbox event type of a purchase order's status change (and of its creation as a draft).
pub const EVENT_PURCHASE_ORDER: &str = "purchase_order_status_changed";
/// Outbox event type of a shipment tracking message; the payload is the real-time envelope
/// `{type, channel: "shipments:<id>", event, data, timestamp}`.
pub const EVENT_SHIPMENT_TRACKING: &str = "shipment_tracking";

/// What a reorder run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReorderRunReport {
    /// Run id (from the id generator; keys its low-stock events).
    pub run_id: String,
    /// Suggestions, alerts and the drafts as computed.
    pub result: ReorderRunResult,
    /// The draft purchase orders stored (empty when drafting was not asked for).
    pub purchase_orders: Vec<StoredPurchaseOrder>,
}

/// Goods arriving against a purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveGoods {
    /// Receipt id, the idempotency key of the receipt (a fresh id when absent). Receiving
    /// again with the same id completes an interrupted receipt and changes nothing else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    /// What arrived.
    pub lines: Vec<ReceiveLine>,
    /// Accept more than ordered.
    #[serde(default)]
    pub allow_over_receipt: bool,
}

/// What receiving did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveResult {
    /// The purchase order after.
    pub purchase_order: StoredPurchaseOrder,
    /// The receipt.
    pub receipt: Receipt,
    /// The stock change (levels before and after, audit entries).
    pub stock: AdjustmentBatchResult,
}

/// A new shipment for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct NewShipment {
    /// The order it fulfills (must be confirmed).
    pub order_id: String,
    /// Carrier.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: String,
    /// Units per SKU (partial shipments allowed); every unit must still be unassigned to
    /// another shipment of the order.
    pub lines: Vec<ShipmentLine>,
}

/// What a tracking update did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TrackingResult {
    /// The shipment after.
    pub shipment: StoredShipment,
    /// The envelopes published (none for duplicates).
    pub envelopes: Vec<RealtimeEnvelope>,
    /// The order after its fulfillment moved (when it did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
}

/// The adjustments a receipt applies: one `received` delta per line at the order's location.
fn receipt_adjustments(receipt: &Receipt) -> Vec<Adjustment> {
    receipt
        .lines
        .iter()
        .map(|l| Adjustment {
            sku: l.sku.clone(),
            location: receipt.location.clone(),
            change: AdjustmentChange::Delta {
                quantity: l.quantity,
            },
            reason: AdjustmentReason::Received,
            actor: receipt.actor.clone(),
            note: Some(format!(
                "purchase order {} receipt {}",
                receipt.purchase_order_id, receipt.id
            )),
        })
        .collect()
}

fn is_stale(e: &KassaError) -> bool {
    e.code == ErrorCode::Conflict && e.meta.contains_key("storedVersion")
}

impl Engine {
    async fn publish_json<T: Serialize>(
        &self,
        id: String,
        event_type: &str,
        aggregate_id: &str,
        payload: &T,
    ) -> Result<()> {
        let payload = serde_json::to_string(payload)
            .map_err(|e| KassaError::internal(format!("{event_type} payload: {e}")))?;
        self.ports
            .events
            .publish(OutboxEvent {
                id,
                event_type: event_type.to_owned(),
                schema_version: 1,
                aggregate_id: aggregate_id.to_owned(),
                occurred_at: self.now(),
                payload,
            })
            .await
    }

    async fn publish_po_change(&self, po: &PurchaseOrder) -> Result<()> {
        let n = po.history.len();
        let (from, actor, reason) = match po.history.last() {
            Some(h) => (Some(h.from.as_str()), h.actor.as_str(), h.reason.clone()),
            None => (None, "", None),
        };
        let payload = serde_json::json!({
            "purchaseOrderId": po.id,
            "supplierId": po.supplier_id,
            "location": po.location,
            "from": from,
            "to": po.status.as_str(),
            "actor": actor,
            "reason": reason,
            "total": po.total()?,
        });
        self.publish_json(
            format!("{}:{EVENT_PURCHASE_ORDER}:{n}", po.id),
            EVENT_PURCHASE_ORDER,
            &po.id,
            &payload,
        )
        .await
    }

    /// Adds or replaces a supplier. Needs `suppliers:update`.
    pub async fn put_supplier(&self, actor: &Principal, supplier: Supplier) -> Result<Supplier> {
        self.authorize_all(actor, "suppliers", "update")?;
        self.ports.supply.put_supplier(supplier).await
    }

    /// Adds or replaces the reorder rule of a SKU at a location. Needs `inventory:update`.
    pub async fn put_reorder_rule(
        &self,
        actor: &Principal,
        rule: ReorderRule,
    ) -> Result<ReorderRule> {
        self.authorize_all(actor, "inventory", "update")?;
        self.ports.supply.put_reorder_rule(rule).await
    }

    /// The reorder run over every reorder rule: projected stock = on hand − reserved + units
    /// still expected on purchase orders (drafts, sent, acknowledged, partially received,
    /// so a second run does not order the same goods twice), suggestions with reasons,
    /// one `low_stock` event per alert, and, with `draft`, the draft purchase orders stored
    /// (one per supplier and location, each announced by a `purchase_order_status_changed`
    /// event). Needs `inventory:read`, and `purchase_orders:create` to draft.
    pub async fn reorder_run(&self, actor: &Principal, draft: bool) -> Result<ReorderRunReport> {
        self.authorize_all(actor, "inventory", "read")?;
        if draft {
            self.authorize_all(actor, "purchase_orders", "create")?;
        }
        let rules = self.ports.supply.reorder_rules().await?;
        let suppliers = self.ports.supply.suppliers().await?;
        let mut stock: HashMap<(String, String), (u64, u64)> = HashMap::new();
        for l in self.ports.inventory.all_stock().await? {
            stock.insert((l.sku, l.location_id), (l.on_hand, l.reserved));
        }
        let mut on_order: HashMap<(String, String), i64> = HashMap::new();
        for po in self.ports.supply.purchase_orders(false).await? {
            let po = po.purchase_order;
            if !(po.status.is_open() || po.status == PurchaseOrderStatus::Draft) {
                continue;
            }
            for (sku, q) in po.outstanding() {
                let e = on_order
                    .entry((sku.to_owned(), po.location.clone()))
                    .or_insert(0);
                *e = e.saturating_add(q);
            }
        }
        let to_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let items = rules
            .iter()
            .map(|r| {
                let key = (r.sku.clone(), r.location.clone());
                let (on_hand, reserved) = stock.get(&key).copied().unwrap_or((0, 0));
                r.item(
                    to_i64(on_hand),
                    to_i64(reserved),
                    on_order.get(&key).copied().unwrap_or(0),
                )
            })
            .collect();
        let result = reorder_run(&ReorderRunInput { suppliers, items })?;
        let run_id = self.ports.ids.next_id("reorder");
        for alert in &result.alerts {
            self.publish_low_stock(alert, &format!("{run_id}:{}", alert.location))
                .await?;
        }
        let mut purchase_orders = Vec::new();
        if draft {
            for d in &result.purchase_orders {
                let id = self.ports.ids.next_id("po");
                let po = PurchaseOrder::from_draft(&id, d)?;
                let stored = self
                    .ports
                    .supply
                    .insert_purchase_order(StoredPurchaseOrder {
                        purchase_order: po,
                        receipts: Vec::new(),
                        created_at: self.now(),
                        version: 0,
                    })
                    .await?;
                self.publish_po_change(&stored.purchase_order).await?;
                purchase_orders.push(stored);
            }
        }
        Ok(ReorderRunReport {
            run_id,
            result,
            purchase_orders,
        })
    }

    /// One purchase order. Needs `purchase_orders:read`.
    pub async fn purchase_order(&self, actor: &Principal, id: &str) -> Result<StoredPurchaseOrder> {
        self.authorize_all(actor, "purchase_orders", "read")?;
        self.load_po(id).await
    }

    async fn load_po(&self, id: &str) -> Result<StoredPurchaseOrder> {
        self.ports
            .supply
            .purchase_order(id)
            .await?
            .ok_or_else(|| KassaError::not_found("purchaseOrder", id))
    }

    async fn move_po(
        &self,
        actor: &Principal,
        id: &str,
        action: &str,
        to: PurchaseOrderStatus,
        reason: Option<String>,
    ) -> Result<StoredPurchaseOrder> {
        self.authorize_all(actor, "purchase_orders", action)?;
        let now = self.now();
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut stored = self.load_po(id).await?;
            stored
                .purchase_order
                .transition(to, &actor.id, now, reason.clone())?;
            match self
                .ports
                .supply
                .compare_and_set_purchase_order(stored)
                .await
            {
                Ok(saved) => {
                    self.publish_po_change(&saved.purchase_order).await?;
                    return Ok(saved);
                }
                Err(e) if is_stale(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(KassaError::conflict(format!(
            "purchase order '{id}' is being changed by others; try again"
        )))
    }

    /// Sends a draft purchase order to its supplier. Needs `purchase_orders:send`.
    pub async fn send_purchase_order(
        &self,
        actor: &Principal,
        id: &str,
    ) -> Result<StoredPurchaseOrder> {
        self.move_po(actor, id, "send", PurchaseOrderStatus::Sent, None)
            .await
    }

    /// Records the supplier's acknowledgement. Needs `purchase_orders:acknowledge`.
    pub async fn acknowledge_purchase_order(
        &self,
        actor: &Principal,
        id: &str,
    ) -> Result<StoredPurchaseOrder> {
        self.move_po(
            actor,
            id,
            "acknowledge",
            PurchaseOrderStatus::Acknowledged,
            None,
        )
        .await
    }

    /// Cancels a purchase order before goods arrive. Needs `purchase_orders:cancel`.
    pub async fn cancel_purchase_order(
        &self,
        actor: &Principal,
        id: &str,
        reason: &str,
    ) -> Result<StoredPurchaseOrder> {
        self.move_po(
            actor,
            id,
            "cancel",
            PurchaseOrderStatus::Cancelled,
            Some(reason.to_owned()),
        )
        .await
    }

    /// Receives goods (partial or full) against a sent or acknowledged purchase order: the
    /// receipt is recorded on the order (status `partially_received` or `received`), then on
    /// hand rises at the order's location through one audited inventory batch keyed by the
    /// receipt id. Over-receipt is `VALIDATION_ERROR` unless allowed. Needs
    /// `purchase_orders:receive`.
    pub async fn receive_purchase_order(
        &self,
        actor: &Principal,
        id: &str,
        goods: &ReceiveGoods,
    ) -> Result<ReceiveResult> {
        self.authorize_all(actor, "purchase_orders", "receive")?;
        let receipt_id = match &goods.receipt_id {
            Some(r) if !r.trim().is_empty() => r.clone(),
            Some(_) => return Err(KassaError::validation("receiptId", "must not be empty")),
            None => self.ports.ids.next_id("receipt"),
        };
        let now = self.now();
        let mut saved = None;
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut stored = self.load_po(id).await?;
            if let Some(done) = stored.receipts.iter().find(|r| r.id == receipt_id) {
                if done.lines != goods.lines {
                    return Err(KassaError::conflict(format!(
                        "receipt '{receipt_id}' was recorded with other lines"
                    ))
                    .with_meta("receiptId", receipt_id.clone()));
                }
                saved = Some((stored.clone(), done.clone()));
                break;
            }
            let outcome = receive(
                &stored.purchase_order,
                &ReceiveRequest {
                    receipt_id: receipt_id.clone(),
                    lines: goods.lines.clone(),
                    allow_over_receipt: goods.allow_over_receipt,
                    actor: actor.id.clone(),
                    at: now,
                },
            )?;
            stored.purchase_order = outcome.purchase_order;
            stored.receipts.push(outcome.receipt.clone());
            match self
                .ports
                .supply
                .compare_and_set_purchase_order(stored)
                .await
            {
                Ok(s) => {
                    self.publish_po_change(&s.purchase_order).await?;
                    saved = Some((s, outcome.receipt));
                    break;
                }
                Err(e) if is_stale(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        let Some((purchase_order, receipt)) = saved else {
            return Err(KassaError::conflict(format!(
                "purchase order '{id}' is being changed by others; try again"
            )));
        };
        let stock = self.apply_receipt(&receipt).await?;
        Ok(ReceiveResult {
            purchase_order,
            receipt,
            stock,
        })
    }

    async fn apply_receipt(&self, receipt: &Receipt) -> Result<AdjustmentBatchResult> {
        self.ports
            .inventory
            .apply_adjustments(AdjustmentBatch {
                id: receipt.id.clone(),
                adjustments: receipt_adjustments(receipt),
                at: receipt.at,
            })
            .await
    }

    /// Applies the stock of every recorded receipt whose stock is missing (after a failure
    /// between recording a receipt and applying it); receipts already applied are no-ops.
    /// Returns how many receipts were completed now. Needs `purchase_orders:receive`.
    pub async fn settle_receipts(&self, actor: &Principal) -> Result<usize> {
        self.authorize_all(actor, "purchase_orders", "receive")?;
        let mut completed = 0;
        for po in self.ports.supply.purchase_orders(false).await? {
            for r in &po.receipts {
                if !self.apply_receipt(r).await?.replayed {
                    completed += 1;
                }
            }
        }
        Ok(completed)
    }

    /// Creates a shipment (label created) for part or all of a confirmed order and publishes
    /// its first tracking envelope. Units are per SKU; more than the order still has
    /// unassigned to other shipments is `VALIDATION_ERROR`. Needs `shipments:create`.
    pub async fn create_shipment(
        &self,
        actor: &Principal,
        new: &NewShipment,
    ) -> Result<StoredShipment> {
        self.authorize_all(actor, "shipments", "create")?;
        let order = self.load_order(&new.order_id).await?;
        let existing = self.ports.supply.shipments_of_order(&order.id).await?;
        let mut assigned: HashMap<String, u32> = HashMap::new();
        for s in existing
            .iter()
            .filter(|s| s.shipment.status != ShipmentStatus::Returned)
        {
            for lq in &s.order_lines {
                *assigned.entry(lq.line_id.clone()).or_insert(0) += lq.quantity;
            }
        }
        let mut order_lines: Vec<LineQuantity> = Vec::new();
        for (i, sl) in new.lines.iter().enumerate() {
            let mut left = u32::try_from(sl.quantity).map_err(|_| {
                KassaError::validation(format!("lines[{i}].quantity"), "must be positive")
            })?;
            if left == 0 {
                return Err(KassaError::validation(
                    format!("lines[{i}].quantity"),
                    "must be positive",
                ));
            }
            for line in order.lines.iter().filter(|l| l.sku == sl.sku) {
                let used = assigned.entry(line.line_id.clone()).or_insert(0);
                let room = line.quantity.saturating_sub(*used);
                let take = room.min(left);
                if take > 0 {
                    *used += take;
                    left -= take;
                    order_lines.push(LineQuantity {
                        line_id: line.line_id.clone(),
                        quantity: take,
                    });
                }
            }
            if left > 0 {
                return Err(KassaError::validation(
                    format!("lines[{i}].quantity"),
                    format!(
                        "{left} unit(s) of '{}' are not on the order or already in a shipment",
                        sl.sku
                    ),
                ));
            }
        }
        // the order must accept shipping these units (confirmed, paid): dry run
        let now = self.now();
        order
            .clone()
            .ship(Some(&order_lines), Stamp::new(&actor.id, now, "check"))?;
        let id = self.ports.ids.next_id("shipment");
        let shipment = create_shipment(
            &id,
            &order.id,
            &new.carrier,
            &new.tracking_number,
            new.lines.clone(),
            now,
        )?;
        let stored = self
            .ports
            .supply
            .insert_shipment(StoredShipment {
                shipment,
                order_lines,
                version: 0,
            })
            .await?;
        if let Some(label) = stored.shipment.events.first() {
            let mut probe = stored.shipment.clone();
            probe.events.clear();
            let out = apply_tracking(&probe, label, now)?;
            if let Some(env) = out.envelope {
                self.publish_envelope(&stored.shipment, &label.event_id, &env)
                    .await?;
            }
        }
        Ok(stored)
    }

    async fn publish_envelope(
        &self,
        shipment: &Shipment,
        event_id: &str,
        envelope: &RealtimeEnvelope,
    ) -> Result<()> {
        self.publish_json(
            format!("{}:tracking:{event_id}", shipment.id),
            EVENT_SHIPMENT_TRACKING,
            &shipment.id,
            envelope,
        )
        .await
    }

    /// Applies carrier tracking events to a shipment (idempotent by event id, safe out of
    /// order by event time), publishes one real-time envelope per new event, and moves the
    /// order's fulfillment: in transit (or any later carrier status) ships the shipment's
    /// units, delivered delivers them, returned after delivery records them returned. Needs
    /// `shipments:update`.
    pub async fn track_shipment(
        &self,
        actor: &Principal,
        shipment_id: &str,
        events: &[TrackingEvent],
    ) -> Result<TrackingResult> {
        self.authorize_all(actor, "shipments", "update")?;
        let now = self.now();
        let mut saved = None;
        for _ in 0..self.config.max_write_retries.max(1) {
            let mut stored = self
                .ports
                .supply
                .shipment(shipment_id)
                .await?
                .ok_or_else(|| KassaError::not_found("shipment", shipment_id))?;
            let mut envelopes = Vec::new();
            for (i, e) in events.iter().enumerate() {
                let out = apply_tracking(&stored.shipment, e, now).map_err(|mut err| {
                    for d in &mut err.details {
                        d.field = format!("events[{i}].{}", d.field);
                    }
                    err
                })?;
                stored.shipment = out.shipment;
                if let Some(env) = out.envelope {
                    envelopes.push((e.event_id.clone(), env));
                }
            }
            if envelopes.is_empty() {
                saved = Some((stored, envelopes));
                break;
            }
            match self.ports.supply.compare_and_set_shipment(stored).await {
                Ok(s) => {
                    saved = Some((s, envelopes));
                    break;
                }
                Err(e) if is_stale(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        let Some((shipment, envelopes)) = saved else {
            return Err(KassaError::conflict(format!(
                "shipment '{shipment_id}' is being changed by others; try again"
            )));
        };
        for (event_id, env) in &envelopes {
            self.publish_envelope(&shipment.shipment, event_id, env)
                .await?;
        }
        let order = self.sync_order_with_shipment(actor, &shipment).await?;
        Ok(TrackingResult {
            shipment,
            envelopes: envelopes.into_iter().map(|(_, e)| e).collect(),
            order,
        })
    }

    /// Applies the stages of every shipment of the order to the order, each at most once
    /// (marked in the order's history): first every shipped stage, then delivered, then
    /// returned. A stage the order's fulfillment machine does not allow yet (a partial
    /// delivery while other units are not shipped) is deferred, and applied by a later
    /// sync once the rest has shipped. Returns the order when it changed.
    async fn sync_order_with_shipment(
        &self,
        actor: &Principal,
        stored: &StoredShipment,
    ) -> Result<Option<Order>> {
        let order_id = stored.shipment.order_id.clone();
        let shipments = self.ports.supply.shipments_of_order(&order_id).await?;
        let marker = |id: &str, stage: &str| format!("shipment {id} {stage}");
        let mut changed = None;
        for stage in ["shipped", "delivered", "returned"] {
            for s in &shipments {
                let status = s.shipment.status;
                let due = match stage {
                    "shipped" => status.is_shipped() || status == ShipmentStatus::Delivered,
                    "delivered" => status == ShipmentStatus::Delivered,
                    _ => status == ShipmentStatus::Returned,
                };
                if !due {
                    continue;
                }
                let current = self.load_order(&order_id).await?;
                let has = |o: &Order, st: &str| {
                    o.history
                        .iter()
                        .any(|h| h.reason == marker(&s.shipment.id, st))
                };
                if has(&current, stage) || (stage == "returned" && !has(&current, "delivered")) {
                    continue;
                }
                let reason = marker(&s.shipment.id, stage);
                let now = self.now();
                let lines = s.order_lines.clone();
                let moved = self
                    .mutate_order_from(&order_id, Some(current), |o| {
                        if o.history.iter().any(|h| h.reason == reason) {
                            return Ok(Vec::new());
                        }
                        let start = o.history.len();
                        let stamp = Stamp::new(&actor.id, now, &reason);
                        match stage {
                            "shipped" => o.ship(Some(&lines), stamp)?,
                            "delivered" => o.deliver(Some(&lines), stamp)?,
                            _ => o.mark_returned(Some(&lines), stamp)?,
                        }
                        Ok(status_events(o, start))
                    })
                    .await;
                match moved {
                    Ok(o) => changed = Some(o),
                    // not allowed yet by the fulfillment machine: deferred
                    Err(e)
                        if e.code == ErrorCode::Conflict
                            && e.meta.get("machine").and_then(|m| m.as_str())
                                == Some("fulfillment") => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(changed)
    }

    /// The shipments of an order and the order's shipment progress: its owner (customer) or
    /// staff; another customer's order is `NOT_FOUND`.
    pub async fn order_shipments(
        &self,
        actor: &Principal,
        order_id: &str,
    ) -> Result<(Vec<Shipment>, FulfillmentProgress)> {
        self.authorize_kind(actor, "orders", "read")?;
        let order = self.load_order(order_id).await?;
        self.authorize_owned(actor, "orders", "read", order_id, &order.customer_id)?;
        let shipments: Vec<Shipment> = self
            .ports
            .supply
            .shipments_of_order(order_id)
            .await?
            .into_iter()
            .map(|s| s.shipment)
            .collect();
        let mut ordered: BTreeMap<&str, i64> = BTreeMap::new();
        for l in order.lines.iter() {
            *ordered.entry(l.sku.as_str()).or_insert(0) += i64::from(l.quantity);
        }
        let ordered: Vec<OrderedQuantity> = ordered
            .into_iter()
            .map(|(sku, quantity)| OrderedQuantity {
                sku: sku.to_owned(),
                quantity,
            })
            .collect();
        let progress = fulfillment_progress(&ordered, &shipments)?;
        Ok((shipments, progress))
    }
}
