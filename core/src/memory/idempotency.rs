//! In-memory idempotency records.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::ports::{IdempotencyBegin, IdempotencyStore, PortHealth};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone)]
enum Entry {
    InProgress { since: DateTime<Utc> },
    Completed(serde_json::Value),
}

#[derive(Debug, Clone)]
struct Record {
    request_hash: String,
    entry: Entry,
}

/// Idempotency records in a map behind one lock.
#[derive(Debug)]
pub struct MemoryIdempotency {
    records: Mutex<HashMap<(String, String), Record>>,
    lock_timeout: Duration,
}

impl Default for MemoryIdempotency {
    fn default() -> Self {
        MemoryIdempotency::new(Duration::seconds(60))
    }
}

impl MemoryIdempotency {
    /// A store whose in-progress claims may be taken over after `lock_timeout`.
    pub fn new(lock_timeout: Duration) -> Self {
        MemoryIdempotency {
            records: Mutex::new(HashMap::new()),
            lock_timeout,
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl IdempotencyStore for MemoryIdempotency {
    async fn begin(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin> {
        if key.trim().is_empty() || key.len() > 255 {
            return Err(KassaError::validation(
                "idempotencyKey",
                "must be 1 to 255 characters",
            ));
        }
        let mut m = lock(&self.records, "idempotency")?;
        let k = (scope.to_owned(), key.to_owned());
        match m.get(&k) {
            Some(r) if r.request_hash != request_hash => Ok(IdempotencyBegin::KeyReused),
            Some(Record {
                entry: Entry::Completed(v),
                ..
            }) => Ok(IdempotencyBegin::Completed {
                response: v.clone(),
            }),
            Some(Record {
                entry: Entry::InProgress { since },
                ..
            }) if now - *since < self.lock_timeout => Ok(IdempotencyBegin::InProgress),
            _ => {
                m.insert(
                    k,
                    Record {
                        request_hash: request_hash.to_owned(),
                        entry: Entry::InProgress { since: now },
                    },
                );
                Ok(IdempotencyBegin::Started)
            }
        }
    }

    async fn complete(&self, scope: &str, key: &str, response: serde_json::Value) -> Result<()> {
        let mut m = lock(&self.records, "idempotency")?;
        let r = m
            .get_mut(&(scope.to_owned(), key.to_owned()))
            .ok_or_else(|| KassaError::not_found("idempotency key", key))?;
        r.entry = Entry::Completed(response);
        Ok(())
    }

    async fn abandon(&self, scope: &str, key: &str) -> Result<()> {
        let mut m = lock(&self.records, "idempotency")?;
        let k = (scope.to_owned(), key.to_owned());
        if matches!(
            m.get(&k),
            Some(Record {
                entry: Entry::InProgress { .. },
                ..
            })
        ) {
            m.remove(&k);
        }
        Ok(())
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.records, "idempotency") {
            Ok(m) => PortHealth::up("idempotency", format!("in-memory, {} keys", m.len())),
            Err(e) => PortHealth::down("idempotency", e.message),
        }
    }
}
