//! In-memory GCRA state: sharded, read-mostly maps of lock-free cells.

use crate::error::Result;
use crate::ratelimit::{
    AtomicGcraCell, GcraOutcome, GcraParams, GcraRate, GcraStore, RateLimitStore,
};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::RwLock;

const SHARDS: usize = 64;

/// Passes a pre-computed 64-bit hash through (keys are hashed once with keyed SipHash).
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Bucket = Vec<(Box<str>, AtomicGcraCell)>;
type Shard = HashMap<u64, Bucket, BuildHasherDefault<PassThrough>>;

/// The in-memory [`RateLimitStore`]: 64 shards, each a read-write-locked map from the key's
/// keyed hash to lock-free [`AtomicGcraCell`]s. A check of a known key takes a shared lock and
/// one compare-and-swap, so threads on different keys (or the same key) never wait for a
/// writer except while a new key is inserted.
#[derive(Debug)]
pub struct MemoryRateLimitStore {
    hasher: RandomState,
    shards: Vec<RwLock<Shard>>,
}

impl Default for MemoryRateLimitStore {
    fn default() -> Self {
        MemoryRateLimitStore::new()
    }
}

impl MemoryRateLimitStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryRateLimitStore {
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::default())).collect(),
        }
    }

    fn shard(&self, hash: u64) -> Option<&RwLock<Shard>> {
        // bits 32..38 pick the shard: the map itself uses the low bits (bucket index) and
        // the top seven (control bytes), so those stay fully random within a shard
        self.shards.get((hash >> 32) as usize % SHARDS)
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                s.read()
                    .map(|m| m.values().map(Vec::len).sum::<usize>())
                    .unwrap_or(0)
            })
            .sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every key whose bucket is full again at `now_ns` (its state equals a fresh
    /// key's), bounding memory. Returns how many were dropped.
    pub fn purge_idle(&self, now_ns: i64) -> usize {
        let mut dropped = 0;
        for shard in &self.shards {
            let Ok(mut map) = shard.write() else { continue };
            map.retain(|_, bucket| {
                let before = bucket.len();
                bucket.retain(|(_, cell)| cell.tat().is_some_and(|t| t > now_ns));
                dropped += before - bucket.len();
                !bucket.is_empty()
            });
        }
        dropped
    }
}

impl MemoryRateLimitStore {
    /// Runs `step` on the cell of `key`, inserting a fresh cell for a new key. A known key
    /// takes only the shard's shared lock.
    #[inline]
    fn with_cell<R>(&self, key: &str, step: impl Fn(&AtomicGcraCell) -> R) -> R {
        let hash = self.hasher.hash_one(key);
        let Some(shard) = self.shard(hash) else {
            // unreachable (the index is taken modulo the shard count); a fresh cell answers
            // as an unseen key would
            return step(&AtomicGcraCell::new());
        };
        if let Ok(map) = shard.read() {
            if let Some(bucket) = map.get(&hash) {
                if let Some((_, cell)) = bucket.iter().find(|(k, _)| &**k == key) {
                    return step(cell);
                }
            }
        }
        // a poisoned lock only means another thread panicked mid-insert; the map is intact
        let mut map = match shard.write() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let bucket = map.entry(hash).or_default();
        if let Some((_, cell)) = bucket.iter().find(|(k, _)| &**k == key) {
            return step(cell);
        }
        let cell = AtomicGcraCell::new();
        let answer = step(&cell);
        bucket.push((key.into(), cell));
        answer
    }
}

impl GcraStore for MemoryRateLimitStore {
    fn apply_gcra(&self, key: &str, now_ns: i64, params: GcraParams) -> GcraOutcome {
        self.with_cell(key, |cell| cell.apply(now_ns, params))
    }

    fn admit_gcra(&self, key: &str, now_ns: i64, rate: &GcraRate) -> bool {
        self.with_cell(key, |cell| cell.admit(now_ns, *rate))
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl RateLimitStore for MemoryRateLimitStore {
    async fn apply_gcra(&self, key: &str, now_ns: i64, params: GcraParams) -> Result<GcraOutcome> {
        Ok(GcraStore::apply_gcra(self, key, now_ns, params))
    }
}
