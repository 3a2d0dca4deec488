//! Shared set-up of the billing tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use kassa::billing::{Interval, Plan};
use kassa::catalog::{Catalog, CatalogData};
use kassa::engine::{Billing, BillingConfig, Principal, SubscribeRequest};
use kassa::memory::InMemory;
use kassa::ports::PricingRules;
use kassa::Money;
use serde_json::json;

pub struct World {
    pub mem: InMemory,
    pub billing: Billing,
}

pub fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).single().unwrap()
}

pub fn eur(s: &str) -> Money {
    Money::parse(s, "EUR").unwrap()
}

pub fn run<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// A world with the clock at `start`; `vat` adds a 19 % tax rule for region DE.
pub fn world(start: DateTime<Utc>, vat: bool, config: BillingConfig) -> World {
    let data: CatalogData = serde_json::from_value(json!({})).unwrap();
    let rules: PricingRules = serde_json::from_value(if vat {
        json!({"taxRules": [{"id": "de-vat", "region": "DE", "taxClass": "standard", "rate": "0.19"}]})
    } else {
        json!({})
    })
    .unwrap();
    let mem = InMemory::new(Catalog::new(data).unwrap(), rules, start);
    let billing = Billing::new(mem.ports(), mem.billing_ports(), config).unwrap();
    World { mem, billing }
}

pub fn plan(id: &str, price: &str, interval: Interval, trial_days: u32) -> Plan {
    Plan {
        id: id.to_owned(),
        name: id.to_owned(),
        price: eur(price),
        interval,
        interval_count: 1,
        trial_days,
        tax_inclusive: false,
        tax_class: "standard".to_owned(),
        usage: None,
    }
}

pub fn subscribe_req(customer: &str, plan: Plan, token: &str) -> SubscribeRequest {
    SubscribeRequest {
        customer_id: customer.to_owned(),
        email: None,
        plan,
        quantity: 1,
        payment_token: token.to_owned(),
        region: "DE".to_owned(),
        utc_offset_seconds: 0,
        coupon: None,
        term_periods: None,
    }
}

pub fn system() -> Principal {
    Principal::system()
}
