//! The `order_placed` outbox payload written straight from the order, byte for byte what
//! `serde_json` writes for [`OrderEvent::OrderPlaced`](super::OrderEvent) with
//! [`OrderSummary::of`](super::OrderSummary::of) of the same order.
//!
//! Every checkout publishes this payload. Going through serde cost an owned summary (about
//! twenty strings copied and freed) and an escape pass over every one of the ~35 keys; here
//! the keys are literals and only the order's own strings are checked for escapes. The test
//! below pins the equality with the serde form.

use super::events::EVENT_SCHEMA_VERSION;
use crate::error::{KassaError, Result};
use crate::order::{Order, StateMachine};
use crate::ports::OutboxEvent;
use chrono::{DateTime, Utc};

const EVENT_TYPE: &str = "order_placed";

/// The `order_placed` outbox event of `order`, as [`OrderEvent::to_outbox`] writes it for
/// `OrderEvent::OrderPlaced { order: OrderSummary::of(order) }`.
///
/// [`OrderEvent::to_outbox`]: super::OrderEvent::to_outbox
pub(crate) fn order_placed_outbox(order: &Order, at: DateTime<Utc>) -> Result<OutboxEvent> {
    Ok(OutboxEvent {
        id: [order.id.as_str(), ":", EVENT_TYPE].concat(),
        event_type: EVENT_TYPE.to_owned(),
        schema_version: EVENT_SCHEMA_VERSION,
        aggregate_id: order.id.clone(),
        occurred_at: at,
        payload: order_placed_payload(order)?,
    })
}

/// The payload JSON text of the `order_placed` event of `order`.
pub(crate) fn order_placed_payload(order: &Order) -> Result<String> {
    // Fixed text ≈ 250 bytes plus ≈ 150 per line: no regrowth for ordinary orders. Built
    // as a `String` from `&str` pieces: no UTF-8 validation pass at the end.
    let mut out = String::with_capacity(512 + 160 * order.lines.len());
    out.push_str("{\"type\":\"order_placed\",\"order\":");
    write_summary(&mut out, order)?;
    out.push('}');
    Ok(out)
}

/// Appends the JSON of `OrderSummary::of(o)` (same fields, same order).
fn write_summary(out: &mut String, o: &Order) -> Result<()> {
    out.push_str("{\"orderId\":");
    write_str(out, &o.id)?;
    out.push_str(",\"orderNumber\":");
    write_str(out, &o.number)?;
    out.push_str(",\"customerId\":");
    write_str(out, &o.customer_id)?;
    out.push_str(",\"status\":");
    write_str(out, o.status.name())?;
    out.push_str(",\"paymentStatus\":");
    write_str(out, o.payment.status.name())?;
    out.push_str(",\"fulfillmentStatus\":");
    write_str(out, o.fulfillment_status.name())?;
    let t = &o.totals;
    for (key, amount) in [
        (",\"subtotal\":", t.subtotal),
        (",\"discount\":", t.discount),
        (",\"tax\":", t.tax),
        (",\"shipping\":", t.shipping),
        (",\"total\":", t.total),
    ] {
        out.push_str(key);
        amount.write_json(out);
    }
    out.push_str(",\"lines\":[");
    for (i, l) in o.lines.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"sku\":");
        write_str(out, &l.sku)?;
        out.push_str(",\"name\":");
        write_str(out, &l.name)?;
        out.push_str(",\"variant\":");
        write_str(out, &l.variant)?;
        out.push_str(",\"quantity\":");
        crate::text::push_u64(out, u64::from(l.quantity), 0);
        out.push_str(",\"total\":");
        l.total.write_json(out);
        out.push('}');
    }
    out.push_str("]}");
    Ok(())
}

/// Appends `s` as a JSON string. Text without a character JSON escapes (the usual case) is
/// copied as is; anything else goes through `serde_json`, so the escapes are its own.
fn write_str(out: &mut String, s: &str) -> Result<()> {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(&serde_json::to_string(s).map_err(internal)?);
        return Ok(());
    }
    out.push('"');
    out.push_str(s);
    out.push('"');
    Ok(())
}

fn internal(e: serde_json::Error) -> KassaError {
    KassaError::internal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::notify::{OrderEvent, OrderSummary};
    use crate::order::{
        FulfillmentStatus, NewOrder, NewOrderLine, OrderStatus, OrderTotals, PaymentStatus,
    };
    use chrono::TimeZone;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
    }

    /// What `OrderEvent::to_outbox` gives through serde for the same order.
    fn by_serde(o: &Order) -> OutboxEvent {
        OrderEvent::OrderPlaced {
            order: OrderSummary::of(o),
        }
        .to_outbox(at())
        .unwrap()
    }

    #[derive(Debug)]
    struct Line {
        sku: String,
        name: String,
        variant: String,
        quantity: u32,
        total_minor: i64,
    }

    fn order(
        code: &str,
        ids: [&str; 3],
        lines: &[Line],
        shipping_minor: i64,
        // subtotal, discount, tax as (mantissa, scale): amounts need not be rounded there
        other: [(i64, u32); 3],
        statuses: (OrderStatus, PaymentStatus, FulfillmentStatus),
    ) -> Order {
        let c = Currency::from_code(code).unwrap();
        let m = |minor| Money::from_minor(minor, c);
        let d = |(mantissa, scale): (i64, u32)| Money::new(Decimal::new(mantissa, scale), c);
        let total: i64 = lines.iter().map(|l| l.total_minor).sum::<i64>() + shipping_minor;
        let mut o = Order::create(
            NewOrder {
                id: ids[0].into(),
                number: ids[1].into(),
                customer_id: ids[2].into(),
                cart_id: Some("cart-1".into()),
                lines: lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| NewOrderLine {
                        line_id: format!("l{i}"),
                        sku: l.sku.clone(),
                        product_id: format!("p-{i}"),
                        name: l.name.clone(),
                        variant: l.variant.clone(),
                        quantity: l.quantity,
                        unit_price: m(l.total_minor),
                        discount: m(0),
                        tax: m(0),
                        total: m(l.total_minor),
                    })
                    .collect(),
                totals: OrderTotals {
                    subtotal: d(other[0]),
                    discount: d(other[1]),
                    tax: d(other[2]),
                    shipping: m(shipping_minor),
                    total: m(total),
                },
                coupon_codes: vec!["SAVE10".into()],
                reservation_id: Some("r-1".into()),
            },
            at(),
        )
        .unwrap();
        o.status = statuses.0;
        o.payment.status = statuses.1;
        o.fulfillment_status = statuses.2;
        o
    }

    fn line(sku: &str, name: &str, variant: &str, quantity: u32, total_minor: i64) -> Line {
        Line {
            sku: sku.into(),
            name: name.into(),
            variant: variant.into(),
            quantity,
            total_minor,
        }
    }

    #[test]
    fn equals_the_serde_form_for_typical_orders() {
        let placed = (
            OrderStatus::Confirmed,
            PaymentStatus::Captured,
            FulfillmentStatus::default(),
        );
        let orders = [
            // a checkout with a discount, tax and shipping
            order(
                "USD",
                ["order-000001", "KS-000001", "cust-1"],
                &[
                    line("SKU-A", "Product 0", "", 1, 399),
                    line("SKU-B", "Product 1", "Large / Blue", 2, 898),
                ],
                600,
                [(1297, 2), (-100, 2), (8603, 4)],
                placed,
            ),
            // no minor units, free shipping, a coupon discount
            order(
                "JPY",
                ["o-2", "KS-000002", "c"],
                &[line("J-1", "お茶", "緑", 3, 1500)],
                0,
                [(1800, 0), (300, 0), (0, 0)],
                placed,
            ),
            // three minor units, text that JSON must escape
            order(
                "KWD",
                ["o-\"3\"", "KS\\3", "tab\there"],
                &[
                    line("K\u{1}", "new\nline", "\u{7f}é/<>", 7, 12345),
                    line("K2", "", "", 1, 5),
                ],
                250,
                [(12350, 3), (0, 3), (1, 1)],
                (
                    OrderStatus::Cancelled,
                    PaymentStatus::Failed,
                    FulfillmentStatus::default(),
                ),
            ),
        ];
        for o in &orders {
            let want = by_serde(o);
            assert_eq!(order_placed_payload(o).unwrap(), want.payload);
            assert_eq!(order_placed_outbox(o, at()).unwrap(), want);
        }
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9 _./-]{0,16}",
            any::<String>(),
            "[\"\\\\\u{0}-\u{1f}\u{7f}a-zé€]{0,8}",
        ]
    }

    fn any_line() -> impl Strategy<Value = Line> {
        (text(), text(), text(), 1u32..=u32::MAX, 0i64..10_000_000).prop_map(
            |(sku, name, variant, quantity, total_minor)| Line {
                sku,
                name,
                variant,
                quantity,
                total_minor,
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn equals_the_serde_form(
            code in prop::sample::select(vec!["USD", "EUR", "JPY", "KWD", "CLF"]),
            ids in [text(), text(), text()],
            lines in prop::collection::vec(any_line(), 1..6),
            shipping_minor in 0i64..100_000,
            other in [
                (-10_000_000i64..10_000_000, 0u32..6),
                (-10_000_000i64..10_000_000, 0u32..6),
                (-10_000_000i64..10_000_000, 0u32..6),
            ],
            status in prop::sample::select(OrderStatus::STATES.to_vec()),
            payment in prop::sample::select(PaymentStatus::STATES.to_vec()),
            fulfillment in prop::sample::select(FulfillmentStatus::STATES.to_vec()),
        ) {
            let o = order(
                code,
                [&ids[0], &ids[1], &ids[2]],
                &lines,
                shipping_minor,
                other,
                (status, payment, fulfillment),
            );
            let want = by_serde(&o);
            prop_assert_eq!(order_placed_payload(&o).unwrap(), want.payload.clone());
            prop_assert_eq!(order_placed_outbox(&o, at()).unwrap(), want);
        }
    }
}
