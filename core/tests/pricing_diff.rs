//! Differential record of `price_cart` over pseudo-random carts: writes one line of result
//! JSON (or error JSON) per cart to `$KASSA_PRICING_DIFF_OUT`, so two builds' files can be
//! compared byte for byte (`cmp`) around an optimization that must not change any result.
//! Run with `KASSA_PRICING_DIFF_OUT=/tmp/x cargo test -p kassa --test pricing_diff --
//! --ignored` before and after (`KASSA_PRICING_DIFF_N` carts, 40,000 by default; about 20 %
//! of them are drawn invalid on purpose, and every tenth also goes through a `Pricer`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod pricing_common;

use kassa::pricing::{price_cart, PricingInput};
use pricing_common::split;
use serde_json::{json, Value};
use std::fmt::Write as _;

struct Rng(u64, bool);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, per_100: u64) -> bool {
        self.below(100) < per_100
    }
    /// An invalid choice, only in the carts drawn as invalid.
    fn oops(&mut self, per_100: u64) -> bool {
        self.1 && self.chance(per_100)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn amount(r: &mut Rng, dp: u32) -> String {
    let minor: u128 = match r.below(10) {
        0 => 0,
        1 => u128::from(r.below(10)),
        2 => u128::from(r.next()) * u128::from(r.below(1 << 20) + 1), // past 64 bits
        3 => u128::from(r.next() >> 20),
        _ => u128::from(r.below(100_000)),
    };
    // Sometimes finer than the minor unit.
    let extra = if r.chance(15) {
        r.below(3) as u32 + 1
    } else {
        0
    };
    let scale = dp + extra;
    let minor = if extra > 0 {
        minor * 10u128.pow(extra) + u128::from(r.below(10u64.pow(extra)))
    } else {
        minor
    };
    let s = minor.to_string();
    let neg = if r.oops(10) { "-" } else { "" };
    if scale == 0 {
        return format!("{neg}{s}");
    }
    let s = format!("{:0>width$}", s, width = scale as usize + 1);
    let (a, b) = s.split_at(s.len() - scale as usize);
    format!("{neg}{a}.{b}")
}

fn money(r: &mut Rng, cur: &str, dp: u32) -> Value {
    let cur = if r.oops(5) { "GBP" } else { cur };
    json!({"amount": amount(r, dp), "currency": cur})
}

fn small_money(r: &mut Rng, cur: &str, dp: u32) -> Value {
    let minor = r.below(5000) + u64::from(!r.oops(30));
    let s = if dp == 0 {
        minor.to_string()
    } else {
        let s = format!("{:0>width$}", minor, width = dp as usize + 1);
        let (a, b) = s.split_at(s.len() - dp as usize);
        format!("{a}.{b}")
    };
    json!({"amount": s, "currency": cur})
}

fn percent(r: &mut Rng) -> String {
    match r.below(8) {
        0 => "100".into(),
        1 => format!("{}", r.below(101)),
        2 => format!("{}.{:03}", r.below(100), r.below(1000)),
        3 if r.oops(50) => "150".into(),
        _ => format!("{}.{}", r.below(100), r.below(100)),
    }
}

fn target(r: &mut Rng) -> Value {
    match r.below(8) {
        0..=2 => json!({"type": "order"}),
        3 => json!({"type": "products", "ids": [format!("P{}", r.below(4))]}),
        4 => {
            json!({"type": "variants", "skus": [format!("S{}", r.below(5)), format!("S{}", r.below(5))]})
        }
        5 => json!({"type": "categories", "ids": [format!("C{}", r.below(4))]}),
        6 => json!({"type": "shipping"}),
        _ if r.oops(50) => json!({"type": "products", "ids": []}),
        _ => json!({"type": "order"}),
    }
}

fn action(r: &mut Rng, cur: &str, dp: u32) -> Value {
    match r.below(9) {
        0 | 1 => json!({"type": "percent_off", "percent": percent(r)}),
        2 => {
            json!({"type": "amount_off", "amount": small_money(r, cur, dp), "perUnit": r.chance(50)})
        }
        3 => json!({"type": "fixed_price", "unitPrice": small_money(r, cur, dp)}),
        4 => {
            json!({"type": "buy_x_get_y", "buy": r.below(3) + u64::from(!r.oops(40)), "get": r.below(3) + 1, "percent": percent(r)})
        }
        5 => json!({"type": "buy_x_get_y", "buy": r.below(3) + 1, "get": 1}),
        6 => {
            let n = r.below(3) + u64::from(!r.oops(40));
            let tiers: Vec<Value> = (0..n)
                .map(|_| json!({"min": format!("{}", r.below(50)), "percent": percent(r)}))
                .collect();
            let basis = if r.chance(50) { "quantity" } else { "spend" };
            json!({"type": "tiered", "basis": basis, "tiers": tiers})
        }
        7 => json!({"type": "free_shipping"}),
        _ => json!({"type": "amount_off", "amount": money(r, cur, dp)}),
    }
}

const MODES: &[&str] = &["half_even", "half_up", "half_down", "up", "down"];

fn input(r: &mut Rng) -> Value {
    let (cur, dp) = match r.below(4) {
        0 => ("EUR", 2),
        1 => ("USD", 2),
        2 => ("JPY", 0),
        _ => ("KWD", 3),
    };
    let n_lines = match r.below(10) {
        0 => 0,
        1 => r.below(60) + 20,
        _ => r.below(12) + 1,
    };
    let shuffled = r.chance(20);
    let mut lines: Vec<Value> = (0..n_lines)
        .map(|i| {
            let id = if r.oops(10) {
                if r.chance(50) {
                    " ".to_string()
                } else {
                    format!("L{:03}", i.saturating_sub(1))
                }
            } else {
                format!("L{i:03}")
            };
            let cats: Vec<String> = (0..r.below(3))
                .map(|_| format!("C{}", r.below(4)))
                .collect();
            let mut l = json!({
                "lineId": id,
                "sku": format!("S{}", r.below(5)),
                "productId": format!("P{}", r.below(4)),
                "categoryIds": cats,
                "quantity": if r.oops(10) { 0 } else { r.below(7) + 1 },
                "unitPrice": money(r, cur, dp),
                "taxInclusive": r.chance(50),
                "weightGrams": r.below(3000),
            });
            if r.chance(80) {
                l["taxClass"] = json!(r.pick(&["standard", "reduced", "zero", "other"]));
            }
            l
        })
        .collect();
    if shuffled {
        for i in (1..lines.len()).rev() {
            let j = r.below(i as u64 + 1) as usize;
            lines.swap(i, j);
        }
    }
    let n_promos = r.below(6);
    let promotions: Vec<Value> = (0..n_promos)
        .map(|i| {
            let t = target(r);
            let ship = t["type"] == "shipping";
            let mut a = action(r, cur, dp);
            if ship && r.chance(70) {
                a = match r.below(3) {
                    0 => json!({"type": "percent_off", "percent": percent(r)}),
                    1 => json!({"type": "amount_off", "amount": small_money(r, cur, dp)}),
                    _ => json!({"type": "free_shipping"}),
                };
            }
            let mut p = json!({
                "id": if r.oops(20) { format!("p{}", i.saturating_sub(1)) } else { format!("p{i}") },
                "priority": r.below(4),
                "exclusive": r.chance(25),
                "stopAfter": r.chance(10),
                "target": t,
                "action": a,
            });
            let mut c = serde_json::Map::new();
            if r.chance(20) {
                c.insert("minSubtotal".into(), small_money(r, cur, dp));
            }
            if r.chance(15) {
                c.insert("minQuantity".into(), json!(r.below(10)));
            }
            if r.chance(10) {
                c.insert("customerGroups".into(), json!([r.pick(&["vip", "staff"])]));
            }
            if r.chance(10) {
                c.insert("startsAt".into(), json!("2026-04-01T00:00:00Z"));
            }
            if r.chance(10) {
                c.insert("endsAt".into(), json!(if r.oops(50) { "2026-03-01T00:00:00Z" } else { "2026-05-01T00:00:00Z" }));
            }
            if r.chance(25) {
                c.insert("couponRequired".into(), json!(true));
            }
            if r.chance(10) {
                c.insert("firstOrderOnly".into(), json!(true));
            }
            p["conditions"] = Value::Object(c);
            p
        })
        .collect();
    let coupons: Vec<Value> = (0..r.below(4))
        .map(|i| {
            let mut c = json!({
                "code": if r.oops(20) { " ".to_string() } else { format!("Code{i}") },
                "promotionId": format!("p{}", if r.oops(30) { n_promos } else { r.below(n_promos.max(1)) }),
                "timesUsed": r.below(3),
                "customerTimesUsed": r.below(2),
            });
            if r.chance(20) {
                c["usageLimit"] = json!(r.below(3));
            }
            if r.chance(20) {
                c["perCustomerLimit"] = json!(r.below(2));
            }
            if r.chance(20) {
                c["minSpend"] = small_money(r, cur, dp);
            }
            c
        })
        .collect();
    let codes: Vec<String> = (0..r.below(4))
        .map(|_| match r.below(4) {
            0 => format!(" code{} ", r.below(4)),
            1 => format!("CODE{}", r.below(4)),
            2 => "nope".into(),
            _ => format!("Code{}", r.below(4)),
        })
        .collect();
    let region = if r.chance(85) { "DE" } else { "FR" };
    let rates = [
        "0.19", "0.07", "0", "0.2", "0.055", "0.125", "0.33333", "1.5",
    ];
    let tax_rules: Vec<Value> = (0..r.below(4))
        .map(|i| {
            json!({
                "id": format!("t{}", if r.oops(20) { 0 } else { i }),
                "region": if r.chance(85) { "DE" } else { "FR" },
                "taxClass": if r.oops(30) { "standard" } else { ["standard", "reduced", "zero", "other"][i as usize] },
                "rate": if r.oops(10) { "-0.1" } else { r.pick(&rates) },
            })
        })
        .collect();
    let shipping_rates: Vec<Value> = (0..r.below(4))
        .map(|i| {
            let calc = match r.below(3) {
                0 => json!({"type": "flat", "price": small_money(r, cur, dp)}),
                1 => json!({"type": "weight_tiers", "tiers": (0..r.below(2) + u64::from(!r.oops(40))).map(|k| json!({"maxGrams": (k + 1) * r.below(20_000), "price": small_money(r, cur, dp)})).collect::<Vec<_>>()}),
                _ => {
                    let mut tiers = vec![json!({"minSubtotal": {"amount": "0", "currency": cur}, "price": small_money(r, cur, dp)})];
                    if r.chance(80) {
                        tiers.push(json!({"minSubtotal": small_money(r, cur, dp), "price": small_money(r, cur, dp)}));
                    }
                    if r.oops(30) {
                        tiers.remove(0);
                    }
                    json!({"type": "price_tiers", "tiers": tiers})
                }
            };
            let mut s = json!({"id": format!("r{i}"), "calculation": calc});
            if r.chance(30) {
                s["regions"] = json!([r.pick(&["DE", "FR"])]);
            }
            if r.chance(30) {
                s["freeOver"] = small_money(r, cur, dp);
            }
            s
        })
        .collect();
    let mut v = json!({
        "lines": lines,
        "promotions": promotions,
        "couponCodes": codes,
        "coupons": coupons,
        "taxRules": tax_rules,
        "shippingRates": shipping_rates,
        "context": {
            "region": region,
            "currency": cur,
            "customerGroups": if r.chance(30) { vec!["vip"] } else { vec![] },
            "firstOrder": r.chance(50),
            "now": "2026-03-15T12:00:00Z",
        },
        "rounding": {
            "lineSubtotal": r.pick(MODES),
            "discount": r.pick(MODES),
            "tax": r.pick(MODES),
            "taxLevel": r.pick(&["per_unit", "per_line", "per_total"]),
        },
        "stacking": if r.chance(50) { "priority" } else { "best_deal" },
    });
    if r.chance(15) && (r.1 || r.chance(30)) {
        v["shippingMethod"] = json!(format!("r{}", r.below(5)));
    }
    v
}

fn outcome(result: kassa::Result<kassa::pricing::PricedCart>) -> String {
    match result {
        Ok(c) => serde_json::to_string(&c).unwrap(),
        Err(e) => format!("ERR {}", serde_json::to_string(&e).unwrap()),
    }
}

#[test]
#[ignore = "writes a differential record; run by hand around optimizations"]
fn pricing_differential_record() {
    let path = std::env::var("KASSA_PRICING_DIFF_OUT").expect("KASSA_PRICING_DIFF_OUT");
    let n: u64 = std::env::var("KASSA_PRICING_DIFF_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40_000);
    let mut r = Rng(0x9E37_79B9_7F4A_7C15, false);
    let mut out = String::new();
    let (mut priced, mut errors) = (0, 0);
    for i in 0..n {
        r.1 = r.chance(20);
        let v = input(&mut r);
        let input: PricingInput = match serde_json::from_value(v) {
            Ok(x) => x,
            Err(e) => {
                writeln!(out, "{i} DECODE {e}").unwrap();
                continue;
            }
        };
        let res = outcome(price_cart(&input));
        if res.starts_with("ERR") {
            errors += 1;
        } else {
            priced += 1;
        }
        writeln!(out, "{i} {res}").unwrap();
        if i % 10 == 0 {
            let (pricer, cart) = split(&input);
            let via = outcome(pricer.price(&cart));
            assert_eq!(via, res, "cart {i}: Pricer differs from price_cart");
        }
    }
    std::fs::write(&path, out).unwrap();
    eprintln!("{priced} priced, {errors} errors");
}
