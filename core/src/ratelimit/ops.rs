//! Vector operations (the serde form every host runs).

use super::{
    EndpointClass, RateLimitConfig, RateLimitDecision, RateLimitKey, RateLimiter, Subject,
};
use crate::error::{KassaError, Result};
use crate::memory::MemoryRateLimitStore;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One scripted request.
#[derive(Debug, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScriptedRequest {
    /// Milliseconds after `start` (may go backwards, to script a clock jump).
    pub at_ms: i64,
    /// The endpoint class.
    pub class: EndpointClass,
    /// Who makes it.
    pub subject: Subject,
}

/// Input of `ratelimit.sequence`.
#[derive(Debug, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SequenceRequest {
    /// Quotas (defaults when absent).
    #[serde(default)]
    pub config: RateLimitConfig,
    /// The time of `atMs = 0`.
    pub start: DateTime<Utc>,
    /// The requests, in the order they arrive.
    pub requests: Vec<ScriptedRequest>,
}

/// One decision with its header values.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SequenceStep {
    /// The decision.
    #[serde(flatten)]
    pub decision: RateLimitDecision,
    /// The response headers.
    pub headers: BTreeMap<&'static str, String>,
}

/// `ratelimit.sequence`: runs a scripted timeline against a fresh in-memory limiter.
pub fn sequence(req: SequenceRequest) -> Result<Vec<SequenceStep>> {
    req.config.validate()?;
    let limiter = RateLimiter::new(req.config, MemoryRateLimitStore::new());
    req.requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let now = req
                .start
                .checked_add_signed(Duration::milliseconds(r.at_ms))
                .ok_or_else(|| {
                    KassaError::validation(format!("requests[{i}].atMs"), "out of range")
                })?;
            let decision = limiter.check(&RateLimitKey::new(r.class, &r.subject), now);
            let headers = crate::sorting::map_from(decision.headers());
            Ok(SequenceStep { decision, headers })
        })
        .collect()
}
