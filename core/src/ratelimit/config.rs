//! Endpoint classes and their quotas.

use super::gcra::GcraParams;
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// The class of an endpoint; each class has its own quota.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum EndpointClass {
    /// Authentication: log in, register, refresh, password reset.
    Auth,
    /// Reads: browse, product detail, order history.
    Read,
    /// Writes: cart changes, checkout, profile updates.
    Write,
    /// Bulk operations: imports, exports, mass updates.
    Bulk,
    /// Search queries.
    Search,
}

impl EndpointClass {
    /// Every class, in declaration order.
    pub const ALL: [EndpointClass; 5] = [
        EndpointClass::Auth,
        EndpointClass::Read,
        EndpointClass::Write,
        EndpointClass::Bulk,
        EndpointClass::Search,
    ];

    /// The stable string form (`"auth"`, `"read"`, ...), used in store keys.
    pub const fn as_str(self) -> &'static str {
        match self {
            EndpointClass::Auth => "auth",
            EndpointClass::Read => "read",
            EndpointClass::Write => "write",
            EndpointClass::Bulk => "bulk",
            EndpointClass::Search => "search",
        }
    }

    const fn index(self) -> usize {
        match self {
            EndpointClass::Auth => 0,
            EndpointClass::Read => 1,
            EndpointClass::Write => 2,
            EndpointClass::Bulk => 3,
            EndpointClass::Search => 4,
        }
    }
}

/// `limit` requests per `period_seconds` on average, with up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// Requests replenished per period (the sustained rate).
    pub limit: u32,
    /// Length of the period in seconds.
    pub period_seconds: u32,
    /// Requests that may be made at once from a full bucket.
    pub burst: u32,
}

impl Quota {
    /// `limit` per minute with `burst`.
    pub const fn per_minute(limit: u32, burst: u32) -> Quota {
        Quota {
            limit,
            period_seconds: 60,
            burst,
        }
    }

    /// Checks the quota, naming `field` in the error.
    pub fn validate(&self, field: &str) -> Result<()> {
        if self.limit == 0 {
            return Err(KassaError::validation(
                format!("{field}.limit"),
                "must be at least 1",
            ));
        }
        if self.period_seconds == 0 {
            return Err(KassaError::validation(
                format!("{field}.periodSeconds"),
                "must be at least 1",
            ));
        }
        if self.burst == 0 {
            return Err(KassaError::validation(
                format!("{field}.burst"),
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The GCRA parameters of this quota: emission interval `period / limit` in nanoseconds.
    pub fn params(&self) -> GcraParams {
        let period_ns = u64::from(self.period_seconds).saturating_mul(1_000_000_000);
        let interval = (period_ns / u64::from(self.limit.max(1))).max(1);
        GcraParams {
            emission_interval_ns: interval,
            burst: self.burst.max(1),
        }
    }
}

/// The quota of every endpoint class. Deserializes from
/// `{"auth": {"limit": 5, "periodSeconds": 60, "burst": 10}, ...}`; missing classes keep
/// their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Authentication endpoints (default 5/min, burst 10).
    pub auth: Quota,
    /// Reads (default 60/min, burst 100).
    pub read: Quota,
    /// Writes (default 30/min, burst 50).
    pub write: Quota,
    /// Bulk operations (default 10/min, burst 20).
    pub bulk: Quota,
    /// Search (default 30/min, burst 50).
    pub search: Quota,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            auth: Quota::per_minute(5, 10),
            read: Quota::per_minute(60, 100),
            write: Quota::per_minute(30, 50),
            bulk: Quota::per_minute(10, 20),
            search: Quota::per_minute(30, 50),
        }
    }
}

impl RateLimitConfig {
    /// The quota of a class.
    pub fn quota(&self, class: EndpointClass) -> Quota {
        match class {
            EndpointClass::Auth => self.auth,
            EndpointClass::Read => self.read,
            EndpointClass::Write => self.write,
            EndpointClass::Bulk => self.bulk,
            EndpointClass::Search => self.search,
        }
    }

    /// Checks every quota.
    pub fn validate(&self) -> Result<()> {
        for class in EndpointClass::ALL {
            self.quota(class).validate(class.as_str())?;
        }
        Ok(())
    }

    /// Parses and validates a JSON configuration.
    pub fn from_json(json: &str) -> Result<Self> {
        let config: RateLimitConfig = serde_json::from_str(json)
            .map_err(|e| KassaError::validation("rateLimits", e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub(super) fn params_table(&self) -> [GcraParams; 5] {
        let mut table = [GcraParams::default(); 5];
        for class in EndpointClass::ALL {
            if let Some(slot) = table.get_mut(class.index()) {
                *slot = self.quota(class).params();
            }
        }
        table
    }

    pub(super) fn index(class: EndpointClass) -> usize {
        class.index()
    }
}
