//! The order aggregate.

use super::history::{transition, HistoryEntry, Stamp};
use super::machine::{FulfillmentStatus, GuardFacts, OrderStatus, StateMachine};
use super::refund::Refund;
use crate::error::{KassaError, Result};
use crate::money::{Currency, Money};
use crate::payment::Payment;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One priced line of an order (prices frozen at checkout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// Line id (the cart line's id).
    pub line_id: String,
    /// Stock keeping unit.
    pub sku: String,
    /// Product id.
    pub product_id: String,
    /// Product name at the time of the order.
    pub name: String,
    /// Variant label at the time of the order (may be empty).
    #[serde(default)]
    pub variant: String,
    /// Units ordered.
    pub quantity: u32,
    /// Catalog unit price at the time of the order.
    pub unit_price: Money,
    /// Discount on the line (positive amount).
    pub discount: Money,
    /// Tax on the line.
    pub tax: Money,
    /// What the customer pays for the line.
    pub total: Money,
    /// Units shipped so far.
    #[serde(default)]
    pub shipped: u32,
    /// Units delivered so far.
    #[serde(default)]
    pub delivered: u32,
    /// Units returned so far.
    #[serde(default)]
    pub returned: u32,
    /// Amount refunded against this line so far.
    pub refunded: Money,
}

/// The totals of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OrderTotals {
    /// Sum of unit price × quantity.
    pub subtotal: Money,
    /// Discounts (positive amount).
    pub discount: Money,
    /// Tax.
    pub tax: Money,
    /// Shipping.
    pub shipping: Money,
    /// What the customer pays.
    pub total: Money,
}

/// A line to create an order with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct NewOrderLine {
    /// Line id.
    pub line_id: String,
    /// Stock keeping unit.
    pub sku: String,
    /// Product id.
    pub product_id: String,
    /// Product name.
    pub name: String,
    /// Variant label (may be empty).
    #[serde(default)]
    pub variant: String,
    /// Units (at least 1).
    pub quantity: u32,
    /// Unit price.
    pub unit_price: Money,
    /// Discount on the line.
    pub discount: Money,
    /// Tax on the line.
    pub tax: Money,
    /// Line total.
    pub total: Money,
}

/// Everything needed to create an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct NewOrder {
    /// Order id (from the `IdGenerator`).
    pub id: String,
    /// Human-readable unique order number.
    pub number: String,
    /// The customer.
    pub customer_id: String,
    /// The cart the order came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_id: Option<String>,
    /// Lines (at least one).
    pub lines: Vec<NewOrderLine>,
    /// Totals.
    pub totals: OrderTotals,
    /// Coupon codes redeemed for the order.
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// The stock reservation held for the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
}

/// A quantity of one order line (for shipping, delivery and returns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct LineQuantity {
    /// The order line.
    pub line_id: String,
    /// Units.
    pub quantity: u32,
}

/// The order aggregate: lines, totals, its three statuses, payment, refunds, history, and a
/// version for compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Order id.
    pub id: String,
    /// Human-readable unique order number (e.g. `"KS-000042"`).
    pub number: String,
    /// The customer (owner) of the order.
    pub customer_id: String,
    /// The cart the order came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_id: Option<String>,
    /// Currency of every amount.
    pub currency: Currency,
    /// Lines, shared between copies of the order: a store keeps a copy of every version it
    /// writes, and lines change far less often than statuses, payment and history, so copying
    /// an order copies one pointer instead of every line. Change them with
    /// [`Arc::make_mut`], which copies them only while another copy shares them.
    pub lines: Arc<Vec<OrderLine>>,
    /// Totals.
    pub totals: OrderTotals,
    /// Coupon codes redeemed for the order.
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// Order status.
    pub status: OrderStatus,
    /// Fulfillment status.
    pub fulfillment_status: FulfillmentStatus,
    /// The payment (with its own status).
    pub payment: Payment,
    /// The stock reservation held for the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    /// Refunds, oldest first.
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// Every transition of the three machines, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// Version for compare-and-set: stores bump it on every successful write.
    pub version: u64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

fn sum_lines(
    currency: Currency,
    lines: &[NewOrderLine],
    f: impl Fn(&NewOrderLine) -> Money,
) -> Result<Money> {
    lines
        .iter()
        .try_fold(Money::zero(currency), |acc, l| acc.checked_add(&f(l)))
}

/// The human-readable number of the `n`-th order: `{prefix}-{n:06}` (`KS-000042`; wider
/// when `n` passes 999,999). Every order store numbers orders this way.
pub fn order_number(prefix: &str, n: u64) -> String {
    crate::text::with_number(&[prefix, "-"], n, 6)
}

impl Order {
    /// Creates a pending order after validating lines and totals.
    pub fn create(new: NewOrder, now: DateTime<Utc>) -> Result<Order> {
        let currency = new.totals.total.currency();
        if new.lines.is_empty() {
            return Err(KassaError::validation(
                "items",
                "an order needs at least one line",
            ));
        }
        for (i, l) in new.lines.iter().enumerate() {
            if l.quantity == 0 {
                return Err(KassaError::validation(
                    format!("items[{i}].quantity"),
                    "must be at least 1",
                ));
            }
            for m in [&l.unit_price, &l.discount, &l.tax, &l.total] {
                if m.currency() != currency {
                    return Err(KassaError::validation(
                        format!("items[{i}].currency"),
                        format!(
                            "{} does not match the order currency {currency}",
                            m.currency()
                        ),
                    ));
                }
            }
            if l.total.is_negative() {
                return Err(KassaError::validation(
                    format!("items[{i}].total"),
                    "must not be negative",
                ));
            }
        }
        let t = &new.totals;
        for m in [&t.subtotal, &t.discount, &t.tax, &t.shipping] {
            if m.currency() != currency {
                return Err(KassaError::validation(
                    "totals.currency",
                    "totals mix currencies",
                ));
            }
        }
        if !t.total.is_rounded() || t.total.is_negative() {
            return Err(KassaError::validation(
                "totals.total",
                "must be a non-negative amount in minor units",
            ));
        }
        let line_totals = sum_lines(currency, &new.lines, |l| l.total)?;
        let expected = line_totals.checked_add(&t.shipping)?;
        if expected != t.total {
            return Err(KassaError::validation(
                "totals.total",
                format!("line totals plus shipping are {expected}, not {}", t.total),
            ));
        }
        let zero = Money::zero(currency);
        let lines = new
            .lines
            .into_iter()
            .map(|l| OrderLine {
                line_id: l.line_id,
                sku: l.sku,
                product_id: l.product_id,
                name: l.name,
                variant: l.variant,
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount: l.discount,
                tax: l.tax,
                total: l.total,
                shipped: 0,
                delivered: 0,
                returned: 0,
                refunded: zero,
            })
            .collect::<Vec<_>>();
        Ok(Order {
            id: new.id,
            number: new.number,
            customer_id: new.customer_id,
            cart_id: new.cart_id,
            currency,
            lines: Arc::new(lines),
            payment: Payment::new(new.totals.total),
            totals: new.totals,
            coupon_codes: new.coupon_codes,
            status: OrderStatus::INITIAL,
            fulfillment_status: FulfillmentStatus::INITIAL,
            reservation_id: new.reservation_id,
            refunds: Vec::new(),
            history: Vec::new(),
            version: 0,
            created_at: now,
            updated_at: now,
        })
    }

    /// Units ordered over all lines.
    pub fn units(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }

    /// The guard facts of the order as it is now.
    pub fn facts(&self) -> Result<GuardFacts> {
        let mut f = self.payment.facts_with(
            &self.payment.authorized,
            &self.payment.captured,
            &self.payment.refunded,
        )?;
        f.units_total = self.units();
        f.units_shipped = self.lines.iter().map(|l| u64::from(l.shipped)).sum();
        f.units_delivered = self.lines.iter().map(|l| u64::from(l.delivered)).sum();
        f.units_returned = self.lines.iter().map(|l| u64::from(l.returned)).sum();
        Ok(f)
    }

    fn move_order(&mut self, to: OrderStatus, stamp: Stamp<'_>) -> Result<()> {
        let facts = self.facts()?;
        transition(&mut self.status, to, &facts, &mut self.history, stamp)?;
        self.updated_at = stamp.at;
        Ok(())
    }

    /// pending → confirmed (requires the payment to be secured).
    pub fn confirm(&mut self, stamp: Stamp<'_>) -> Result<()> {
        self.move_order(OrderStatus::Confirmed, stamp)
    }

    /// → cancelled (requires nothing shipped). Payment and stock are the engine's job.
    pub fn cancel(&mut self, stamp: Stamp<'_>) -> Result<()> {
        self.move_order(OrderStatus::Cancelled, stamp)
    }

    /// confirmed → completed (requires every unit delivered).
    pub fn complete(&mut self, stamp: Stamp<'_>) -> Result<()> {
        self.move_order(OrderStatus::Completed, stamp)
    }

    /// Resolves line quantities (`None` = every remaining unit of every line) into per-line
    /// increments, checking each against `room(line)`.
    fn increments(
        &self,
        field: &str,
        lines: Option<&[LineQuantity]>,
        room: impl Fn(&OrderLine) -> u32,
    ) -> Result<Vec<u32>> {
        let mut inc = vec![0u32; self.lines.len()];
        match lines {
            None => {
                for (slot, line) in inc.iter_mut().zip(self.lines.iter()) {
                    *slot = room(line);
                }
            }
            Some(req) => {
                for (i, lq) in req.iter().enumerate() {
                    let pos = self
                        .lines
                        .iter()
                        .position(|l| l.line_id == lq.line_id)
                        .ok_or_else(|| {
                            KassaError::validation(
                                format!("{field}[{i}].lineId"),
                                format!("unknown line '{}'", lq.line_id),
                            )
                        })?;
                    let (Some(slot), Some(line)) = (inc.get_mut(pos), self.lines.get(pos)) else {
                        return Err(KassaError::internal("line index out of range"));
                    };
                    if lq.quantity == 0 {
                        return Err(KassaError::validation(
                            format!("{field}[{i}].quantity"),
                            "must be at least 1",
                        ));
                    }
                    let next = slot.saturating_add(lq.quantity);
                    if next > room(line) {
                        return Err(KassaError::validation(
                            format!("{field}[{i}].quantity"),
                            format!(
                                "only {} unit(s) of line '{}' can be moved",
                                room(line),
                                lq.line_id
                            ),
                        ));
                    }
                    *slot = next;
                }
            }
        }
        if inc.iter().all(|q| *q == 0) {
            return Err(KassaError::validation(field, "no units to move"));
        }
        Ok(inc)
    }

    /// Ships units (`None` = everything not shipped yet). The order must be confirmed.
    pub fn ship(&mut self, lines: Option<&[LineQuantity]>, stamp: Stamp<'_>) -> Result<()> {
        self.require_status(OrderStatus::Confirmed, "ship")?;
        self.advance_units(UnitStage::Shipped, lines, stamp)
    }

    /// Marks shipped units delivered (`None` = everything shipped and not delivered).
    pub fn deliver(&mut self, lines: Option<&[LineQuantity]>, stamp: Stamp<'_>) -> Result<()> {
        self.require_status(OrderStatus::Confirmed, "deliver")?;
        self.advance_units(UnitStage::Delivered, lines, stamp)
    }

    /// Records returned units (`None` = everything delivered).
    pub fn mark_returned(
        &mut self,
        lines: Option<&[LineQuantity]>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        self.advance_units(UnitStage::Returned, lines, stamp)
    }

    /// Moves units one fulfillment stage on: the fulfillment transition is checked against the
    /// facts as they would be after the move, and the lines change only if it is legal.
    fn advance_units(
        &mut self,
        stage: UnitStage,
        lines: Option<&[LineQuantity]>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        let inc = self.increments("lines", lines, |l| stage.pending(l))?;
        let mut facts = self.facts()?;
        *stage.facts_counter(&mut facts) += inc.iter().map(|q| u64::from(*q)).sum::<u64>();
        transition(
            &mut self.fulfillment_status,
            stage.target(&facts),
            &facts,
            &mut self.history,
            stamp,
        )?;
        for (line, q) in Arc::make_mut(&mut self.lines).iter_mut().zip(inc) {
            *stage.line_counter(line) += q;
        }
        self.updated_at = stamp.at;
        Ok(())
    }

    fn require_status(&self, want: OrderStatus, what: &str) -> Result<()> {
        if self.status == want {
            Ok(())
        } else {
            Err(KassaError::conflict(format!(
                "cannot {what} an order that is '{}'; it must be '{want}'",
                self.status
            ))
            .with_meta("current", self.status.name())
            .with_meta("attempted", what))
        }
    }

    /// Whether any unit has shipped.
    pub fn any_shipped(&self) -> bool {
        self.lines.iter().any(|l| l.shipped > 0)
    }

    /// Runs a payment operation that records into this order's history.
    pub fn with_payment<T>(
        &mut self,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut Payment, &mut Vec<HistoryEntry>) -> Result<T>,
    ) -> Result<T> {
        let out = f(&mut self.payment, &mut self.history)?;
        self.updated_at = at;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::PaymentStatus;
    use chrono::TimeZone;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("USD").unwrap())
    }

    pub(crate) fn sample() -> Order {
        let line = |id: &str, q: u32, unit: i64| NewOrderLine {
            line_id: id.into(),
            sku: format!("SKU-{id}"),
            product_id: format!("p-{id}"),
            name: id.into(),
            variant: String::new(),
            quantity: q,
            unit_price: usd(unit),
            discount: usd(0),
            tax: usd(0),
            total: usd(unit * i64::from(q)),
        };
        Order::create(
            NewOrder {
                id: "order_1".into(),
                number: "KS-000001".into(),
                customer_id: "cust_1".into(),
                cart_id: None,
                lines: vec![line("a", 2, 500), line("b", 1, 300)],
                totals: OrderTotals {
                    subtotal: usd(1300),
                    discount: usd(0),
                    tax: usd(0),
                    shipping: usd(200),
                    total: usd(1500),
                },
                coupon_codes: vec![],
                reservation_id: None,
            },
            t0(),
        )
        .unwrap()
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn totals_must_add_up() {
        let mut o = sample();
        o.payment.amount = usd(1);
        let mut new = NewOrder {
            id: "x".into(),
            number: "n".into(),
            customer_id: "c".into(),
            cart_id: None,
            lines: vec![],
            totals: o.totals.clone(),
            coupon_codes: vec![],
            reservation_id: None,
        };
        assert_eq!(
            Order::create(new.clone(), t0()).unwrap_err().details[0].field,
            "items"
        );
        new.lines = vec![NewOrderLine {
            line_id: "a".into(),
            sku: "s".into(),
            product_id: "p".into(),
            name: "n".into(),
            variant: String::new(),
            quantity: 1,
            unit_price: usd(100),
            discount: usd(0),
            tax: usd(0),
            total: usd(100),
        }];
        assert_eq!(
            Order::create(new, t0()).unwrap_err().details[0].field,
            "totals.total"
        );
    }

    #[test]
    fn lifecycle_records_history() {
        let mut o = sample();
        let s = Stamp::new("admin_1", t0(), "test");
        assert!(o.confirm(s).is_err(), "payment not secured");
        o.with_payment(t0(), |p, h| p.authorize_and_capture(usd(1500), None, h, s))
            .unwrap();
        o.confirm(s).unwrap();
        o.ship(
            Some(&[LineQuantity {
                line_id: "a".into(),
                quantity: 1,
            }]),
            s,
        )
        .unwrap();
        assert_eq!(o.fulfillment_status, FulfillmentStatus::PartiallyFulfilled);
        let err = o.cancel(s).unwrap_err();
        assert_eq!(err.meta["guard"], "nothing shipped");
        o.ship(None, s).unwrap();
        assert_eq!(o.fulfillment_status, FulfillmentStatus::Fulfilled);
        o.deliver(None, s).unwrap();
        o.complete(s).unwrap();
        assert_eq!(o.status, OrderStatus::Completed);
        assert_eq!(o.payment.status, PaymentStatus::Captured);
        assert_eq!(o.history.len(), 6);
        assert!(o.history.iter().all(|h| h.actor == "admin_1"));
        let err = o.cancel(s).unwrap_err();
        assert_eq!(err.meta["current"], "completed");
    }

    #[test]
    fn over_shipping_is_refused_without_change() {
        let mut o = sample();
        let s = Stamp::new("a", t0(), "t");
        o.with_payment(t0(), |p, h| p.authorize(usd(1500), None, h, s))
            .unwrap();
        o.confirm(s).unwrap();
        let before = o.clone();
        let err = o
            .ship(
                Some(&[LineQuantity {
                    line_id: "b".into(),
                    quantity: 2,
                }]),
                s,
            )
            .unwrap_err();
        assert_eq!(err.details[0].field, "lines[0].quantity");
        assert_eq!(o, before);
        let err = o
            .ship(
                Some(&[LineQuantity {
                    line_id: "zz".into(),
                    quantity: 1,
                }]),
                s,
            )
            .unwrap_err();
        assert_eq!(err.details[0].field, "lines[0].lineId");
    }
}

/// The per-line unit counters fulfillment moves through: ordered → shipped → delivered →
/// returned.
#[derive(Debug, Clone, Copy)]
enum UnitStage {
    Shipped,
    Delivered,
    Returned,
}

impl UnitStage {
    /// Units of a line that can still move into this stage.
    fn pending(self, l: &OrderLine) -> u32 {
        match self {
            UnitStage::Shipped => l.quantity.saturating_sub(l.shipped),
            UnitStage::Delivered => l.shipped.saturating_sub(l.delivered),
            UnitStage::Returned => l.delivered.saturating_sub(l.returned),
        }
    }

    fn line_counter(self, l: &mut OrderLine) -> &mut u32 {
        match self {
            UnitStage::Shipped => &mut l.shipped,
            UnitStage::Delivered => &mut l.delivered,
            UnitStage::Returned => &mut l.returned,
        }
    }

    fn facts_counter(self, f: &mut GuardFacts) -> &mut u64 {
        match self {
            UnitStage::Shipped => &mut f.units_shipped,
            UnitStage::Delivered => &mut f.units_delivered,
            UnitStage::Returned => &mut f.units_returned,
        }
    }

    /// The fulfillment status the order reaches once the counters include the move.
    fn target(self, f: &GuardFacts) -> FulfillmentStatus {
        match self {
            UnitStage::Shipped if f.units_shipped >= f.units_total => FulfillmentStatus::Fulfilled,
            UnitStage::Shipped => FulfillmentStatus::PartiallyFulfilled,
            UnitStage::Delivered if f.units_delivered >= f.units_total => {
                FulfillmentStatus::Delivered
            }
            UnitStage::Delivered => FulfillmentStatus::PartiallyDelivered,
            UnitStage::Returned => FulfillmentStatus::Returned,
        }
    }
}
