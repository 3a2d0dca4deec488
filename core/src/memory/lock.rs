//! A poisoned lock is an `INTERNAL` error, never a panic.

use crate::error::{KassaError, Result};
use std::sync::{Mutex, MutexGuard};

/// Locks `m`, mapping poisoning (a panic while it was held) to `INTERNAL`.
pub(crate) fn lock<'a, T>(m: &'a Mutex<T>, what: &str) -> Result<MutexGuard<'a, T>> {
    m.lock()
        .map_err(|_| KassaError::internal(format!("in-memory {what} store lock poisoned")))
}
