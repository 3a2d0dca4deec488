//! Pricing with the rules and the cart held on the Rust side (docs/python.md, "Pricing
//! without conversion").
//!
//! - [`PyPricer`] (`kassa.pricing.Pricer`) holds a [`kassa::pricing::Pricer`]: the rules are
//!   converted once, not per call.
//! - [`PyPricingCart`] (`kassa.pricing.PricingCart`) holds a [`kassa::pricing::PricingCart`]
//!   a service keeps between requests and changes by whole operations (add or replace a line,
//!   set a quantity, ...); pricing it converts nothing.
//! - [`PyPricedCart`] / [`PyPricedLine`] hold the result and convert a field to Python only
//!   when it is read.
//!
//! The binding adds no pricing logic: every computation is the core's; this module only
//! converts values and keeps handles. The GIL is released while a cart is priced and while a
//! cart handle's lock is taken; the lock is never held while Python code could run.

use crate::boundary::{guarded, to_py_err};
use crate::pricing_input::{
    cart_of, cart_via_serde, context_of, coupon_codes_of, line_of, lines_of, via_serde, CartParts,
};
use crate::pyconv::{py_decimal, py_money, py_plain, py_record, to_value, Path};
use kassa::error::KassaError;
use kassa::money::Money;
use kassa::pricing::{
    PricedCart, PricedLine, Pricer, PricingCart, PricingContext, PricingLine, PricingRules,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString, PyTuple};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Runs `f` under the panic guard and raises its error as the Kassa exception of its code.
fn run<T>(py: Python<'_>, f: impl FnOnce() -> Result<T, KassaError>) -> PyResult<T> {
    guarded(f).map_err(|e| to_py_err(py, &e))
}

/// Pricing rules held on the Rust side: promotions, coupons, tax rules, shipping rates,
/// rounding and stacking, converted once (`kassa.pricing.Pricer`).
///
/// `Pricer(rules)` takes the rule fields of a `pricing.price_cart` request as a mapping (the
/// serde form, `Decimal` / `Money` / `Record` values allowed) or as JSON text; other fields
/// of the mapping are ignored, so a whole request may be passed. Immutable and safe to share
/// between threads; to change the rules, build a new `Pricer`.
#[pyclass(frozen, name = "Pricer", module = "kassa._native")]
pub struct PyPricer {
    pricer: Pricer,
}

#[pymethods]
impl PyPricer {
    /// A pricer for `rules` (none: no promotions, coupons, taxes or shipping).
    #[new]
    #[pyo3(signature = (rules=None))]
    fn new(py: Python<'_>, rules: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        run(py, || {
            let rules: PricingRules = match rules {
                None => PricingRules::default(),
                Some(r) if r.is_none() => PricingRules::default(),
                Some(r) => match r.cast::<PyString>() {
                    Ok(text) => {
                        let text = text
                            .to_str()
                            .map_err(|_| Path::default().error("text is not valid Unicode"))?;
                        kassa::host::from_str(text)?
                    }
                    Err(_) => kassa::host::from_value(to_value(r, &mut Path::default())?)?,
                },
            };
            Ok(PyPricer {
                pricer: Pricer::new(rules),
            })
        })
    }

    /// Prices a cart under the rules: exactly what `kassa.pricing.price_cart` gives for the
    /// request made of these rules and this cart (the same values, the same errors and field
    /// paths).
    ///
    /// `cart` is a `PricingCart` handle (nothing is converted), a mapping in the serde form of
    /// a cart (`lines`, `context`, `couponCodes`, `shippingMethod`) or a sequence of lines;
    /// `context`, `coupon_codes` and `shipping_method` complete or override a mapping or a
    /// sequence (a handle carries its own). The GIL is released while the cart is priced.
    #[pyo3(signature = (cart, *, context=None, coupon_codes=None, shipping_method=None))]
    fn price(
        &self,
        py: Python<'_>,
        cart: &Bound<'_, PyAny>,
        context: Option<Bound<'_, PyAny>>,
        coupon_codes: Option<Bound<'_, PyAny>>,
        shipping_method: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyPricedCart> {
        let parts = CartParts {
            context,
            coupon_codes,
            shipping_method,
        };
        if let Ok(handle) = cart.cast::<PyPricingCart>() {
            run(py, || no_parts_with_handle(&parts))?;
            let handle = handle.get();
            let priced = py.detach(|| guarded(|| self.pricer.price(&handle.read())));
            return run(py, || PyPricedCart::new(py, priced?));
        }
        let cart = run(py, || cart_of(cart, &parts))?;
        let priced = py.detach(|| guarded(|| self.pricer.price(&cart)));
        run(py, || PyPricedCart::new(py, priced?))
    }

    /// `price` converting the cart by the serde route only (the reference the direct
    /// conversion is tested and measured against; not for production use).
    #[pyo3(signature = (cart, *, context=None, coupon_codes=None, shipping_method=None))]
    fn _price_via_serde(
        &self,
        py: Python<'_>,
        cart: &Bound<'_, PyAny>,
        context: Option<Bound<'_, PyAny>>,
        coupon_codes: Option<Bound<'_, PyAny>>,
        shipping_method: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyPricedCart> {
        let parts = CartParts {
            context,
            coupon_codes,
            shipping_method,
        };
        let cart = run(py, || cart_via_serde(cart, &parts))?;
        let priced = py.detach(|| guarded(|| self.pricer.price(&cart)));
        run(py, || PyPricedCart::new(py, priced?))
    }

    /// The rules in serde form (plain dicts and lists).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_plain(py, self.pricer.rules()))
    }

    /// The rules as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || json(self.pricer.rules()))
    }

    fn __repr__(&self) -> String {
        let r = self.pricer.rules();
        format!(
            "Pricer({} promotions, {} coupons, {} tax rules, {} shipping rates)",
            r.promotions.len(),
            r.coupons.len(),
            r.tax_rules.len(),
            r.shipping_rates.len()
        )
    }
}

fn no_parts_with_handle(parts: &CartParts<'_>) -> Result<(), KassaError> {
    for (name, part) in [
        ("context", &parts.context),
        ("couponCodes", &parts.coupon_codes),
        ("shippingMethod", &parts.shipping_method),
    ] {
        if part.as_ref().is_some_and(|p| !p.is_none()) {
            return Err(KassaError::validation(
                name,
                "a PricingCart carries its own context, coupon codes and shipping method: \
                 set them on the cart",
            ));
        }
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, KassaError> {
    serde_json::to_string(value)
        .map_err(|e| KassaError::internal(format!("cannot serialize the result: {e}")))
}

/// A cart held on the Rust side between requests (`kassa.pricing.PricingCart`): lines already
/// resolved against the catalog, coupon codes, shipping method and context.
///
/// Built from lines (mappings in the serde form of a pricing line) and a context; changed by
/// whole operations; `Pricer.price(cart)` then converts nothing. Safe to share between
/// threads: every operation is atomic (a lock the binding takes with the GIL released and
/// never holds while Python code runs).
#[pyclass(frozen, name = "PricingCart", module = "kassa._native")]
pub struct PyPricingCart {
    cart: RwLock<PricingCart>,
}

impl PyPricingCart {
    fn read(&self) -> RwLockReadGuard<'_, PricingCart> {
        // A panic while the lock was held (caught by the guard) leaves the cart as it was:
        // every change below is a single assignment.
        self.cart.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, PricingCart> {
        self.cart.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the cart with the GIL released (the lock may be held by a thread pricing it).
    fn change<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut PricingCart) -> Result<T, KassaError> + Send,
    ) -> PyResult<T> {
        let done = py.detach(|| guarded(|| f(&mut self.write())));
        done.map_err(|e| to_py_err(py, &e))
    }

    /// Reads (a copy of) part of the cart with the GIL released.
    fn snapshot<T: Send>(&self, py: Python<'_>, f: impl FnOnce(&PricingCart) -> T + Send) -> T {
        py.detach(|| f(&self.read()))
    }
}

/// The text of a line id argument (`VALIDATION_ERROR` on `lineId` otherwise).
fn line_id_of(obj: &Bound<'_, PyAny>) -> Result<String, KassaError> {
    match obj.cast::<PyString>() {
        Ok(s) => s
            .to_str()
            .map(str::to_owned)
            .map_err(|_| KassaError::validation("lineId", "text is not valid Unicode")),
        Err(_) => via_serde(obj, "lineId"),
    }
}

fn line_not_found(line_id: &str) -> KassaError {
    KassaError::not_found("cart line", line_id).with_detail("lineId", "no line with this id")
}

fn position(cart: &PricingCart, line_id: &str) -> Option<usize> {
    cart.lines.iter().position(|l| &*l.line_id == line_id)
}

#[pymethods]
impl PyPricingCart {
    /// A cart of `lines` (mappings in the serde form of a pricing line: `lineId`, `sku`,
    /// `productId`, `quantity`, `unitPrice`, ...) with its `context` (`region`, `currency`,
    /// `now`, ...), coupon codes and shipping method.
    #[new]
    #[pyo3(signature = (lines, *, context, coupon_codes=None, shipping_method=None))]
    fn new(
        py: Python<'_>,
        lines: &Bound<'_, PyAny>,
        context: &Bound<'_, PyAny>,
        coupon_codes: Option<&Bound<'_, PyAny>>,
        shipping_method: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        run(py, || {
            let cart = PricingCart {
                lines: lines_of(lines, "lines")?,
                coupon_codes: match coupon_codes {
                    Some(c) if !c.is_none() => coupon_codes_of(c)?,
                    _ => Vec::new(),
                },
                shipping_method: match shipping_method {
                    Some(m) if !m.is_none() => Some(method_of(m)?),
                    _ => None,
                },
                context: context_of(context)?,
            };
            Ok(PyPricingCart {
                cart: RwLock::new(cart),
            })
        })
    }

    /// A cart from a mapping in the serde form of a pricing cart (`lines`, `context`,
    /// `couponCodes`, `shippingMethod`), as `to_dict()` gives it.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        run(py, || {
            Ok(PyPricingCart {
                cart: RwLock::new(cart_of(data, &CartParts::default())?),
            })
        })
    }

    /// `from_dict` by the serde route only (test hook: the reference of the direct
    /// conversion).
    #[staticmethod]
    fn _from_dict_via_serde(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        run(py, || {
            Ok(PyPricingCart {
                cart: RwLock::new(cart_via_serde(data, &CartParts::default())?),
            })
        })
    }

    /// A cart from JSON text in the serde form of a pricing cart.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        run(py, || {
            let text = text
                .cast::<PyString>()
                .map_err(|_| KassaError::validation("input", "JSON text must be a str"))?
                .to_str()
                .map_err(|_| KassaError::validation("input", "text is not valid Unicode"))?;
            Ok(PyPricingCart {
                cart: RwLock::new(kassa::host::from_str(text)?),
            })
        })
    }

    /// Adds a line, or replaces the line with the same `lineId` in place (keeping its
    /// position).
    fn add_line(&self, py: Python<'_>, line: &Bound<'_, PyAny>) -> PyResult<()> {
        let line = run(py, || line_of(line, "line"))?;
        self.change(py, move |cart| {
            match position(cart, &line.line_id).and_then(|i| cart.lines.get_mut(i)) {
                Some(slot) => *slot = line,
                None => cart.lines.push(line),
            }
            Ok(())
        })
    }

    /// Replaces every line.
    fn set_lines(&self, py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        let lines = run(py, || lines_of(lines, "lines"))?;
        self.change(py, move |cart| {
            cart.lines = lines;
            Ok(())
        })
    }

    /// Sets the quantity of the line `line_id` (`NotFoundError` when the cart has no such
    /// line). Zero is not removal: pricing refuses it (`lines[i].quantity`); use
    /// `remove_line`.
    fn set_quantity(
        &self,
        py: Python<'_>,
        line_id: &Bound<'_, PyAny>,
        quantity: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (line_id, quantity) = run(py, || Ok((line_id_of(line_id)?, quantity_of(quantity)?)))?;
        self.change(py, move |cart| {
            let line = position(cart, &line_id)
                .and_then(|i| cart.lines.get_mut(i))
                .ok_or_else(|| line_not_found(&line_id))?;
            line.quantity = quantity;
            Ok(())
        })
    }

    /// Removes the line `line_id` (`NotFoundError` when the cart has no such line).
    fn remove_line(&self, py: Python<'_>, line_id: &Bound<'_, PyAny>) -> PyResult<()> {
        let line_id = run(py, || line_id_of(line_id))?;
        self.change(py, move |cart| {
            let i = position(cart, &line_id).ok_or_else(|| line_not_found(&line_id))?;
            cart.lines.remove(i);
            Ok(())
        })
    }

    /// Replaces the entered coupon codes.
    fn set_coupon_codes(&self, py: Python<'_>, codes: &Bound<'_, PyAny>) -> PyResult<()> {
        let codes = run(py, || coupon_codes_of(codes))?;
        self.change(py, move |cart| {
            cart.coupon_codes = codes;
            Ok(())
        })
    }

    /// Sets the chosen shipping rate id (`None`: the cheapest available rate).
    #[pyo3(signature = (method))]
    fn set_shipping_method(
        &self,
        py: Python<'_>,
        method: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let method = run(py, || match method {
            Some(m) if !m.is_none() => Ok(Some(method_of(m)?)),
            _ => Ok(None),
        })?;
        self.change(py, move |cart| {
            cart.shipping_method = method;
            Ok(())
        })
    }

    /// Replaces the context (region, currency, customer, `now`).
    fn set_context(&self, py: Python<'_>, context: &Bound<'_, PyAny>) -> PyResult<()> {
        let context = run(py, || context_of(context))?;
        self.change(py, move |cart| {
            cart.context = context;
            Ok(())
        })
    }

    /// The line ids, in order.
    #[getter]
    fn line_ids(&self, py: Python<'_>) -> Vec<String> {
        self.snapshot(py, |c| {
            c.lines.iter().map(|l| l.line_id.to_string()).collect()
        })
    }

    /// The lines in serde form (dicts).
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let lines: Vec<PricingLine> = self.snapshot(py, |c| c.lines.clone());
        run(py, || py_plain(py, &lines))
    }

    /// The line `line_id` in serde form (`NotFoundError` when the cart has no such line).
    fn line<'py>(
        &self,
        py: Python<'py>,
        line_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        run(py, || {
            let id = line_id_of(line_id)?;
            let line = self.snapshot(py, |c| c.lines.iter().find(|l| *l.line_id == *id).cloned());
            py_plain(py, &line.ok_or_else(|| line_not_found(&id))?)
        })
    }

    /// The entered coupon codes.
    #[getter]
    fn coupon_codes(&self, py: Python<'_>) -> Vec<String> {
        self.snapshot(py, |c| c.coupon_codes.clone())
    }

    /// The chosen shipping rate id, if any.
    #[getter]
    fn shipping_method(&self, py: Python<'_>) -> Option<String> {
        self.snapshot(py, |c| c.shipping_method.clone())
    }

    /// The context in serde form (a dict).
    #[getter]
    fn context<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let context: PricingContext = self.snapshot(py, |c| c.context.clone());
        run(py, || py_plain(py, &context))
    }

    /// The whole cart in serde form (`PricingCart.from_dict` takes it back).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cart = self.snapshot(py, PricingCart::clone);
        run(py, || py_plain(py, &cart))
    }

    /// The whole cart as JSON text (`PricingCart.from_json` takes it back).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let text = self.snapshot(py, json);
        run(py, || text)
    }

    /// An independent copy.
    fn copy(&self, py: Python<'_>) -> PyPricingCart {
        PyPricingCart {
            cart: RwLock::new(self.snapshot(py, PricingCart::clone)),
        }
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.snapshot(py, |c| c.lines.len())
    }

    fn __contains__(&self, py: Python<'_>, line_id: &Bound<'_, PyAny>) -> bool {
        match line_id
            .cast::<PyString>()
            .ok()
            .and_then(|s| s.to_str().ok())
        {
            Some(id) => {
                let id = id.to_owned();
                self.snapshot(py, |c| position(c, &id).is_some())
            }
            None => false,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        self.snapshot(py, |c| {
            format!(
                "PricingCart({} lines, {}, region {})",
                c.lines.len(),
                c.context.currency,
                c.context.region
            )
        })
    }
}

fn method_of(obj: &Bound<'_, PyAny>) -> Result<String, KassaError> {
    match obj.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
        Some(s) => Ok(s.to_owned()),
        None => via_serde(obj, "shippingMethod"),
    }
}

fn quantity_of(obj: &Bound<'_, PyAny>) -> Result<u32, KassaError> {
    if obj.cast::<PyInt>().is_ok() && obj.cast::<PyBool>().is_err() {
        if let Ok(q) = obj.extract::<u32>() {
            return Ok(q);
        }
    }
    via_serde(obj, "quantity")
}

/// A priced cart held on the Rust side (`kassa.pricing.PricedCart`): each property converts
/// its field to Python when read (money as `kassa.Money` with a `Decimal` amount, records as
/// `kassa.Record`); `to_dict()` gives the whole serde form, exactly as
/// `kassa.pricing.price_cart(...).to_dict()`. Immutable, safe to share between threads.
#[pyclass(frozen, name = "PricedCart", module = "kassa._native")]
pub struct PyPricedCart {
    priced: Arc<PricedCart>,
    currency: Py<PyString>,
}

impl PyPricedCart {
    fn new(py: Python<'_>, priced: PricedCart) -> Result<PyPricedCart, KassaError> {
        let currency = PyString::intern(py, priced.currency.code()).unbind();
        Ok(PyPricedCart {
            priced: Arc::new(priced),
            currency,
        })
    }

    fn money<'py>(&self, py: Python<'py>, m: &Money) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_money(py, m, self.currency.bind(py)))
    }

    fn line_at(&self, py: Python<'_>, index: usize) -> PyPricedLine {
        PyPricedLine {
            priced: Arc::clone(&self.priced),
            index,
            currency: self.currency.clone_ref(py),
        }
    }
}

#[pymethods]
impl PyPricedCart {
    /// The cart's currency code.
    #[getter]
    fn currency<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.currency.bind(py).clone()
    }

    /// The priced lines, in input order (each converts its fields when read).
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let lines = (0..self.priced.lines.len()).map(|i| self.line_at(py, i));
        PyTuple::new(py, lines)
    }

    /// The priced line `line_id` (`NotFoundError` when the cart has no such line).
    fn line(&self, py: Python<'_>, line_id: &Bound<'_, PyAny>) -> PyResult<PyPricedLine> {
        run(py, || {
            let id = line_id_of(line_id)?;
            let i = self
                .priced
                .lines
                .iter()
                .position(|l| *l.line_id == *id)
                .ok_or_else(|| line_not_found(&id))?;
            Ok(self.line_at(py, i))
        })
    }

    /// `totals.grandTotal`: what the customer pays.
    #[getter]
    fn grand_total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.grand_total)
    }

    /// `totals.subtotal`: the sum of line subtotals.
    #[getter]
    fn subtotal<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.subtotal)
    }

    /// `totals.discountTotal`: merchandise discounts.
    #[getter]
    fn discount_total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.discount_total)
    }

    /// `totals.shippingTotal`: shipping after its discounts.
    #[getter]
    fn shipping_total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.shipping_total)
    }

    /// `totals.taxTotal`: all tax.
    #[getter]
    fn tax_total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.tax_total)
    }

    /// `totals.taxIncluded`: tax contained in tax-inclusive prices.
    #[getter]
    fn tax_included<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.tax_included)
    }

    /// `totals.taxAdded`: tax added on top of tax-exclusive prices.
    #[getter]
    fn tax_added<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.tax_added)
    }

    /// `totals.totalExcludingTax`.
    #[getter]
    fn total_excluding_tax<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, &self.priced.totals.total_excluding_tax)
    }

    /// All totals as a `Record`.
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.priced.totals))
    }

    /// The shipping (`Record`: `rate_id`, `price`, `discounts`, `discount_total`, `total`),
    /// or `None` when the cart does not ship.
    #[getter]
    fn shipping<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.priced.shipping))
    }

    /// Tax per tax rule (`Record`s), ordered by rule id.
    #[getter]
    fn taxes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.priced.taxes))
    }

    /// Promotions that gave a discount (`Record`s), in the order they applied.
    #[getter]
    fn applied_promotions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.priced.applied_promotions))
    }

    /// Promotions that did not apply (`Record`s with `reason`), ordered by id.
    #[getter]
    fn rejected_promotions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.priced.rejected_promotions))
    }

    /// The outcome of every entered coupon code (`Record`s).
    #[getter]
    fn coupons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.priced.coupons))
    }

    /// The whole result in serde form (plain dicts, lists and strings): equal to
    /// `kassa.call("pricing.price_cart", ...)` and to `kassa.pricing.price_cart(...).to_dict()`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_plain(py, &*self.priced))
    }

    /// The whole result as a `kassa.Record` (what `kassa.pricing.price_cart` returns).
    fn to_record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &*self.priced))
    }

    /// The whole result as JSON text (what `kassa.call_json` returns).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let priced = Arc::clone(&self.priced);
        let text = py.detach(move || json(&*priced));
        run(py, || text)
    }

    fn __len__(&self) -> usize {
        self.priced.lines.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "PricedCart({} lines, grand total {})",
            self.priced.lines.len(),
            self.priced.totals.grand_total
        )
    }
}

/// One line of a [`PyPricedCart`] (`kassa.pricing.PricedLine`), converted field by field
/// when read. Immutable, safe to share between threads.
#[pyclass(frozen, name = "PricedLine", module = "kassa._native")]
pub struct PyPricedLine {
    priced: Arc<PricedCart>,
    index: usize,
    currency: Py<PyString>,
}

impl PyPricedLine {
    fn get(&self) -> Result<&PricedLine, KassaError> {
        self.priced
            .lines
            .get(self.index)
            .ok_or_else(|| KassaError::internal("priced line index out of range"))
    }

    fn money<'py>(
        &self,
        py: Python<'py>,
        pick: impl FnOnce(&PricedLine) -> Money,
    ) -> PyResult<Bound<'py, PyAny>> {
        run(py, || {
            py_money(py, &pick(self.get()?), self.currency.bind(py))
        })
    }
}

#[pymethods]
impl PyPricedLine {
    /// The line id.
    #[getter]
    fn line_id(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || Ok(self.get()?.line_id.to_string()))
    }

    /// Units.
    #[getter]
    fn quantity(&self, py: Python<'_>) -> PyResult<u32> {
        run(py, || Ok(self.get()?.quantity))
    }

    /// The catalog unit price, as given.
    #[getter]
    fn unit_price<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, |l| l.unit_price)
    }

    /// Unit price × quantity, rounded.
    #[getter]
    fn subtotal<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, PricedLine::subtotal)
    }

    /// The sum of the line's discounts.
    #[getter]
    fn discount_total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, PricedLine::discount_total)
    }

    /// `subtotal − discount_total`: what the customer pays for the line.
    #[getter]
    fn net<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, PricedLine::net)
    }

    /// Tax of the line.
    #[getter]
    fn tax<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, PricedLine::tax)
    }

    /// What the line adds to the grand total.
    #[getter]
    fn total<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.money(py, PricedLine::total)
    }

    /// Whether the line's prices include tax.
    #[getter]
    fn tax_inclusive(&self, py: Python<'_>) -> PyResult<bool> {
        run(py, || Ok(self.get()?.tax_inclusive))
    }

    /// The tax rate as a `Decimal` fraction (`Decimal("0.19")`); zero when untaxed.
    #[getter]
    fn tax_rate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_decimal(py, &self.get()?.tax_rate.to_string()))
    }

    /// The line's discounts (`Record`s with `promotion_id` and `amount`).
    #[getter]
    fn discounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_record(py, &self.get()?.discounts))
    }

    /// The line in serde form (a dict, as in `PricedCart.to_dict()["lines"]`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run(py, || py_plain(py, self.get()?))
    }

    fn __repr__(&self) -> String {
        match self.get() {
            Ok(l) => format!(
                "PricedLine({}, quantity {}, net {}, tax {})",
                l.line_id,
                l.quantity,
                l.net(),
                l.tax()
            ),
            Err(_) => "PricedLine(?)".to_owned(),
        }
    }
}

/// Registers the pricing classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPricer>()?;
    m.add_class::<PyPricingCart>()?;
    m.add_class::<PyPricedCart>()?;
    m.add_class::<PyPricedLine>()?;
    Ok(())
}
