//! Python values ⇄ the core's serde form, without JSON text in between.
//!
//! [`to_value`] turns a Python value into the `serde_json::Value` the JSON path would have
//! produced from the same value (the rules of `kassa/_serde.py`: `Decimal` → its string,
//! `kassa.Money` → `{"amount", "currency"}`, `kassa.Record` → the dict it wraps, tuples →
//! lists; datetimes, enums, UUIDs, dataclasses through `kassa._serde.to_serde`), so that
//! [`kassa::host::from_value`] then gives the same values and the same errors, with the same
//! field paths, as `kassa.call`. [`py_money`] and [`py_decimal`] go the other way for single
//! amounts (lazy results), `pythonize` for whole records.

use kassa::error::KassaError;
use kassa::money::Money;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Deepest nesting [`to_value`] follows (a cyclic structure stops here instead of recursing
/// forever).
const MAX_DEPTH: usize = 128;

/// The Python classes and helpers the conversions need, looked up once.
pub struct PyTypes {
    /// `decimal.Decimal`.
    pub decimal: Py<PyAny>,
    /// `datetime.datetime`.
    pub datetime: Py<PyAny>,
    /// `kassa.Money`.
    pub money: Py<PyAny>,
    /// `kassa.Record`.
    pub record: Py<PyAny>,
    /// `object.__new__`: a `kassa.Money` without running `Money.__init__`'s checks (the core's
    /// amounts need none), for lazy results.
    pub object_new: Py<PyAny>,
    /// The setters of `Money`'s `_amount` and `_currency` slots (the slot descriptors'
    /// `__set__`, which `Money.__setattr__`, refusing every change, does not see).
    pub money_slots: (Py<PyAny>, Py<PyAny>),
    /// `kassa._serde._from_serde`: a serde value as `Record` / `Money` / tuple.
    pub from_serde: Py<PyAny>,
    /// `kassa._serde.to_serde`: any value `kassa.call` accepts in JSON-compatible form.
    pub to_serde: Py<PyAny>,
}

static TYPES: PyOnceLock<PyTypes> = PyOnceLock::new();

/// The cached classes (imports `decimal`, `datetime` and `kassa._serde` on first use).
pub fn types(py: Python<'_>) -> Result<&'static PyTypes, KassaError> {
    TYPES
        .get_or_try_init(py, || {
            let decimal = py.import("decimal")?.getattr("Decimal")?;
            let datetime = py.import("datetime")?.getattr("datetime")?;
            let serde = py.import("kassa._serde")?;
            let money = serde.getattr("Money")?;
            let slot_setter = |name: &str| {
                money
                    .getattr(name)
                    .and_then(|slot| slot.getattr("__set__"))
                    .map(Bound::unbind)
            };
            Ok::<_, PyErr>(PyTypes {
                decimal: decimal.unbind(),
                datetime: datetime.unbind(),
                object_new: py
                    .import("builtins")?
                    .getattr("object")?
                    .getattr("__new__")?
                    .unbind(),
                money_slots: (slot_setter("_amount")?, slot_setter("_currency")?),
                money: money.unbind(),
                record: serde.getattr("Record")?.unbind(),
                from_serde: serde.getattr("_from_serde")?.unbind(),
                to_serde: serde.getattr("to_serde")?.unbind(),
            })
        })
        .map_err(internal)
}

/// A Python exception raised where none was expected, as `INTERNAL`.
pub fn internal(e: PyErr) -> KassaError {
    KassaError::internal(format!("python error in the binding: {e}"))
}

/// One step of a field path.
#[derive(Clone)]
pub enum Step {
    /// A field of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A JSON path under construction, printed as `lines[2].unitPrice.amount` (the form of
/// `kassa::host::from_value`, which names fields in the core's errors).
#[derive(Default, Clone)]
pub struct Path(Vec<Step>);

impl Path {
    /// The path of one named field (`context`, `line`).
    pub fn of(key: &str) -> Path {
        Path(vec![Step::Key(key.to_owned())])
    }

    /// The printed path; `input` for the root.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        if out.is_empty() {
            "input".to_owned()
        } else {
            out
        }
    }

    /// A `VALIDATION_ERROR` on this path.
    pub fn error(&self, message: impl Into<String>) -> KassaError {
        KassaError::validation(self.text(), message)
    }

    /// `VALIDATION_ERROR`s the core reports on paths relative to a value converted at this
    /// path, re-rooted here (`quantity` under `line` → `line.quantity`).
    pub fn rebase(&self, mut error: KassaError) -> KassaError {
        if self.0.is_empty() {
            return error;
        }
        let prefix = self.text();
        for d in &mut error.details {
            d.field = if d.field == "input" {
                prefix.clone()
            } else if d.field.starts_with('[') {
                format!("{prefix}{}", d.field)
            } else {
                format!("{prefix}.{}", d.field)
            };
        }
        if let [one] = error.details.as_slice() {
            error.message = format!("{}: {}", one.field, one.message);
        }
        error
    }

    fn push(&mut self, step: Step) {
        self.0.push(step);
    }

    fn pop(&mut self) {
        self.0.pop();
    }
}

/// A Python value in the core's serde form (see the module docs).
///
/// # Errors
/// `VALIDATION_ERROR` on the path of a value that has no serde form (an arbitrary object, a
/// non-finite float, a naive datetime, a dict key that is not a str, nesting deeper than 128).
pub fn to_value(obj: &Bound<'_, PyAny>, path: &mut Path) -> Result<Value, KassaError> {
    let t = types(obj.py())?;
    convert(obj, t, path, 0)
}

fn convert(
    obj: &Bound<'_, PyAny>,
    t: &PyTypes,
    path: &mut Path,
    depth: usize,
) -> Result<Value, KassaError> {
    if depth > MAX_DEPTH {
        return Err(path.error("nesting too deep (or a cyclic structure)"));
    }
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s
            .to_str()
            .map_err(|_| path.error("text is not valid Unicode (lone surrogate)"))?;
        return Ok(Value::String(text.to_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        // Beyond 64 bits JSON text would carry the digits and serde_json read them as a
        // float; do the same.
        let f: f64 = obj.extract().map_err(|_| path.error("integer too large"))?;
        return float(f, path);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return float(f.value(), path);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = dict_key(&k, path)?;
            path.push(Step::Key(key.clone()));
            let value = convert(&v, t, path, depth + 1)?;
            path.pop();
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return array(l.iter(), l.len(), t, path, depth);
    }
    if let Ok(tu) = obj.cast::<PyTuple>() {
        return array(tu.iter(), tu.len(), t, path, depth);
    }
    if obj.is_instance(t.decimal.bind(py)).unwrap_or(false) {
        return Ok(Value::String(str_of(obj, path)?));
    }
    if obj.is_instance(t.money.bind(py)).unwrap_or(false) {
        let amount = obj.getattr("amount").map_err(internal)?;
        let currency = obj.getattr("currency").map_err(internal)?;
        let mut map = Map::with_capacity(2);
        map.insert("amount".to_owned(), Value::String(str_of(&amount, path)?));
        map.insert(
            "currency".to_owned(),
            convert(&currency, t, path, depth + 1)?,
        );
        return Ok(Value::Object(map));
    }
    if obj.is_instance(t.record.bind(py)).unwrap_or(false) {
        let data = obj.getattr("_data").map_err(internal)?;
        return convert(&data, t, path, depth + 1);
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let items = m
            .items()
            .map_err(|e| path.error(format!("cannot read the mapping: {e}")))?;
        let mut map = Map::with_capacity(items.len());
        for item in items.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item
                .extract()
                .map_err(|e| path.error(format!("cannot read the mapping: {e}")))?;
            let key = dict_key(&k, path)?;
            path.push(Step::Key(key.clone()));
            let value = convert(&v, t, path, depth + 1)?;
            path.pop();
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    // Datetimes, dates, UUIDs, enums, dataclasses, sets: the Python layer's own rules.
    let plain = t.to_serde.bind(py).call1((obj,)).map_err(|e| {
        // A KassaError's own message, else the exception's text ("Kassa cannot send a ...").
        let why = e
            .value(py)
            .getattr("message")
            .and_then(|m| m.extract::<String>())
            .unwrap_or_else(|_| e.value(py).to_string());
        path.error(why)
    })?;
    convert(&plain, t, path, depth + 1)
}

fn array<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    t: &PyTypes,
    path: &mut Path,
    depth: usize,
) -> Result<Value, KassaError> {
    let mut out = Vec::with_capacity(len);
    for (i, v) in items.enumerate() {
        path.push(Step::Index(i));
        out.push(convert(&v, t, path, depth + 1)?);
        path.pop();
    }
    Ok(Value::Array(out))
}

fn float(f: f64, path: &Path) -> Result<Value, KassaError> {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| path.error(format!("{f} is not a finite number")))
}

fn dict_key(key: &Bound<'_, PyAny>, path: &Path) -> Result<String, KassaError> {
    let s = key
        .cast::<PyString>()
        .map_err(|_| path.error("mapping keys must be str"))?;
    s.to_str()
        .map(str::to_owned)
        .map_err(|_| path.error("text is not valid Unicode (lone surrogate)"))
}

fn str_of(obj: &Bound<'_, PyAny>, path: &Path) -> Result<String, KassaError> {
    obj.str()
        .and_then(|s| s.to_str().map(str::to_owned))
        .map_err(|e| path.error(format!("cannot read the value as text: {e}")))
}

/// A `decimal.Decimal` from its text.
pub fn py_decimal<'py>(py: Python<'py>, text: &str) -> Result<Bound<'py, PyAny>, KassaError> {
    types(py)?
        .decimal
        .bind(py)
        .call1((PyString::new(py, text),))
        .map_err(internal)
}

/// A `kassa.Money` (`Decimal` amount as the serde form writes it: `Decimal("24.00")`) in the
/// currency whose code is `currency` (shared by every amount of one result).
pub fn py_money<'py>(
    py: Python<'py>,
    money: &Money,
    currency: &Bound<'py, PyString>,
) -> Result<Bound<'py, PyAny>, KassaError> {
    let t = types(py)?;
    let amount = py_decimal(py, &money.amount_string())?;
    // `Money(amount, currency)` would check what the core guarantees, at three times the
    // cost (docs/performance.md, "Python binding"): fill the slots directly.
    let out = t
        .object_new
        .bind(py)
        .call1((t.money.bind(py),))
        .map_err(internal)?;
    t.money_slots
        .0
        .bind(py)
        .call1((&out, amount))
        .map_err(internal)?;
    t.money_slots
        .1
        .bind(py)
        .call1((&out, currency))
        .map_err(internal)?;
    Ok(out)
}

/// A serde value as the typed layer's Python value (`Record`, `Money`, tuple, ...), from
/// any `Serialize` core value.
pub fn py_record<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> Result<Bound<'py, PyAny>, KassaError> {
    let plain = py_plain(py, value)?;
    types(py)?
        .from_serde
        .bind(py)
        .call1((plain,))
        .map_err(internal)
}

/// A serde value as plain Python values (dicts, lists, str, int, bool, None): exactly what
/// `json.loads` of its JSON text gives.
pub fn py_plain<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> Result<Bound<'py, PyAny>, KassaError> {
    pythonize::pythonize(py, value)
        .map_err(|e| KassaError::internal(format!("cannot build the Python value: {e}")))
}
