//! `kassa._native`: the native half of the Python binding of Kassa.
//!
//! The binding is thin (docs/python.md): every pure operation goes through
//! [`kassa::host::ops::call`] as JSON text, with the GIL released while Rust works; the Python
//! package `kassa` (next to this crate) adds the typed layer, `Decimal` conversion and the
//! exception classes. Errors cross the boundary as a JSON payload handed to an error factory the
//! Python package registers at import (`_set_error_factory`), so Rust never needs to know the
//! Python classes. A Rust panic never reaches Python as a `PanicException`: every entry point
//! runs under [`std::panic::catch_unwind`] and a panic becomes a `KassaError` with code
//! `INTERNAL`.
//!
//! Pricing has a second, conversion-free path (`pricer`): the rules in a `Pricer` and the cart
//! in a `PricingCart` held on the Rust side, the result in a lazily converted `PricedCart`.

mod boundary;
mod engine;
mod ports;
mod pricer;
mod pricing_input;
mod pyconv;

use boundary::{guarded, to_py_err};
use kassa::error::ErrorCode;
use pyo3::prelude::*;

/// Runs one pure domain operation on a JSON request text and returns the JSON result text.
///
/// The GIL is released for the whole operation (parse, compute, serialize), so other Python
/// threads run meanwhile; the function is safe to call from any number of threads.
#[pyfunction]
fn call(py: Python<'_>, operation: &str, request: &str) -> PyResult<String> {
    let result = py.detach(|| guarded(|| kassa::host::ops::call_str(operation, request)));
    result.map_err(|e| to_py_err(py, &e))
}

/// Every operation name [`call`] accepts.
#[pyfunction]
fn operations() -> Vec<&'static str> {
    kassa::host::ops::OPERATIONS.to_vec()
}

/// Every error code with its HTTP status, in declaration order.
#[pyfunction]
fn error_codes() -> Vec<(&'static str, u16)> {
    ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.http_status()))
        .collect()
}

/// The version of the Rust core this module was built from.
#[pyfunction]
fn core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Registers the callable that turns an error payload (JSON text with `code`, `message`,
/// `details`, `meta`) into the Python exception instance to raise.
#[pyfunction]
fn _set_error_factory(factory: Bound<'_, PyAny>) -> PyResult<()> {
    boundary::set_error_factory(factory)
}

/// Test hook: panics inside Rust, to show that the panic arrives as `KassaError(INTERNAL)`.
#[pyfunction]
fn _debug_panic(py: Python<'_>, message: &str) -> PyResult<()> {
    let result = py.detach(|| guarded(|| boundary::panic_for_test(message)));
    result.map_err(|e| to_py_err(py, &e))
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(core_version, m)?)?;
    m.add_function(wrap_pyfunction!(_set_error_factory, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    m.add_function(wrap_pyfunction!(ports::_set_port_invoker, m)?)?;
    engine::register(m)?;
    pricer::register(m)?;
    Ok(())
}
