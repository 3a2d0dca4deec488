//! Shared fixtures of the engine tests: a five-product catalog, a 10 % coupon, in-memory
//! ports, and snapshots of every store for "nothing changed" assertions.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use kassa::cart::Cart;
use kassa::catalog::{Catalog, CatalogData};
use kassa::engine::{CheckoutRequest, Engine, EngineConfig, Principal};
use kassa::memory::InMemory;
use kassa::ports::{CartStore, CouponStore, InventoryStore, PricingRules, StoredCart};
use kassa::Money;
use serde_json::json;

pub const SKUS: [&str; 5] = ["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E"];
pub const PRICES: [&str; 5] = ["10.00", "20.00", "5.50", "3.25", "100.00"];
pub const LOCATION: &str = "main";
pub const COUPON: &str = "SAVE10";

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

pub fn usd(s: &str) -> Money {
    Money::parse(s, "USD").unwrap()
}

pub fn catalog_data() -> CatalogData {
    let products: Vec<_> = SKUS
        .iter()
        .zip(PRICES)
        .enumerate()
        .map(|(i, (sku, price))| {
            json!({
                "id": format!("p-{i}"),
                "name": format!("Product {i}"),
                "slug": format!("product-{i}"),
                "categoryIds": ["cat-all"],
                "createdAt": "2026-01-01T00:00:00Z",
                "variants": [{"sku": sku, "prices": [{"amount": {"amount": price, "currency": "USD"}}]}]
            })
        })
        .collect();
    serde_json::from_value(json!({
        "categories": [{"id": "cat-all", "name": "All", "slug": "all"}],
        "products": products
    }))
    .unwrap()
}

pub fn rules(coupon_limit: Option<u32>) -> PricingRules {
    serde_json::from_value(json!({
        "promotions": [{
            "id": "promo-save10",
            "conditions": {"couponRequired": true},
            "target": {"type": "order"},
            "action": {"type": "percent_off", "percent": "10"}
        }],
        "coupons": [{"code": COUPON, "promotionId": "promo-save10", "usageLimit": coupon_limit}]
    }))
    .unwrap()
}

pub struct World {
    pub mem: InMemory,
    pub engine: Engine,
}

pub fn world_with(stock: u64, coupon_limit: Option<u32>, config: EngineConfig) -> World {
    let catalog = Catalog::new(catalog_data()).unwrap();
    let mem = InMemory::new(catalog, rules(coupon_limit), t0());
    for sku in SKUS {
        run(mem.inventory.set_on_hand(sku, LOCATION, stock)).unwrap();
    }
    let engine = Engine::new(mem.ports(), config).unwrap();
    World { mem, engine }
}

pub fn world(stock: u64, coupon_limit: Option<u32>) -> World {
    world_with(stock, coupon_limit, EngineConfig::default())
}

pub fn run<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

pub fn admin() -> Principal {
    Principal::admin("admin-1")
}

pub fn system() -> Principal {
    Principal::system()
}

/// Stores a cart directly (no catalog checks), so tests can also store bad carts.
pub fn put_cart(w: &World, cart_id: &str, owner: &str, items: &[(&str, u32)]) {
    let lines: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, (sku, q))| json!({"lineId": format!("l{i}"), "sku": sku, "quantity": q}))
        .collect();
    let cart: Cart = serde_json::from_value(json!({"currency": "USD", "lines": lines})).unwrap();
    let existing = run(w.mem.carts.get(cart_id))
        .unwrap()
        .map_or(0, |c| c.version);
    run(w.mem.carts.save(StoredCart {
        id: cart_id.into(),
        owner_id: owner.into(),
        cart,
        version: existing,
        updated_at: t0(),
    }))
    .unwrap();
}

pub fn request(cart_id: &str, token: &str) -> CheckoutRequest {
    CheckoutRequest {
        cart_id: cart_id.into(),
        payment_token: token.into(),
        coupon_codes: vec![],
        expected_total: None,
        region: None,
        channel: None,
        shipping_method: None,
    }
}

/// Everything the stores hold, in a comparable form.
pub fn snapshot(w: &World) -> serde_json::Value {
    let mut orders = w.mem.orders.all().unwrap();
    orders.sort_by(|a, b| a.id.cmp(&b.id));
    let ledger = w.mem.inventory.snapshot().unwrap();
    let stock: Vec<_> = ledger.book.all().cloned().collect();
    let reservations: Vec<_> = ledger.reservations().cloned().collect();
    let coupon = run(w.mem.coupons.usage(COUPON)).unwrap();
    let mut charges: Vec<_> = w
        .mem
        .gateway
        .charges()
        .into_iter()
        .map(|c| format!("{c:?}"))
        .collect();
    charges.sort();
    json!({
        "orders": orders,
        "stock": stock,
        "reservations": reservations,
        "coupon": coupon,
        "events": w.mem.events.events(),
        "charges": charges,
    })
}

pub fn cart_snapshot(w: &World, cart_id: &str) -> serde_json::Value {
    serde_json::to_value(run(w.mem.carts.get(cart_id)).unwrap()).unwrap()
}

pub fn on_hand(w: &World, sku: &str) -> (u64, u64) {
    let l = run(w.mem.inventory.stock(sku)).unwrap();
    (
        l.iter().map(|l| l.on_hand).sum(),
        l.iter().map(|l| l.reserved).sum(),
    )
}
