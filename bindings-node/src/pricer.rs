//! Pricing with the rules and the cart held on the Rust side (issue 8, Node binding speed).
//!
//! `kassa.pricing.priceCart(request)` ships the whole request (rules and cart) as JSON text
//! into Rust and the whole priced cart back as JSON text on every call; for a 20-line cart that
//! conversion costs many times the pricing itself. The classes here keep both sides native:
//!
//! - [`NativePricer`] holds a [`kassa::pricing::Pricer`] (the rules), decoded once;
//! - [`NativePricingCart`] holds a [`kassa::pricing::PricingCart`] between requests and is
//!   changed by whole operations (set a line, set a quantity, remove a line, set the coupon
//!   codes, the shipping method, the context), so `price(cart)` crosses with no conversion;
//! - [`NativePricedCart`] holds the [`kassa::pricing::PricedCart`] and converts only what is
//!   read (a total, one line's amounts), or the whole result on `toJSONString()`.
//!
//! The package's `index.js` wraps them as `kassa.pricing.Pricer`, `PricingCart` and
//! `PricedCart` (typed errors, argument encoding); these native classes take JSON text for
//! structured arguments and are not used directly. No pricing logic lives here: only decoding,
//! handles and conversion of results.

use crate::{guard, to_napi};
use kassa::error::Result as KResult;
use kassa::host::from_str;
use kassa::money::{format_amount, Money};
use kassa::pricing::{
    AppliedPromotion, CouponOutcome, LineDiscount, PricedCart, PricedLine, Pricer, PricingCart,
    PricingContext, PricingLine, RejectedPromotion, TaxAmount, Totals,
};
use kassa::KassaError;
use napi::bindgen_prelude::ObjectFinalize;
use napi::Env;
use napi_derive::napi;
use serde::{Deserialize, Serialize};

/// Runs `f` under the panic guard and turns a `KassaError` into the native error.
fn run<T>(f: impl FnOnce() -> KResult<T>) -> napi::Result<T> {
    guard(f).map_err(|e| to_napi(&e))
}

/// Serializes a part of a result as JSON text.
fn to_json<T: Serialize + ?Sized>(value: &T) -> KResult<String> {
    serde_json::to_string(value).map_err(|e| KassaError::internal(e.to_string()))
}

/// The rules behind `kassa.pricing.Pricer` (use that class; this one speaks JSON text).
#[napi]
pub struct NativePricer {
    inner: Pricer,
}

#[napi]
impl NativePricer {
    /// A pricer for the rules in `rules` (JSON text of `PricingRules`: promotions, coupons,
    /// taxRules, shippingRates, rounding, stacking; every field optional).
    #[napi(constructor, catch_unwind)]
    pub fn new(rules: String) -> napi::Result<Self> {
        run(|| {
            Ok(NativePricer {
                inner: Pricer::new(from_str(&rules)?),
            })
        })
    }

    /// Prices a cart held natively: nothing of the cart is converted.
    #[napi(catch_unwind)]
    pub fn price(&self, env: Env, cart: &NativePricingCart) -> napi::Result<NativePricedCart> {
        NativePricedCart::new(env, run(|| self.inner.price(&cart.inner))?)
    }

    /// Prices a cart given as JSON text (`PricingCart`: lines, couponCodes, shippingMethod,
    /// context).
    #[napi(catch_unwind)]
    pub fn price_json(&self, env: Env, cart: String) -> napi::Result<NativePricedCart> {
        let priced = run(|| self.inner.price(&from_str::<PricingCart>(&cart)?))?;
        NativePricedCart::new(env, priced)
    }

    /// The rules as JSON text.
    #[napi(catch_unwind)]
    pub fn rules_json(&self) -> napi::Result<String> {
        run(|| to_json(self.inner.rules()))
    }
}

/// `setLine`'s argument.
#[derive(Deserialize, kassa::host::Decode)]
struct LineArg {
    line: PricingLine,
}

/// `setQuantity`'s arguments.
#[derive(Deserialize, kassa::host::Decode)]
#[serde(rename_all = "camelCase")]
struct QuantityArgs {
    line_id: String,
    quantity: u32,
}

/// An argument naming one line.
#[derive(Deserialize, kassa::host::Decode)]
#[serde(rename_all = "camelCase")]
struct LineIdArg {
    line_id: String,
}

/// `setCouponCodes`'s argument.
#[derive(Deserialize, kassa::host::Decode)]
#[serde(rename_all = "camelCase")]
struct CouponCodesArg {
    coupon_codes: Vec<String>,
}

/// `setShippingMethod`'s argument (absent or null: none, the cheapest rate applies).
#[derive(Deserialize, kassa::host::Decode)]
#[serde(rename_all = "camelCase")]
struct ShippingMethodArg {
    #[serde(default)]
    shipping_method: Option<String>,
}

/// `setContext`'s argument.
#[derive(Deserialize, kassa::host::Decode)]
struct ContextArg {
    context: PricingContext,
}

/// The cart behind `kassa.pricing.PricingCart` (use that class; this one speaks JSON text).
/// Every change is checked for its shape (types, decimal strings, currency codes) and leaves
/// the cart unchanged when it fails; the pricing rules (quantity at least 1, one currency, ...)
/// are checked when the cart is priced, with the field path of the line.
#[napi]
pub struct NativePricingCart {
    inner: PricingCart,
}

impl NativePricingCart {
    fn position(&self, line_id: &str) -> KResult<usize> {
        self.inner
            .lines
            .iter()
            .position(|l| &*l.line_id == line_id)
            .ok_or_else(|| KassaError::not_found("line", line_id))
    }
}

#[napi]
impl NativePricingCart {
    /// A cart from JSON text (`PricingCart`).
    #[napi(constructor, catch_unwind)]
    pub fn new(cart: String) -> napi::Result<Self> {
        run(|| {
            Ok(NativePricingCart {
                inner: from_str(&cart)?,
            })
        })
    }

    /// Adds the line of `{"line": ...}`, or replaces the line with the same `lineId` in place.
    #[napi(catch_unwind)]
    pub fn set_line(&mut self, args: String) -> napi::Result<()> {
        run(|| {
            let LineArg { line } = from_str(&args)?;
            match self
                .inner
                .lines
                .iter_mut()
                .find(|l| l.line_id == line.line_id)
            {
                Some(slot) => *slot = line,
                None => self.inner.lines.push(line),
            }
            Ok(())
        })
    }

    /// Sets the quantity of a line: `{"lineId": ..., "quantity": n}`; `NOT_FOUND` when no line
    /// has the id.
    #[napi(catch_unwind)]
    pub fn set_quantity(&mut self, args: String) -> napi::Result<()> {
        run(|| {
            let QuantityArgs { line_id, quantity } = from_str(&args)?;
            let at = self.position(&line_id)?;
            if let Some(line) = self.inner.lines.get_mut(at) {
                line.quantity = quantity;
            }
            Ok(())
        })
    }

    /// Removes a line: `{"lineId": ...}`; `NOT_FOUND` when no line has the id.
    #[napi(catch_unwind)]
    pub fn remove_line(&mut self, args: String) -> napi::Result<()> {
        run(|| {
            let LineIdArg { line_id } = from_str(&args)?;
            let at = self.position(&line_id)?;
            self.inner.lines.remove(at);
            Ok(())
        })
    }

    /// Replaces the entered coupon codes: `{"couponCodes": [...]}`.
    #[napi(catch_unwind)]
    pub fn set_coupon_codes(&mut self, args: String) -> napi::Result<()> {
        run(|| {
            let CouponCodesArg { coupon_codes } = from_str(&args)?;
            self.inner.coupon_codes = coupon_codes;
            Ok(())
        })
    }

    /// Sets or clears the chosen shipping rate: `{"shippingMethod": "express" | null}`.
    #[napi(catch_unwind)]
    pub fn set_shipping_method(&mut self, args: String) -> napi::Result<()> {
        run(|| {
            let ShippingMethodArg { shipping_method } = from_str(&args)?;
            self.inner.shipping_method = shipping_method;
            Ok(())
        })
    }

    /// Replaces the context (region, currency, customer, now): `{"context": {...}}`.
    #[napi(catch_unwind)]
    pub fn set_context(&mut self, args: String) -> napi::Result<()> {
        run(|| {
            let ContextArg { context } = from_str(&args)?;
            self.inner.context = context;
            Ok(())
        })
    }

    /// How many lines the cart has.
    #[napi(getter, catch_unwind)]
    pub fn line_count(&self) -> u32 {
        u32::try_from(self.inner.lines.len()).unwrap_or(u32::MAX)
    }

    /// The line ids, in order.
    #[napi(catch_unwind)]
    pub fn line_ids(&self) -> Vec<String> {
        self.inner
            .lines
            .iter()
            .map(|l| l.line_id.to_string())
            .collect()
    }

    /// One line as JSON text (`null` when no line has the id).
    #[napi(catch_unwind)]
    pub fn line_json(&self, line_id: String) -> napi::Result<String> {
        run(|| to_json(&self.inner.lines.iter().find(|l| *l.line_id == *line_id)))
    }

    /// An independent copy of the cart.
    #[napi(catch_unwind)]
    pub fn copy(&self) -> NativePricingCart {
        NativePricingCart {
            inner: self.inner.clone(),
        }
    }

    /// The whole cart as JSON text (the serde form it was built from, defaults filled in).
    #[napi(js_name = "toJSONString", catch_unwind)]
    pub fn to_json_string(&self) -> napi::Result<String> {
        run(|| to_json(&self.inner))
    }
}

/// The result behind `kassa.pricing.PricedCart` (use that class): the Rust `PricedCart`,
/// converted only where it is read.
///
/// Amounts cross as their decimal strings only; the JS layer adds the cart's currency (every
/// amount of a priced cart is in it) when it builds the `{ amount, currency }` object, which
/// is cheaper than building the object through Node-API. The lines' amounts cross a column at
/// a time ([`line_column`](NativePricedCart::line_column)): one call for a field of every line.
///
/// The memory it holds is reported to V8 (`napi_adjust_external_memory`) while it lives, so
/// the garbage collector sees results piling up and collects them; the JS wrapper alone is a
/// few bytes.
#[napi(custom_finalize)]
pub struct NativePricedCart {
    inner: PricedCart,
    /// The bytes reported to V8 for this result.
    reported: i64,
}

impl NativePricedCart {
    fn new(env: Env, inner: PricedCart) -> napi::Result<Self> {
        let reported = i64::try_from(heap_size(&inner)).unwrap_or(i64::MAX);
        env.adjust_external_memory(reported)?;
        Ok(NativePricedCart { inner, reported })
    }

    fn line(&self, index: u32) -> napi::Result<&PricedLine> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.inner.lines.get(i))
            .ok_or_else(|| to_napi(&KassaError::not_found("line index", index)))
    }
}

impl ObjectFinalize for NativePricedCart {
    fn finalize(self, env: Env) -> napi::Result<()> {
        env.adjust_external_memory(-self.reported).map(|_| ())
    }
}

/// About how many bytes a priced cart holds on the heap: its vectors and the lines' spilled
/// discounts (strings and shared ids left out; a hint for the garbage collector).
fn heap_size(p: &PricedCart) -> usize {
    use std::mem::size_of;
    let spilled: usize = p
        .lines
        .iter()
        .filter(|l| l.discounts.spilled())
        .map(|l| l.discounts.capacity() * size_of::<LineDiscount>())
        .sum();
    size_of::<PricedCart>()
        + p.lines.capacity() * size_of::<PricedLine>()
        + spilled
        + p.taxes.capacity() * size_of::<TaxAmount>()
        + p.applied_promotions.capacity() * size_of::<AppliedPromotion>()
        + p.rejected_promotions.capacity() * size_of::<RejectedPromotion>()
        + p.coupons.capacity() * size_of::<CouponOutcome>()
        + p.shipping
            .as_ref()
            .map_or(0, |s| s.discounts.capacity() * size_of::<LineDiscount>())
}

/// The amount of a total, by its JSON name in `totals`.
fn total<'a>(totals: &'a Totals, name: &str) -> KResult<&'a Money> {
    Ok(match name {
        "subtotal" => &totals.subtotal,
        "discountTotal" => &totals.discount_total,
        "shippingTotal" => &totals.shipping_total,
        "taxTotal" => &totals.tax_total,
        "taxIncluded" => &totals.tax_included,
        "taxAdded" => &totals.tax_added,
        "totalExcludingTax" => &totals.total_excluding_tax,
        "grandTotal" => &totals.grand_total,
        other => {
            return Err(KassaError::validation(
                "total",
                format!("no total '{other}' in a priced cart"),
            ))
        }
    })
}

/// Appends one field of a line to a column, as text.
fn push_field(out: &mut String, line: &PricedLine, field: &str) -> KResult<()> {
    let amount = |m: &Money| m.amount_string();
    let text = match field {
        "unitPrice" => amount(&line.unit_price),
        "subtotal" => amount(&line.subtotal()),
        "discountTotal" => amount(&line.discount_total()),
        "net" => amount(&line.net()),
        "tax" => amount(&line.tax()),
        "total" => amount(&line.total()),
        "taxRate" => format_amount(line.tax_rate, 0),
        "quantity" => line.quantity.to_string(),
        other => {
            return Err(KassaError::validation(
                "field",
                format!("no column '{other}' in a priced line"),
            ))
        }
    };
    out.push_str(&text);
    Ok(())
}

#[napi]
impl NativePricedCart {
    /// The cart's currency code (the currency of every amount of the result).
    #[napi(getter, catch_unwind)]
    pub fn currency(&self) -> String {
        self.inner.currency.code().to_owned()
    }

    /// The amount (decimal string) of one of the totals, by its JSON name: `grandTotal`,
    /// `subtotal`, `discountTotal`, `shippingTotal`, `taxTotal`, `taxIncluded`, `taxAdded`,
    /// `totalExcludingTax`.
    #[napi(catch_unwind)]
    pub fn total_amount(&self, name: String) -> napi::Result<String> {
        run(|| total(&self.inner.totals, &name).map(Money::amount_string))
    }

    /// How many priced lines there are (as many as the cart's lines, in the same order).
    #[napi(getter, catch_unwind)]
    pub fn line_count(&self) -> u32 {
        u32::try_from(self.inner.lines.len()).unwrap_or(u32::MAX)
    }

    /// One field of every line, in line order, separated by single spaces: the amounts
    /// (decimal strings) of `unitPrice`, `subtotal`, `discountTotal`, `net`, `tax` or
    /// `total`, or `taxRate` (decimal string), or `quantity`. None of these texts contains a
    /// space.
    #[napi(catch_unwind)]
    pub fn line_column(&self, field: String) -> napi::Result<String> {
        run(|| {
            let mut out = String::with_capacity(self.inner.lines.len() * 8);
            for (i, line) in self.inner.lines.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                push_field(&mut out, line, &field)?;
            }
            Ok(out)
        })
    }

    /// The id of line `index`.
    #[napi(catch_unwind)]
    pub fn line_id(&self, index: u32) -> napi::Result<String> {
        self.line(index).map(|l| l.line_id.to_string())
    }

    /// Whether the prices of line `index` include tax.
    #[napi(catch_unwind)]
    pub fn line_tax_inclusive(&self, index: u32) -> napi::Result<bool> {
        self.line(index).map(|l| l.tax_inclusive)
    }

    /// The discounts of line `index` as JSON text.
    #[napi(catch_unwind)]
    pub fn line_discounts_json(&self, index: u32) -> napi::Result<String> {
        let line = self.line(index)?;
        run(|| to_json(&line.discounts))
    }

    /// Line `index` as JSON text.
    #[napi(catch_unwind)]
    pub fn line_json(&self, index: u32) -> napi::Result<String> {
        let line = self.line(index)?;
        run(|| to_json(line))
    }

    /// One top-level part of the result as JSON text, by its JSON name: `lines`, `shipping`,
    /// `taxes`, `totals`, `appliedPromotions`, `rejectedPromotions` or `coupons`.
    #[napi(catch_unwind)]
    pub fn part_json(&self, part: String) -> napi::Result<String> {
        let p = &self.inner;
        run(|| match part.as_str() {
            "lines" => to_json(&p.lines),
            "shipping" => to_json(&p.shipping),
            "taxes" => to_json(&p.taxes),
            "totals" => to_json(&p.totals),
            "appliedPromotions" => to_json(&p.applied_promotions),
            "rejectedPromotions" => to_json(&p.rejected_promotions),
            "coupons" => to_json(&p.coupons),
            other => Err(KassaError::validation(
                "part",
                format!("no part '{other}' in a priced cart"),
            )),
        })
    }

    /// The whole result as JSON text: exactly what `pricing.price_cart` returns.
    #[napi(js_name = "toJSONString", catch_unwind)]
    pub fn to_json_string(&self) -> napi::Result<String> {
        run(|| to_json(&self.inner))
    }
}
