//! The Rust ↔ Python error boundary: panics caught, `KassaError` turned into the Python class
//! of its code, host exceptions raised by Python-implemented ports carried back as the cause.

use kassa::error::{ErrorCode, KassaError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Meta key under which a `KassaError` remembers the host exception it came from.
const HOST_ERROR_KEY: &str = "hostErrorId";
/// How many host exceptions are kept for chaining; older ones are dropped (an error the engine
/// swallowed must not leak its exception forever).
const HOST_ERRORS_KEPT: usize = 64;

static ERROR_FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static HOST_ERRORS: Mutex<VecDeque<(u64, PyErr)>> = Mutex::new(VecDeque::new());
static NEXT_HOST_ERROR: AtomicU64 = AtomicU64::new(1);

/// Runs `f`, turning a panic into `KassaError(INTERNAL)` so it never unwinds into Python.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, KassaError>) -> Result<T, KassaError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(KassaError::internal(format!(
                "internal error (panic): {what}"
            )))
        }
    }
}

/// Panics with `message` (the `_debug_panic` test hook).
#[allow(clippy::panic)]
pub fn panic_for_test(message: &str) -> Result<(), KassaError> {
    panic!("{message}")
}

/// Registers the Python callable that builds exception instances from error payloads.
pub fn set_error_factory(factory: Bound<'_, PyAny>) -> PyResult<()> {
    let py = factory.py();
    let unbound = factory.unbind();
    if ERROR_FACTORY.set(py, unbound).is_err() {
        // Already registered (the package was re-imported): keep the first one.
    }
    Ok(())
}

/// Takes the host exception a `KassaError` was made from, if it is still kept.
fn take_host_error(error: &mut KassaError) -> Option<PyErr> {
    let id = error.meta.remove(HOST_ERROR_KEY)?.as_u64()?;
    let mut kept = HOST_ERRORS.lock().ok()?;
    let pos = kept.iter().position(|(k, _)| *k == id)?;
    kept.remove(pos).map(|(_, e)| e)
}

/// The Python exception for a `KassaError`: an instance of the class of its code built by the
/// registered factory, with the host exception it came from (if any) as `__cause__`.
pub fn to_py_err(py: Python<'_>, error: &KassaError) -> PyErr {
    let mut error = error.clone();
    let cause = take_host_error(&mut error);
    let payload = serde_json::json!({
        "code": error.code,
        "message": error.message,
        "details": error.details,
        "meta": error.meta,
    })
    .to_string();
    let Some(factory) = ERROR_FACTORY.get(py) else {
        return PyRuntimeError::new_err(payload);
    };
    let err = match factory.bind(py).call1((payload,)) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    };
    if let Some(cause) = cause {
        err.set_cause(py, Some(cause));
    }
    err
}

/// A `KassaError` for an exception raised by Python code serving as a port.
///
/// A Kassa exception keeps its code, message and details; `ConnectionError`, `TimeoutError`
/// and `OSError` are `UNAVAILABLE` (a dependency is down, safe to retry); anything else is
/// `INTERNAL`. The original exception is kept and chained as `__cause__` when the error
/// reaches Python again.
pub fn from_host_error(py: Python<'_>, err: PyErr) -> KassaError {
    let value = err.value(py);
    let mut error = kassa_error_of(value).unwrap_or_else(|| {
        let type_name = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "Exception".to_owned());
        let text = value.str().map(|s| s.to_string()).unwrap_or_default();
        let code = if err.is_instance_of::<pyo3::exceptions::PyOSError>(py)
            || err.is_instance_of::<pyo3::exceptions::PyTimeoutError>(py)
        {
            ErrorCode::Unavailable
        } else {
            ErrorCode::Internal
        };
        KassaError::new(code, format!("host port raised {type_name}: {text}"))
    });
    let id = NEXT_HOST_ERROR.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut kept) = HOST_ERRORS.lock() {
        if kept.len() >= HOST_ERRORS_KEPT {
            kept.pop_front();
        }
        kept.push_back((id, err));
        error = error.with_meta(HOST_ERROR_KEY, id);
    }
    error
}

/// Reads `code`, `message`, `details` back from a Python `KassaError` instance.
fn kassa_error_of(value: &Bound<'_, PyAny>) -> Option<KassaError> {
    let code: String = value.getattr("code").ok()?.extract().ok()?;
    let code = ErrorCode::parse(&code)?;
    let message: String = value.getattr("message").ok()?.extract().ok()?;
    let mut error = KassaError::new(code, message);
    if let Ok(details) = value.getattr("details") {
        if let Ok(list) = details.extract::<Vec<Bound<'_, PyAny>>>() {
            for d in list {
                let field = d
                    .getattr("field")
                    .and_then(|f| f.extract::<String>())
                    .unwrap_or_default();
                let msg = d
                    .getattr("message")
                    .and_then(|f| f.extract::<String>())
                    .unwrap_or_default();
                error = error.with_detail(field, msg);
            }
        }
    }
    Some(error)
}
