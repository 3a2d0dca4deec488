//! The limiter: key, decision and header values.

use super::config::{EndpointClass, RateLimitConfig};
use super::gcra::{GcraOutcome, GcraParams, GcraRate};
use super::store::{GcraStore, RateLimitStore};
use crate::error::{KassaError, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who is limited: the authenticated principal, or the client address for anonymous calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Subject {
    /// An authenticated principal (user id).
    Principal(String),
    /// A client address (IP or a host-chosen fingerprint).
    Client(String),
}

/// A rate-limit key: (endpoint class, subject), rendered once into the store key
/// `"<class>|p:<id>"` or `"<class>|c:<address>"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateLimitKey {
    class: EndpointClass,
    key: String,
}

impl RateLimitKey {
    /// The key of a class and subject.
    pub fn new(class: EndpointClass, subject: &Subject) -> Self {
        let (tag, id) = match subject {
            Subject::Principal(id) => ("p", id.as_str()),
            Subject::Client(addr) => ("c", addr.as_str()),
        };
        RateLimitKey {
            class,
            key: format!("{}|{tag}:{id}", class.as_str()),
        }
    }

    /// The key of an authenticated principal.
    pub fn principal(class: EndpointClass, user_id: &str) -> Self {
        RateLimitKey::new(class, &Subject::Principal(user_id.to_owned()))
    }

    /// The key of an anonymous client address.
    pub fn client(class: EndpointClass, address: &str) -> Self {
        RateLimitKey::new(class, &Subject::Client(address.to_owned()))
    }

    /// The endpoint class.
    pub fn class(&self) -> EndpointClass {
        self.class
    }

    /// The rendered store key.
    pub fn as_str(&self) -> &str {
        &self.key
    }
}

/// The answer to one check, with the standard header values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The burst capacity of the class (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests still possible right now (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Milliseconds until the bucket is full again, rounded up.
    pub reset_after_ms: u64,
    /// Milliseconds until a request would be admitted, rounded up (0 when allowed).
    pub retry_after_ms: u64,
}

fn ceil_div(n: u64, d: u64) -> u64 {
    n / d + u64::from(n % d != 0)
}

impl RateLimitDecision {
    /// Builds the decision from a GCRA outcome.
    pub fn from_outcome(outcome: GcraOutcome, params: GcraParams) -> Self {
        RateLimitDecision {
            allowed: outcome.allowed,
            limit: params.burst,
            remaining: outcome.remaining,
            reset_after_ms: ceil_div(outcome.reset_after_ns, 1_000_000),
            retry_after_ms: ceil_div(outcome.retry_after_ns, 1_000_000),
        }
    }

    /// `RateLimit-Reset` in whole seconds, rounded up.
    pub fn reset_seconds(&self) -> u64 {
        ceil_div(self.reset_after_ms, 1000)
    }

    /// `Retry-After` in whole seconds, rounded up (present only when denied).
    pub fn retry_after_seconds(&self) -> Option<u64> {
        (!self.allowed).then(|| ceil_div(self.retry_after_ms, 1000).max(1))
    }

    /// The response headers: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`,
    /// and `Retry-After` when denied.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![
            ("RateLimit-Limit", self.limit.to_string()),
            ("RateLimit-Remaining", self.remaining.to_string()),
            ("RateLimit-Reset", self.reset_seconds().to_string()),
        ];
        if let Some(retry) = self.retry_after_seconds() {
            h.push(("Retry-After", retry.to_string()));
        }
        h
    }

    /// `Ok(())` when allowed, else `RATE_LIMITED` with `meta.retryAfterSeconds`.
    pub fn into_result(self) -> Result<()> {
        match self.retry_after_seconds() {
            None => Ok(()),
            Some(retry) => Err(KassaError::new(
                crate::error::ErrorCode::RateLimited,
                format!("too many requests; retry after {retry} s"),
            )
            .with_meta("retryAfterSeconds", retry)),
        }
    }
}

/// Nanoseconds since the Unix epoch (saturating outside 1677..2262).
pub(crate) fn epoch_nanos(now: DateTime<Utc>) -> i64 {
    now.timestamp_nanos_opt().unwrap_or(if now.timestamp() < 0 {
        i64::MIN + 1
    } else {
        i64::MAX
    })
}

/// A rate limiter over a store: the class table plus the state.
#[derive(Debug)]
pub struct RateLimiter<S> {
    rates: [GcraRate; 5],
    store: S,
}

impl<S> RateLimiter<S> {
    /// A limiter with `config` over `store`. The config should be validated
    /// ([`RateLimitConfig::validate`]); zero values are clamped to 1.
    pub fn new(config: RateLimitConfig, store: S) -> Self {
        RateLimiter {
            rates: config.params_table().map(GcraRate::new),
            store,
        }
    }

    /// The GCRA parameters of a class.
    pub fn params(&self, class: EndpointClass) -> GcraParams {
        self.rate(class).params()
    }

    /// The prepared GCRA rate of a class.
    pub fn rate(&self, class: EndpointClass) -> GcraRate {
        self.rates
            .get(RateLimitConfig::index(class))
            .copied()
            .unwrap_or_else(|| GcraRate::new(GcraParams::default()))
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: GcraStore> RateLimiter<S> {
    /// Checks (and counts) one request of `key` at `now`.
    pub fn check(&self, key: &RateLimitKey, now: DateTime<Utc>) -> RateLimitDecision {
        self.check_nanos(key, epoch_nanos(now))
    }

    /// [`check`](Self::check) with `now` in nanoseconds since the Unix epoch.
    #[inline]
    pub fn check_nanos(&self, key: &RateLimitKey, now_ns: i64) -> RateLimitDecision {
        let params = self.params(key.class());
        let outcome = self.store.apply_gcra(key.as_str(), now_ns, params);
        RateLimitDecision::from_outcome(outcome, params)
    }

    /// Counts one request of `key` at `now` and answers only whether it is admitted: the
    /// same step as [`check`](Self::check) without the header values, for callers that send
    /// none (what `governor`'s `check_key` answers).
    pub fn admit(&self, key: &RateLimitKey, now: DateTime<Utc>) -> bool {
        self.admit_nanos(key, epoch_nanos(now))
    }

    /// [`admit`](Self::admit) with `now` in nanoseconds since the Unix epoch.
    #[inline]
    pub fn admit_nanos(&self, key: &RateLimitKey, now_ns: i64) -> bool {
        let rate = self.rate(key.class());
        self.store.admit_gcra(key.as_str(), now_ns, &rate)
    }
}

impl<S: RateLimitStore + ?Sized> RateLimiter<std::sync::Arc<S>> {
    /// Checks one request through the async port (the engine's path).
    pub async fn check_async(
        &self,
        key: &RateLimitKey,
        now: DateTime<Utc>,
    ) -> Result<RateLimitDecision> {
        let params = self.params(key.class());
        let outcome = self
            .store
            .apply_gcra(key.as_str(), epoch_nanos(now), params)
            .await?;
        Ok(RateLimitDecision::from_outcome(outcome, params))
    }
}
