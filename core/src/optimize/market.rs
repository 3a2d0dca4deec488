//! Market data (exchange prices, weather-driven series) through a port the host implements,
//! read through a TTL cache (default 5 minutes) that reports hits and misses. Time comes
//! from the [`Clock`] port.

use super::returns::PriceObservation;
use crate::error::Result;
use crate::ports::Clock;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which series to fetch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct MarketQuery {
    /// Asset (contract) names.
    pub assets: Vec<String>,
    /// First date, inclusive (ISO).
    pub from: String,
    /// Last date, inclusive (ISO).
    pub to: String,
}

/// A source of price series (an exchange feed, a weather-adjusted power curve, ...).
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait MarketDataSource: Send + Sync {
    /// Long-form observations for the query.
    async fn prices(&self, query: &MarketQuery) -> Result<Vec<PriceObservation>>;
}

/// Whether a read came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum CacheStatus {
    /// Served from the cache.
    Hit,
    /// Fetched from the source (absent or expired).
    Miss,
}

/// Cache counters.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that went to the source.
    pub misses: u64,
}

/// One cached read.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedPrices {
    /// The observations.
    pub observations: Arc<Vec<PriceObservation>>,
    /// Hit or miss.
    pub status: CacheStatus,
    /// When the data was fetched from the source.
    pub fetched_at: DateTime<Utc>,
}

/// The default time to live: 5 minutes.
pub const DEFAULT_TTL_SECONDS: i64 = 300;

type Entry = (DateTime<Utc>, Arc<Vec<PriceObservation>>);

/// A [`MarketDataSource`] read through a TTL cache.
pub struct CachedMarketData {
    source: Arc<dyn MarketDataSource>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    entries: Mutex<HashMap<MarketQuery, Entry>>,
    stats: Mutex<CacheStats>,
}

impl std::fmt::Debug for CachedMarketData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedMarketData")
            .field("ttl", &self.ttl)
            .field("stats", &self.stats())
            .finish()
    }
}

impl CachedMarketData {
    /// A cache with the default 5-minute TTL.
    pub fn new(source: Arc<dyn MarketDataSource>, clock: Arc<dyn Clock>) -> Self {
        Self::with_ttl(source, clock, Duration::seconds(DEFAULT_TTL_SECONDS))
    }

    /// A cache with the given TTL (an entry older than `ttl` is refetched).
    pub fn with_ttl(
        source: Arc<dyn MarketDataSource>,
        clock: Arc<dyn Clock>,
        ttl: Duration,
    ) -> Self {
        CachedMarketData {
            source,
            clock,
            ttl,
            entries: Mutex::new(HashMap::new()),
            stats: Mutex::new(CacheStats::default()),
        }
    }

    /// Hit and miss counts so far.
    pub fn stats(&self) -> CacheStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    fn count(&self, status: CacheStatus) {
        if let Ok(mut s) = self.stats.lock() {
            match status {
                CacheStatus::Hit => s.hits += 1,
                CacheStatus::Miss => s.misses += 1,
            }
        }
    }

    /// Reads through the cache. A failed fetch is not cached.
    pub async fn prices(&self, query: &MarketQuery) -> Result<CachedPrices> {
        let now = self.clock.now();
        let cached = self.entries.lock().ok().and_then(|m| m.get(query).cloned());
        if let Some((at, obs)) = cached {
            if now >= at && now - at < self.ttl {
                self.count(CacheStatus::Hit);
                return Ok(CachedPrices {
                    observations: obs,
                    status: CacheStatus::Hit,
                    fetched_at: at,
                });
            }
        }
        let obs = Arc::new(self.source.prices(query).await?);
        if let Ok(mut m) = self.entries.lock() {
            m.insert(query.clone(), (now, Arc::clone(&obs)));
        }
        self.count(CacheStatus::Miss);
        Ok(CachedPrices {
            observations: obs,
            status: CacheStatus::Miss,
            fetched_at: now,
        })
    }

    /// Drops every entry (counters are kept).
    pub fn clear(&self) {
        if let Ok(mut m) = self.entries.lock() {
            m.clear();
        }
    }
}
