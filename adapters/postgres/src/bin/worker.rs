//! One OS process of the scale-out test (`tests/scale_out.rs`): connects to the shared
//! database and runs several concurrent customers, each buying one unit with a coupon (or,
//! when the coupon is used up, without), then retrying its checkout with the same idempotency
//! key. Prints one JSON line per customer.
//!
//! `kassa-pg-worker migrate <url> <schema>`
//! `kassa-pg-worker checkout <url> <schema> <worker> <customers>`
//! `kassa-pg-worker hang <url> <schema>`: one checkout (customer `hang`, key `key-hang`,
//! reservation TTL 1 s) whose gateway call never returns; prints `{"outcome":"charging"}`
//! when it is inside the gateway, so the test can kill the process mid-checkout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use kassa::engine::{CheckoutRequest, Engine, EngineConfig, Principal};
use kassa::memory::TOKEN_APPROVE;
use kassa::ports::{AuthorizeRequest, GatewayResponse, PaymentGateway, PortHealth};
use kassa::{ErrorCode, KassaError, Money};
use kassa_postgres::OpenOptions;
use serde_json::json;
use std::sync::Arc;

/// A gateway that announces the call and then never answers (a connection that hangs).
struct HangingGateway;

#[async_trait::async_trait]
impl PaymentGateway for HangingGateway {
    async fn authorize(&self, _request: AuthorizeRequest) -> kassa::Result<GatewayResponse> {
        println!("{}", json!({"outcome": "charging"}));
        std::future::pending().await
    }
    async fn capture(&self, _: &str, _: &str, _: Money) -> kassa::Result<GatewayResponse> {
        Err(KassaError::unavailable("hanging gateway", 1))
    }
    async fn void(&self, _: &str, _: &str) -> kassa::Result<GatewayResponse> {
        Err(KassaError::unavailable("hanging gateway", 1))
    }
    async fn refund(&self, _: &str, _: &str, _: Money) -> kassa::Result<GatewayResponse> {
        Err(KassaError::unavailable("hanging gateway", 1))
    }
    async fn health(&self) -> PortHealth {
        PortHealth::down("paymentGateway", "hangs")
    }
}

async fn hang(store: kassa_postgres::SqlStore) -> Result<(), String> {
    let config = EngineConfig {
        reservation_ttl_seconds: 1,
        ..EngineConfig::default()
    };
    let engine = Engine::new(store.ports_with(Arc::new(HangingGateway)), config)
        .map_err(|e| e.to_string())?;
    let who = Principal::customer("hang");
    let usd = kassa::money::Currency::from_code("USD").map_err(|e| e.to_string())?;
    let cart = engine
        .create_cart(&who, usd)
        .await
        .map_err(|e| e.to_string())?
        .id;
    engine
        .add_to_cart(&who, &cart, "SKU-A", 2)
        .await
        .map_err(|e| e.to_string())?;
    println!("{}", json!({"outcome": "cart", "cartId": cart}));
    engine
        .checkout(&who, Some("key-hang"), request(&cart, false))
        .await
        .map_err(|e| e.to_string())?;
    Err("the hanging gateway answered".into())
}

fn request(cart: &str, coupon: bool) -> CheckoutRequest {
    CheckoutRequest {
        cart_id: cart.into(),
        payment_token: TOKEN_APPROVE.into(),
        coupon_codes: if coupon { vec!["RUSH".into()] } else { vec![] },
        expected_total: None,
        region: None,
        channel: None,
        shipping_method: None,
    }
}

fn coupon_refused(e: &KassaError) -> bool {
    e.meta.contains_key("limit")
        || (e.code == ErrorCode::ValidationError && e.meta.contains_key("reason"))
}

async fn customer(engine: Arc<Engine>, worker: usize, n: usize) -> serde_json::Value {
    let id = format!("w{worker}-c{n}");
    let who = Principal::customer(id.clone());
    let usd = match kassa::money::Currency::from_code("USD") {
        Ok(c) => c,
        Err(e) => return json!({"customer": id, "outcome": "error", "error": e}),
    };
    let cart = match engine.create_cart(&who, usd).await {
        Ok(c) => c.id,
        Err(e) => return json!({"customer": id, "outcome": "error", "stage": "cart", "error": e}),
    };
    if let Err(e) = engine.add_to_cart(&who, &cart, "SKU-A", 1).await {
        let outcome = if e.code == ErrorCode::OutOfStock {
            "sold_out"
        } else {
            "error"
        };
        return json!({"customer": id, "outcome": outcome, "stage": "cart", "error": e});
    }
    let mut coupon = true;
    loop {
        let key = format!("key-{id}-{coupon}");
        match engine
            .checkout(&who, Some(&key), request(&cart, coupon))
            .await
        {
            Ok(order) => {
                // The client did not see the answer: it retries with the same key.
                let replay = engine
                    .checkout(&who, Some(&key), request(&cart, coupon))
                    .await;
                return json!({
                    "customer": id,
                    "outcome": "sold",
                    "coupon": coupon,
                    "orderId": order.id,
                    "status": order.status,
                    "replayId": replay.as_ref().ok().map(|o| o.id.clone()),
                    "replayError": replay.err(),
                });
            }
            Err(e) if coupon && coupon_refused(&e) => coupon = false,
            Err(e) if e.code == ErrorCode::OutOfStock => {
                return json!({"customer": id, "outcome": "sold_out", "stage": "checkout"})
            }
            Err(e) => return json!({"customer": id, "outcome": "error", "error": e}),
        }
    }
}

async fn run(args: &[String]) -> Result<(), String> {
    let mode = args.get(1).ok_or("mode")?;
    let url = args.get(2).ok_or("url")?;
    let schema = args.get(3).ok_or("schema")?;
    let options = OpenOptions {
        schema: Some(schema.clone()),
        max_connections: 6,
        ..OpenOptions::default()
    };
    let store = kassa_postgres::connect_with(url, options)
        .await
        .map_err(|e| e.to_string())?;
    if mode == "hang" {
        return hang(store).await;
    }
    if mode == "migrate" {
        println!("{}", json!({"outcome": "migrated"}));
        return Ok(());
    }
    let worker: usize = args.get(4).and_then(|s| s.parse().ok()).ok_or("worker")?;
    let customers: usize = args
        .get(5)
        .and_then(|s| s.parse().ok())
        .ok_or("customers")?;
    let engine =
        Arc::new(Engine::new(store.ports(), EngineConfig::default()).map_err(|e| e.to_string())?);
    let tasks: Vec<_> = (0..customers)
        .map(|n| tokio::spawn(customer(engine.clone(), worker, n)))
        .collect();
    for t in tasks {
        let line = t.await.map_err(|e| e.to_string())?;
        println!("{line}");
    }
    store.close().await;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = rt.block_on(run(&args)) {
        eprintln!("kassa-pg-worker: {e}");
        std::process::exit(1);
    }
}
