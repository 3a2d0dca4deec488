//! The production clock and id generator (the core has neither: it reads no clock).

use chrono::{DateTime, Utc};
use kassa::ports::{Clock, IdGenerator};

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Ids `"<kind>_<uuid v4 simple>"`: unique across processes and machines, so many
/// application instances can share one database.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidIds;

impl IdGenerator for UuidIds {
    fn next_id(&self, kind: &str) -> String {
        format!("{kind}_{}", uuid::Uuid::new_v4().simple())
    }
}
