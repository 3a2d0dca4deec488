//! Python carts, lines and contexts → `kassa::pricing` values.
//!
//! Two routes give the same result:
//!
//! - the **direct** route reads plain dicts (and `kassa.Record`s, `kassa.Money`,
//!   `decimal.Decimal`, aware `datetime`) field by field into the core's structs, with no
//!   intermediate value: this is what a per-call `Pricer.price(dict)` costs;
//! - the **serde** route converts the value to the serde form ([`crate::pyconv::to_value`])
//!   and deserializes it with [`kassa::host::from_value`], exactly as `kassa.call` does.
//!
//! The direct route is conservative: it accepts only the plain shapes it reads exactly as
//! serde would, and gives up (returns `None`) on anything else (a missing field, a wrong
//! type, a bad amount, an unusual container). The caller then takes the serde route, which
//! either accepts the value after all or reports the error `kassa.call` would, with the same
//! code, message and field path. So the direct route only ever decides *how fast*, never
//! *what*: the tests price every vector both ways.

use crate::pyconv::{to_value, types, Path, PyTypes};
use chrono::{DateTime, FixedOffset, Utc};
use kassa::error::KassaError;
use kassa::money::{parse_amount, Currency, Money};
use kassa::pricing::{PricingCart, PricingContext, PricingLine};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The per-call fields given next to (or instead of) a cart mapping.
#[derive(Default)]
pub struct CartParts<'py> {
    /// `context=`.
    pub context: Option<Bound<'py, PyAny>>,
    /// `coupon_codes=`.
    pub coupon_codes: Option<Bound<'py, PyAny>>,
    /// `shipping_method=`.
    pub shipping_method: Option<Bound<'py, PyAny>>,
}

/// A cart from a mapping in the serde form of [`PricingCart`] (`lines`, `context`,
/// `couponCodes`, `shippingMethod`) or from a sequence of lines, with the fields of `parts`
/// given separately (they take precedence over the mapping's).
///
/// # Errors
/// `VALIDATION_ERROR` naming the field path, as `kassa.call("pricing.price_cart", ...)` would.
pub fn cart_of(cart: &Bound<'_, PyAny>, parts: &CartParts<'_>) -> Result<PricingCart, KassaError> {
    let t = types(cart.py())?;
    if let Some(fast) = Direct(t).cart(cart, parts) {
        return Ok(fast);
    }
    cart_via_serde(cart, parts)
}

/// [`cart_of`] by the serde route only (the reference the direct route is tested against).
///
/// # Errors
/// As [`cart_of`].
pub fn cart_via_serde(
    cart: &Bound<'_, PyAny>,
    parts: &CartParts<'_>,
) -> Result<PricingCart, KassaError> {
    let mut root = Path::default();
    let mut value = if is_sequence(cart) {
        let lines = to_value(cart, &mut Path::of("lines"))?;
        let mut map = serde_json::Map::new();
        map.insert("lines".to_owned(), lines);
        serde_json::Value::Object(map)
    } else {
        to_value(cart, &mut root)?
    };
    if let serde_json::Value::Object(map) = &mut value {
        for (key, part) in [
            ("context", &parts.context),
            ("couponCodes", &parts.coupon_codes),
            ("shippingMethod", &parts.shipping_method),
        ] {
            if let Some(p) = part {
                if !p.is_none() {
                    map.insert(key.to_owned(), to_value(p, &mut Path::of(key))?);
                }
            }
        }
    }
    kassa::host::from_value(value)
}

/// A sequence of lines (the `lines` of a cart), each a mapping in the serde form of
/// [`PricingLine`]; errors are named `<field>[i].<path>`.
///
/// # Errors
/// `VALIDATION_ERROR` naming the field path.
pub fn lines_of(lines: &Bound<'_, PyAny>, field: &str) -> Result<Vec<PricingLine>, KassaError> {
    let t = types(lines.py())?;
    if let Some(fast) = Direct(t).lines(lines) {
        return Ok(fast);
    }
    via_serde(lines, field)
}

/// One line (mapping in the serde form of [`PricingLine`]); errors are named `<field>.<path>`.
///
/// # Errors
/// `VALIDATION_ERROR` naming the field path.
pub fn line_of(line: &Bound<'_, PyAny>, field: &str) -> Result<PricingLine, KassaError> {
    let t = types(line.py())?;
    if let Some(fast) = Direct(t).line(line) {
        return Ok(fast);
    }
    via_serde(line, field)
}

/// The context (mapping in the serde form of [`PricingContext`]).
///
/// # Errors
/// `VALIDATION_ERROR` naming the field path (`context.currency`).
pub fn context_of(context: &Bound<'_, PyAny>) -> Result<PricingContext, KassaError> {
    let t = types(context.py())?;
    if let Some(fast) = Direct(t).context(context) {
        return Ok(fast);
    }
    via_serde(context, "context")
}

/// Coupon codes (a sequence of str).
///
/// # Errors
/// `VALIDATION_ERROR` on `couponCodes[i]`.
pub fn coupon_codes_of(codes: &Bound<'_, PyAny>) -> Result<Vec<String>, KassaError> {
    if let Some(fast) = str_list(codes) {
        return Ok(fast);
    }
    via_serde(codes, "couponCodes")
}

/// Any value by the serde route, errors named under `field`.
///
/// # Errors
/// `VALIDATION_ERROR` naming the field path.
pub fn via_serde<T: DeserializeOwned + kassa::host::Decode>(
    obj: &Bound<'_, PyAny>,
    field: &str,
) -> Result<T, KassaError> {
    let path = Path::of(field);
    let value = to_value(obj, &mut path.clone())?;
    kassa::host::from_value(value).map_err(|e| path.rebase(e))
}

fn is_sequence(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok()
}

/// A field of a mapping: absent, `None`, or a value.
enum Field<'py> {
    Missing,
    Null,
    Value(Bound<'py, PyAny>),
}

/// The direct route: `None` whenever the value is not plainly what serde would read.
struct Direct<'t>(&'t PyTypes);

impl Direct<'_> {
    /// The dict behind a value: a dict itself, or the serde dict a `kassa.Record` wraps.
    fn dict<'py>(&self, obj: &Bound<'py, PyAny>) -> Option<Bound<'py, PyDict>> {
        if let Ok(d) = obj.cast::<PyDict>() {
            return Some(d.clone());
        }
        if obj.is_instance(self.0.record.bind(obj.py())).ok()? {
            let data = obj.getattr(intern!(obj.py(), "_data")).ok()?;
            return data.cast_into::<PyDict>().ok();
        }
        None
    }

    fn cart(&self, obj: &Bound<'_, PyAny>, parts: &CartParts<'_>) -> Option<PricingCart> {
        let py = obj.py();
        let (lines, dict) = if is_sequence(obj) {
            (self.lines(obj)?, None)
        } else {
            let d = self.dict(obj)?;
            (self.lines(&required(&d, intern!(py, "lines"))?)?, Some(d))
        };
        let context = match given(&parts.context) {
            Some(c) => c.clone(),
            None => match of_cart(dict.as_ref(), intern!(py, "context"))? {
                Field::Value(c) => c,
                Field::Missing | Field::Null => return None,
            },
        };
        let coupon_codes = match given(&parts.coupon_codes) {
            Some(c) => str_list(c)?,
            None => match of_cart(dict.as_ref(), intern!(py, "couponCodes"))? {
                Field::Missing => Vec::new(),
                Field::Null => return None,
                Field::Value(c) => str_list(&c)?,
            },
        };
        let shipping_method = match given(&parts.shipping_method) {
            Some(m) => Some(string(m)?),
            None => match of_cart(dict.as_ref(), intern!(py, "shippingMethod"))? {
                Field::Missing | Field::Null => None,
                Field::Value(m) => Some(string(&m)?),
            },
        };
        Some(PricingCart {
            lines,
            coupon_codes,
            shipping_method,
            context: self.context(&context)?,
        })
    }

    fn lines(&self, obj: &Bound<'_, PyAny>) -> Option<Vec<PricingLine>> {
        if let Ok(list) = obj.cast::<PyList>() {
            let mut out = Vec::with_capacity(list.len());
            for item in list.iter() {
                out.push(self.line(&item)?);
            }
            return Some(out);
        }
        let tuple = obj.cast::<PyTuple>().ok()?;
        let mut out = Vec::with_capacity(tuple.len());
        for item in tuple.iter() {
            out.push(self.line(&item)?);
        }
        Some(out)
    }

    fn line(&self, obj: &Bound<'_, PyAny>) -> Option<PricingLine> {
        let py = obj.py();
        let d = self.dict(obj)?;
        let line_id: Arc<str> = Arc::from(str_ref(&required(&d, intern!(py, "lineId"))?)?);
        let sku = string(&required(&d, intern!(py, "sku"))?)?;
        let product_id = string(&required(&d, intern!(py, "productId"))?)?;
        let category_ids = match field(&d, intern!(py, "categoryIds"))? {
            Field::Missing => Vec::new(),
            Field::Null => return None,
            Field::Value(v) => str_list(&v)?,
        };
        let quantity = uint::<u32>(&required(&d, intern!(py, "quantity"))?)?;
        let unit_price = self.money(&required(&d, intern!(py, "unitPrice"))?)?;
        let tax_inclusive = match field(&d, intern!(py, "taxInclusive"))? {
            Field::Missing => false,
            Field::Null => return None,
            Field::Value(v) => v.cast::<PyBool>().ok()?.is_true(),
        };
        let tax_class = match field(&d, intern!(py, "taxClass"))? {
            Field::Missing => "standard".to_owned(),
            Field::Null => return None,
            Field::Value(v) => string(&v)?,
        };
        let weight_grams = match field(&d, intern!(py, "weightGrams"))? {
            Field::Missing => 0,
            Field::Null => return None,
            Field::Value(v) => uint::<u64>(&v)?,
        };
        let compare_at = match field(&d, intern!(py, "compareAt"))? {
            Field::Missing | Field::Null => None,
            Field::Value(v) => Some(self.money(&v)?),
        };
        Some(PricingLine {
            line_id,
            sku,
            product_id,
            category_ids,
            quantity,
            unit_price,
            tax_inclusive,
            tax_class,
            weight_grams,
            compare_at,
        })
    }

    fn money(&self, obj: &Bound<'_, PyAny>) -> Option<Money> {
        let py = obj.py();
        let (amount, currency) = match self.dict(obj) {
            Some(d) => (
                required(&d, intern!(py, "amount"))?,
                required(&d, intern!(py, "currency"))?,
            ),
            None => {
                if !obj.is_instance(self.0.money.bind(py)).ok()? {
                    return None;
                }
                (
                    obj.getattr(intern!(py, "amount")).ok()?,
                    obj.getattr(intern!(py, "currency")).ok()?,
                )
            }
        };
        let amount = if let Ok(s) = amount.cast::<PyString>() {
            parse_amount(s.to_str().ok()?).ok()?
        } else if amount.is_instance(self.0.decimal.bind(py)).ok()? {
            parse_amount(amount.str().ok()?.to_str().ok()?).ok()?
        } else {
            return None;
        };
        let currency = Currency::from_code(str_ref(&currency)?).ok()?;
        Some(Money::new(amount, currency))
    }

    fn context(&self, obj: &Bound<'_, PyAny>) -> Option<PricingContext> {
        let py = obj.py();
        let d = self.dict(obj)?;
        let region = string(&required(&d, intern!(py, "region"))?)?;
        let currency =
            Currency::from_code(str_ref(&required(&d, intern!(py, "currency"))?)?).ok()?;
        let customer_id = match field(&d, intern!(py, "customerId"))? {
            Field::Missing | Field::Null => None,
            Field::Value(v) => Some(string(&v)?),
        };
        let customer_groups = match field(&d, intern!(py, "customerGroups"))? {
            Field::Missing => Vec::new(),
            Field::Null => return None,
            Field::Value(v) => str_list(&v)?,
        };
        let first_order = match field(&d, intern!(py, "firstOrder"))? {
            Field::Missing => false,
            Field::Null => return None,
            Field::Value(v) => v.cast::<PyBool>().ok()?.is_true(),
        };
        let now = self.instant(&required(&d, intern!(py, "now"))?)?;
        Some(PricingContext {
            region,
            currency,
            customer_id,
            customer_groups,
            first_order,
            now,
        })
    }

    /// RFC 3339 text (parsed as chrono's serde does) or an aware `datetime`.
    fn instant(&self, obj: &Bound<'_, PyAny>) -> Option<DateTime<Utc>> {
        let py = obj.py();
        let parsed: DateTime<FixedOffset> = if let Ok(s) = obj.cast::<PyString>() {
            s.to_str().ok()?.parse().ok()?
        } else if obj.is_instance(self.0.datetime.bind(py)).ok()? {
            if obj.call_method0(intern!(py, "utcoffset")).ok()?.is_none() {
                return None; // naive: the serde route reports it
            }
            let text = obj.call_method0(intern!(py, "isoformat")).ok()?;
            text.cast::<PyString>().ok()?.to_str().ok()?.parse().ok()?
        } else {
            return None;
        };
        Some(parsed.with_timezone(&Utc))
    }
}

/// A per-call part, unless absent or `None`.
fn given<'a, 'py>(part: &'a Option<Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    part.as_ref().filter(|v| !v.is_none())
}

/// A field of the cart mapping; `Missing` when the cart is a sequence of lines.
fn of_cart<'py>(
    dict: Option<&Bound<'py, PyDict>>,
    key: &Bound<'py, PyString>,
) -> Option<Field<'py>> {
    match dict {
        Some(d) => field(d, key),
        None => Some(Field::Missing),
    }
}

fn field<'py>(d: &Bound<'py, PyDict>, key: &Bound<'py, PyString>) -> Option<Field<'py>> {
    match d.get_item(key).ok()? {
        None => Some(Field::Missing),
        Some(v) if v.is_none() => Some(Field::Null),
        Some(v) => Some(Field::Value(v)),
    }
}

fn required<'py>(d: &Bound<'py, PyDict>, key: &Bound<'py, PyString>) -> Option<Bound<'py, PyAny>> {
    match field(d, key)? {
        Field::Value(v) => Some(v),
        Field::Missing | Field::Null => None,
    }
}

fn str_ref<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    obj.cast::<PyString>().ok()?.to_str().ok()
}

fn string(obj: &Bound<'_, PyAny>) -> Option<String> {
    str_ref(obj).map(str::to_owned)
}

fn uint<'py, T: pyo3::conversion::FromPyObjectOwned<'py>>(obj: &Bound<'py, PyAny>) -> Option<T> {
    if obj.cast::<PyBool>().is_ok() || obj.cast::<PyInt>().is_err() {
        return None;
    }
    obj.extract::<T>().ok()
}

fn str_list(obj: &Bound<'_, PyAny>) -> Option<Vec<String>> {
    if let Ok(list) = obj.cast::<PyList>() {
        return list.iter().map(|s| string(&s)).collect();
    }
    let tuple = obj.cast::<PyTuple>().ok()?;
    tuple.iter().map(|s| string(&s)).collect()
}
