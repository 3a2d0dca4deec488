//! The storefront example: Kassa's checkout engine on its embedded in-memory defaults.
//!
//! Walks through what a shop does in a day: browse, fill a cart, check out (approved, with a
//! stale client total first), a declined card retried with another, admin status updates
//! with the rendered customer notifications, a cancellation, a partial refund, the
//! dashboard, a supply-chain act (sales deplete stock, the reorder run drafts a purchase
//! order, the supplier acknowledges, goods are received, an order ships and tracking events
//! arrive), the health of every port, and a subscription (subscribe, upgrade mid-period,
//! failed renewal and recovery).
//!
//! Run with `cargo run -p kassa-examples --bin storefront`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::executor::block_on;
use kassa::catalog::{Catalog, CatalogData, ProductQuery};
use kassa::engine::{
    CheckoutRequest, DashboardRequest, Engine, EngineConfig, Principal, StatusUpdate,
};
use kassa::memory::{InMemory, TOKEN_APPROVE, TOKEN_DECLINE};
use kassa::notify::OrderEvent;
use kassa::order::{LineQuantity, Order, RefundLine, RefundRequest};
use kassa::ports::{InventoryStore, PricingRules};
use kassa::{Currency, KassaError, Money};
use serde_json::json;

mod subscriptions;

type Result<T> = std::result::Result<T, KassaError>;

fn load_catalog() -> Result<Catalog> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/catalog.json");
    let text =
        std::fs::read_to_string(path).map_err(|e| KassaError::internal(format!("{path}: {e}")))?;
    let data: CatalogData = serde_json::from_str(&text)
        .map_err(|e| KassaError::validation("catalog", e.to_string()))?;
    Catalog::new(data)
}

fn rules() -> Result<PricingRules> {
    serde_json::from_value(json!({
        "promotions": [{
            "id": "welcome",
            "name": "10 % off your first order",
            "conditions": {"couponRequired": true},
            "target": {"type": "order"},
            "action": {"type": "percent_off", "percent": "10"}
        }],
        "coupons": [{"code": "WELCOME10", "promotionId": "welcome", "usageLimit": 100, "perCustomerLimit": 1}],
        "taxRules": [{"id": "de-vat", "rate": "0.19", "region": "DE", "taxClass": "standard"}],
        "shippingRates": [{
            "id": "dhl",
            "regions": ["DE"],
            "calculation": {"type": "flat", "price": {"amount": "4.90", "currency": "EUR"}},
            "freeOver": {"amount": "75.00", "currency": "EUR"}
        }]
    }))
    .map_err(|e| KassaError::validation("rules", e.to_string()))
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn eur() -> Result<Currency> {
    Currency::from_code("EUR")
}

fn show_order(label: &str, o: &Order) {
    println!(
        "  {label}: {} total {} | order {} · payment {} · fulfillment {}",
        o.number, o.totals.total, o.status, o.payment.status, o.fulfillment_status
    );
}

/// Renders what the outbox collected since the last call, as a mailer would.
fn print_notifications(mem: &InMemory, engine: &Engine) -> Result<()> {
    for e in mem.events.drain() {
        let event: OrderEvent = serde_json::from_str(&e.payload)
            .map_err(|err| KassaError::internal(err.to_string()))?;
        match engine.notifier().render(&event)? {
            Some(msg) => {
                println!(
                    "  ✉ [{} v{}] to {}: {}",
                    e.event_type, e.schema_version, msg.customer_id, msg.subject
                );
                for line in msg.text.lines().filter(|l| !l.is_empty()) {
                    println!("      {line}");
                }
            }
            None => println!(
                "  ✉ [{} v{}] (no customer message)",
                e.event_type, e.schema_version
            ),
        }
    }
    Ok(())
}

fn checkout_req(cart_id: &str, token: &str) -> CheckoutRequest {
    CheckoutRequest {
        cart_id: cart_id.to_owned(),
        payment_token: token.to_owned(),
        coupon_codes: vec![],
        expected_total: None,
        region: Some("DE".into()),
        channel: None,
        shipping_method: None,
    }
}

fn main() -> Result<()> {
    block_on(run())
}

async fn run() -> Result<()> {
    let catalog = load_catalog()?;
    let skus: Vec<String> = catalog
        .products()
        .iter()
        .flat_map(|p| p.variants.iter().map(|v| v.sku.clone()))
        .collect();
    let mem = InMemory::new(catalog, rules()?, start());
    for (i, sku) in skus.iter().enumerate() {
        mem.inventory
            .set_on_hand(sku, "berlin", if i % 7 == 0 { 3 } else { 25 })
            .await?;
    }
    let engine = Engine::new(
        mem.ports(),
        EngineConfig {
            default_region: "DE".into(),
            ..EngineConfig::default()
        },
    )?;
    let admin = Principal::admin("admin-ops");
    let (alice, bob, carol) = (
        Principal::customer("alice"),
        Principal::customer("bob"),
        Principal::customer("carol"),
    );
    println!(
        "Kassa storefront — {} products, {} SKUs in stock at 'berlin'\n",
        engine
            .browse(&alice, &query("", 1)?)
            .await?
            .pagination
            .total,
        skus.len()
    );

    println!("1. Browse: search \"tee\" (EUR, in stock)");
    let page = engine.browse(&alice, &query("tee", 5)?).await?;
    for p in &page.items {
        println!("  {:<28} from {} ({})", p.name, p.price, p.sku);
    }

    println!("\n2. Alice fills a cart");
    let cart = engine.create_cart(&alice, eur()?).await?;
    engine
        .add_to_cart(&alice, &cart.id, "TEE-ORG-WHT-M", 2)
        .await?;
    let hoodie = skus
        .iter()
        .find(|s| s.starts_with("HOOD"))
        .cloned()
        .unwrap_or_else(|| skus.get(5).cloned().unwrap_or_default());
    let cart = engine.add_to_cart(&alice, &cart.id, &hoodie, 1).await?;
    for l in cart.cart.lines() {
        println!("  {} × {}", l.quantity, l.sku);
    }
    let mut req = checkout_req(&cart.id, TOKEN_APPROVE);
    req.coupon_codes = vec!["welcome10".into()];
    let quote = engine.quote_checkout(&alice, &req).await?;
    println!(
        "  quote: subtotal {} − discount {} + shipping {} = {} (VAT included {})",
        quote.totals.subtotal,
        quote.totals.discount_total,
        quote.totals.shipping_total,
        quote.totals.grand_total,
        quote.totals.tax_total
    );
    print_explanation(&quote);

    println!("\n3. Checkout with a stale client total, then with the right one");
    req.expected_total = Some(Money::parse("1.00", "EUR")?);
    match engine
        .checkout(&alice, Some("alice-checkout-1"), req.clone())
        .await
    {
        Err(e) => println!(
            "  {}: {} (new total in meta: {})",
            e.code,
            e.message,
            e.meta
                .get("totals")
                .and_then(|t| t.get("grandTotal"))
                .map_or(json!(null), Clone::clone)
        ),
        Ok(o) => show_order("unexpected", &o),
    }
    req.expected_total = Some(quote.totals.grand_total);
    let alice_order = engine
        .checkout(&alice, Some("alice-checkout-2"), req.clone())
        .await?;
    show_order("approved", &alice_order);
    let replay = engine
        .checkout(&alice, Some("alice-checkout-2"), req)
        .await?;
    println!(
        "  same idempotency key again → same order {} (gateway charges: {})",
        replay.number,
        mem.gateway.charges_for(&alice_order.id).len()
    );
    print_notifications(&mem, &engine)?;

    println!("\n4. Bob's card is declined; he retries with another card");
    let bob_cart = engine.create_cart(&bob, eur()?).await?;
    engine
        .add_to_cart(&bob, &bob_cart.id, "TEE-ORG-WHT-S", 1)
        .await?;
    match engine
        .checkout(
            &bob,
            Some("bob-1"),
            checkout_req(&bob_cart.id, TOKEN_DECLINE),
        )
        .await
    {
        Err(e) => println!(
            "  {}: {} (order {}, decline code {})",
            e.code,
            e.message,
            e.meta.get("orderNumber").map_or(json!(null), Clone::clone),
            e.meta.get("declineCode").map_or(json!(null), Clone::clone)
        ),
        Ok(o) => show_order("unexpected", &o),
    }
    let kept = engine.get_cart(&bob, &bob_cart.id).await?;
    println!("  cart kept: {} line(s)", kept.cart.lines().len());
    let bob_order = engine
        .checkout(
            &bob,
            Some("bob-2"),
            checkout_req(&bob_cart.id, TOKEN_APPROVE),
        )
        .await?;
    show_order("retried", &bob_order);
    print_notifications(&mem, &engine)?;

    println!("\n5. Admin ships and delivers Alice's order (notifications rendered from templates)");
    mem.clock.advance(Duration::hours(20));
    let first_line = alice_order
        .lines
        .first()
        .map(|l| l.line_id.clone())
        .unwrap_or_default();
    let partial = StatusUpdate::Ship {
        lines: Some(vec![LineQuantity {
            line_id: first_line.clone(),
            quantity: 2,
        }]),
    };
    engine
        .update_order_status(&admin, &alice_order.id, partial, "first parcel via DHL")
        .await?;
    engine
        .update_order_status(
            &admin,
            &alice_order.id,
            StatusUpdate::Ship { lines: None },
            "second parcel",
        )
        .await?;
    mem.clock.advance(Duration::hours(30));
    engine
        .update_order_status(
            &admin,
            &alice_order.id,
            StatusUpdate::Deliver { lines: None },
            "delivered to door",
        )
        .await?;
    let done = engine
        .update_order_status(
            &admin,
            &alice_order.id,
            StatusUpdate::Complete,
            "all delivered",
        )
        .await?;
    show_order("now", &done);
    print_notifications(&mem, &engine)?;

    println!("\n6. Carol orders and cancels before shipment (refund + restock)");
    let carol_cart = engine.create_cart(&carol, eur()?).await?;
    engine
        .add_to_cart(&carol, &carol_cart.id, &hoodie, 2)
        .await?;
    let carol_order = engine
        .checkout(&carol, None, checkout_req(&carol_cart.id, TOKEN_APPROVE))
        .await?;
    let stock_before: u64 = mem
        .inventory
        .stock(&hoodie)
        .await?
        .iter()
        .map(|l| l.on_hand)
        .sum();
    let cancelled = engine
        .cancel_order(&carol, &carol_order.id, "ordered the wrong size")
        .await?;
    let stock_after: u64 = mem
        .inventory
        .stock(&hoodie)
        .await?
        .iter()
        .map(|l| l.on_hand)
        .sum();
    show_order("cancelled", &cancelled);
    println!(
        "  refunded {} · {hoodie} on hand {stock_before} → {stock_after}",
        cancelled.payment.refunded
    );
    print_notifications(&mem, &engine)?;

    println!("\n7. Partial refund of one line of Alice's order");
    let line_total = done
        .lines
        .first()
        .map(|l| l.total)
        .unwrap_or(Money::zero(eur()?));
    let half = line_total
        .checked_div(2.into())?
        .round(kassa::RoundingMode::HalfEven);
    let refunded = engine
        .refund_order(
            &admin,
            &done.id,
            RefundRequest {
                amount: half,
                lines: vec![RefundLine {
                    line_id: first_line,
                    amount: half,
                }],
                reason: "one tee had a stain".into(),
            },
        )
        .await?;
    println!(
        "  refunded {half} → payment {} (net paid {})",
        refunded.payment.status,
        refunded.payment.net_paid()?
    );
    match engine
        .refund_order(
            &admin,
            &done.id,
            RefundRequest {
                amount: refunded.payment.captured,
                lines: vec![],
                reason: "too much".into(),
            },
        )
        .await
    {
        Err(e) => println!(
            "  refund over captured − refunded refused: {} {}",
            e.code, e.message
        ),
        Ok(_) => println!("  unexpected: over-refund accepted"),
    }
    print_notifications(&mem, &engine)?;

    println!("\n8. Dashboard");
    let stats = engine
        .dashboard(
            &admin,
            &DashboardRequest {
                from: start(),
                to: start() + Duration::days(7),
                currency: eur()?,
                top: 3,
            },
        )
        .await?;
    for d in &stats.revenue_per_day {
        println!("  {}: {} from {} order(s)", d.date, d.revenue, d.orders);
    }
    println!(
        "  revenue {} · average order {}",
        stats.revenue,
        stats
            .average_order_value
            .map_or_else(|| "-".into(), |m| m.to_string())
    );
    println!(
        "  orders by status: {}",
        stats
            .orders_by_status
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for p in &stats.top_products {
        println!("  top: {} — {} unit(s), {}", p.name, p.units, p.revenue);
    }
    println!(
        "  low-stock SKUs (≤ {}): {}",
        engine.config().low_stock_threshold,
        stats.low_stock_count
    );

    supply_chain(&mem, &engine, &admin, &skus).await?;

    println!("\n10. Health");
    let health = engine.health().await;
    println!(
        "  overall {:?}: {}",
        health.status,
        health
            .ports
            .iter()
            .map(|p| format!("{} {:?}", p.port, p.status))
            .collect::<Vec<_>>()
            .join(", ")
    );

    subscriptions::act(&mem).await?;
    Ok(())
}

fn query(text: &str, page_size: u32) -> Result<ProductQuery> {
    serde_json::from_value(json!({
        "text": if text.is_empty() { None } else { Some(text) },
        "inStock": !text.is_empty(),
        "pageSize": page_size,
        "context": {"currency": "EUR", "region": "DE"}
    }))
    .map_err(|e| KassaError::validation("query", e.to_string()))
}

/// Prints why the cart costs what it costs: every line, every promotion that applied (and
/// for how much), every one that did not and why, and what happened to each coupon.
fn print_explanation(priced: &kassa::pricing::PricedCart) {
    for line in &priced.lines {
        let discounts: Vec<String> = line
            .discounts
            .iter()
            .map(|d| format!("{} −{}", d.promotion_id, d.amount))
            .collect();
        println!(
            "    line {:<16} {} × {} = {}  discounts [{}]  tax {}  total {}",
            line.line_id,
            line.quantity,
            line.unit_price,
            line.subtotal(),
            discounts.join(", "),
            line.tax(),
            line.total()
        );
    }
    for p in &priced.applied_promotions {
        let via = p
            .coupon_code
            .as_deref()
            .map(|c| format!(" (coupon {c})"))
            .unwrap_or_default();
        println!("    applied  {}{via}: −{}", p.promotion_id, p.amount);
    }
    for p in &priced.rejected_promotions {
        println!("    rejected {}: {}", p.promotion_id, p.reason.as_str());
    }
    for c in &priced.coupons {
        let outcome = match (&c.applied, &c.reason) {
            (true, _) => "applied".to_owned(),
            (false, Some(r)) => format!("not applied ({})", r.as_str()),
            (false, None) => "not applied".to_owned(),
        };
        println!("    coupon   {}: {outcome}", c.code);
    }
}

/// Act 9: sales deplete a SKU below its reorder level, the reorder run drafts a purchase
/// order, the supplier acknowledges it, goods arrive in two receipts, and the last sale
/// ships with carrier events arriving out of order (and once twice).
async fn supply_chain(
    mem: &InMemory,
    engine: &Engine,
    admin: &Principal,
    skus: &[String],
) -> Result<()> {
    use kassa::engine::{NewShipment, ReceiveGoods, EVENT_LOW_STOCK, EVENT_SHIPMENT_TRACKING};
    use kassa::inventory::reorder::{ReorderPolicy, ReorderRule};
    use kassa::supply::{ReceiveLine, ShipmentLine, ShipmentStatus, Supplier, TrackingEvent};

    println!("\n9. Supply chain");
    let sku = skus
        .iter()
        .find(|s| s.starts_with("MUG"))
        .or_else(|| skus.get(1))
        .cloned()
        .unwrap_or_default();
    engine
        .put_supplier(
            admin,
            Supplier {
                id: "sup-ceramics".into(),
                name: "Ceramics GmbH".into(),
                lead_time_days: 5,
                minimum_order_quantity: 24,
                currency: eur()?,
            },
        )
        .await?;
    engine
        .put_reorder_rule(
            admin,
            ReorderRule {
                sku: sku.clone(),
                location: "berlin".into(),
                policy: ReorderPolicy::MinMax { min: 10, max: 40 },
                order_multiple: 6,
                supplier_id: "sup-ceramics".into(),
                unit_cost: Money::parse("3.40", "EUR")?,
            },
        )
        .await?;
    // sales: Dana buys until available stock falls below the reorder level (10)
    let dana = Principal::customer("dana");
    let mut last_order = None;
    loop {
        let available: u64 = mem
            .inventory
            .stock(&sku)
            .await?
            .iter()
            .map(|l| l.available())
            .sum();
        if available < 10 {
            println!("  sales left {available} unit(s) of {sku} available");
            break;
        }
        let cart = engine.create_cart(&dana, eur()?).await?;
        let q = u32::try_from((available - 5).min(8)).unwrap_or(1);
        engine.add_to_cart(&dana, &cart.id, &sku, q).await?;
        let o = engine
            .checkout(&dana, None, checkout_req(&cart.id, TOKEN_APPROVE))
            .await?;
        println!("  Dana buys {q} × {sku}: {} {}", o.number, o.status);
        last_order = Some(o);
    }
    let report = engine.reorder_run(admin, true).await?;
    for s in &report.result.suggestions {
        println!(
            "  reorder: {} at {} projected {} → order {} ({})",
            s.sku,
            s.location,
            s.projected,
            s.quantity,
            s.reasons
                .iter()
                .map(|r| format!("{r:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let low = mem
        .events
        .events()
        .iter()
        .filter(|e| e.event_type == EVENT_LOW_STOCK)
        .count();
    println!("  low-stock events in the outbox: {low}");
    let Some(po) = report.purchase_orders.first() else {
        println!("  (no purchase order drafted)");
        return Ok(());
    };
    let po_id = po.purchase_order.id.clone();
    let ordered = po.purchase_order.lines.first().map_or(0, |l| l.quantity);
    println!(
        "  draft {po_id} to {}: {ordered} × {sku}, total {}",
        po.purchase_order.supplier_id,
        po.purchase_order.total()?
    );
    let sent = engine.send_purchase_order(admin, &po_id).await?;
    let acked = engine.acknowledge_purchase_order(admin, &po_id).await?;
    println!(
        "  {po_id}: {} → {}",
        sent.purchase_order.status.as_str(),
        acked.purchase_order.status.as_str()
    );
    let first = ordered / 2;
    for (n, q) in [(1, first), (2, ordered - first)] {
        let r = engine
            .receive_purchase_order(
                admin,
                &po_id,
                &ReceiveGoods {
                    receipt_id: Some(format!("{po_id}-rc{n}")),
                    lines: vec![ReceiveLine {
                        sku: sku.clone(),
                        quantity: q,
                    }],
                    allow_over_receipt: false,
                },
            )
            .await?;
        let level = r.stock.after.first().map_or(0, |l| l.on_hand);
        println!(
            "  receipt {}: {q} unit(s) → {} · on hand {level} (audit {})",
            r.receipt.id,
            r.purchase_order.purchase_order.status.as_str(),
            r.stock
                .audit
                .first()
                .map_or_else(String::new, |a| format!("{:+} by {}", a.delta, a.actor))
        );
    }
    let Some(order) = last_order else {
        return Ok(());
    };
    let shipment = engine
        .create_shipment(
            admin,
            &NewShipment {
                order_id: order.id.clone(),
                carrier: "DHL".into(),
                tracking_number: "00340434161094042557".into(),
                lines: order
                    .lines
                    .iter()
                    .map(|l| ShipmentLine {
                        sku: l.sku.clone(),
                        quantity: i64::from(l.quantity),
                    })
                    .collect(),
            },
        )
        .await?;
    // carrier times come after the label (created now)
    let label_at = kassa::ports::Clock::now(mem.clock.as_ref());
    let at = |h: i64| label_at + Duration::hours(h);
    let event = |id: &str, status, h| TrackingEvent {
        event_id: id.into(),
        status,
        occurred_at: at(h),
        location: Some("Berlin".into()),
        description: None,
    };
    // the carrier's webhooks arrive out of order, one of them twice
    let batches = [
        vec![event("dhl-2", ShipmentStatus::OutForDelivery, 20)],
        vec![event("dhl-1", ShipmentStatus::InTransit, 4)],
        vec![
            event("dhl-3", ShipmentStatus::Delivered, 22),
            event("dhl-3", ShipmentStatus::Delivered, 22),
        ],
    ];
    for events in &batches {
        let r = engine
            .track_shipment(admin, &shipment.shipment.id, events)
            .await?;
        println!(
            "  tracking {}: shipment {} · order fulfillment {}",
            events
                .iter()
                .map(|e| e.event_id.as_str())
                .collect::<Vec<_>>()
                .join("+"),
            r.shipment.shipment.status.as_str(),
            r.order.as_ref().map_or_else(
                || "unchanged".to_owned(),
                |o| format!("{:?}", o.fulfillment_status)
            )
        );
    }
    let envelopes: Vec<_> = mem
        .events
        .events()
        .into_iter()
        .filter(|e| e.event_type == EVENT_SHIPMENT_TRACKING)
        .collect();
    if let Some(last) = envelopes.last() {
        println!(
            "  {} real-time envelope(s); last: {}",
            envelopes.len(),
            last.payload
        );
    }
    Ok(())
}
