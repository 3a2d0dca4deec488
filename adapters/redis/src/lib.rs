//! Kassa's rate-limit state port ([`kassa::ratelimit::RateLimitStore`]) on Redis: the GCRA
//! step of [`kassa::ratelimit::gcra::apply`] as one Lua script, so every application instance
//! shares the same limits and each decision is atomic.
//!
//! Redis' Lua numbers are doubles (exact only below 2^53), and nanosecond timestamps are
//! about 2^60: the script therefore keeps every instant as a (seconds, nanoseconds) pair and
//! does carry arithmetic, so its decisions equal the in-memory store's bit for bit. A key
//! expires once its bucket is full again (nothing to remember).
//!
//! ```no_run
//! # async fn demo() -> kassa::Result<()> {
//! use kassa::ratelimit::{RateLimitConfig, RateLimiter};
//! let store = kassa_redis::RedisRateLimitStore::connect("redis://127.0.0.1:6379", "shop:rl:").await?;
//! let limiter = RateLimiter::new(RateLimitConfig::default(), std::sync::Arc::new(store));
//! # Ok(()) }
//! ```

use kassa::ratelimit::{GcraOutcome, GcraParams, RateLimitStore};
use kassa::{KassaError, Result};
use redis::aio::MultiplexedConnection;
use redis::Script;

const B: i64 = 1_000_000_000;

/// The GCRA step on (seconds, nanoseconds) pairs. KEYS[1]: the key. ARGV: now (s, ns),
/// interval (s, ns), tolerance (s, ns). Returns {1, used_s, used_ns, spare_s, spare_ns} when
/// admitted, {0, reset_s, reset_ns, retry_s, retry_ns} when denied.
const GCRA_LUA: &str = r"
local B = 1000000000
local function norm(s, n)
  s = s + math.floor(n / B)
  n = n % B
  return {s, n}
end
local function cmp(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] and -1 or 1 end
  if a[2] ~= b[2] then return a[2] < b[2] and -1 or 1 end
  return 0
end
local function add(a, b) return norm(a[1] + b[1], a[2] + b[2]) end
local function sub(a, b) return norm(a[1] - b[1], a[2] - b[2]) end
local now = {tonumber(ARGV[1]), tonumber(ARGV[2])}
local interval = {tonumber(ARGV[3]), tonumber(ARGV[4])}
local tolerance = {tonumber(ARGV[5]), tonumber(ARGV[6])}
local base = now
local stored = redis.call('HMGET', KEYS[1], 's', 'n')
if stored[1] then
  local tat = {tonumber(stored[1]), tonumber(stored[2])}
  if cmp(tat, now) > 0 then base = tat end
end
local new_tat = add(base, interval)
local used = sub(new_tat, now)
if cmp(used, tolerance) > 0 then
  local reset = sub(base, now)
  local retry = sub(used, tolerance)
  return {0, reset[1], reset[2], retry[1], retry[2]}
end
local spare = sub(tolerance, used)
redis.call('HSET', KEYS[1], 's', new_tat[1], 'n', new_tat[2])
redis.call('PEXPIRE', KEYS[1], used[1] * 1000 + math.floor(used[2] / 1000000) + 1000)
return {1, used[1], used[2], spare[1], spare[2]}
";

fn pair(ns: i64) -> (i64, i64) {
    (ns.div_euclid(B), ns.rem_euclid(B))
}

fn unpair(s: i64, n: i64) -> i64 {
    s.saturating_mul(B).saturating_add(n)
}

fn redis_err(e: redis::RedisError) -> KassaError {
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() {
        KassaError::unavailable(format!("redis unavailable: {e}"), 1)
            .with_meta("cause", "connection")
    } else {
        KassaError::internal(format!("redis error: {e}"))
    }
}

/// Rate-limit state in Redis, under a key prefix (one per application, or per test run).
#[derive(Clone)]
pub struct RedisRateLimitStore {
    conn: MultiplexedConnection,
    prefix: String,
    script: Script,
}

impl std::fmt::Debug for RedisRateLimitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimitStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimitStore {
    /// Connects to `url` (`redis://host:port/db`, `rediss://` for TLS when the redis crate is
    /// built with it). Every key is stored as `prefix + key`. Unreachable: `UNAVAILABLE`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        let client =
            redis::Client::open(url).map_err(|e| KassaError::validation("url", e.to_string()))?;
        let conn = client
            .get_multiplexed_async_connection()
            .await
            .map_err(redis_err)?;
        Ok(RedisRateLimitStore {
            conn,
            prefix: prefix.to_owned(),
            script: Script::new(GCRA_LUA),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Deletes every key under the prefix (test clean-up); returns how many.
    pub async fn clear(&self) -> Result<u64> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}*", self.prefix);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(&pattern)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        if keys.is_empty() {
            return Ok(0);
        }
        let n: u64 = redis::cmd("DEL")
            .arg(&keys)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(n)
    }
}

#[async_trait::async_trait]
impl RateLimitStore for RedisRateLimitStore {
    async fn apply_gcra(&self, key: &str, now_ns: i64, params: GcraParams) -> Result<GcraOutcome> {
        let interval = i64::try_from(params.emission_interval_ns).unwrap_or(i64::MAX);
        let tolerance = params.tolerance_ns();
        let (now_s, now_n) = pair(now_ns);
        let (int_s, int_n) = pair(interval);
        let (tol_s, tol_n) = pair(tolerance);
        let mut conn = self.conn.clone();
        let r: Vec<i64> = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(now_s)
            .arg(now_n)
            .arg(int_s)
            .arg(int_n)
            .arg(tol_s)
            .arg(tol_n)
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        let [flag, a_s, a_n, b_s, b_n] = r.as_slice() else {
            return Err(KassaError::internal("gcra script: unexpected reply"));
        };
        let (a, b) = (unpair(*a_s, *a_n), unpair(*b_s, *b_n));
        Ok(if *flag == 1 {
            GcraOutcome {
                allowed: true,
                remaining: u32::try_from(b / interval.max(1)).unwrap_or(u32::MAX),
                reset_after_ns: u64::try_from(a).unwrap_or(0),
                retry_after_ns: 0,
            }
        } else {
            GcraOutcome {
                allowed: false,
                remaining: 0,
                reset_after_ns: u64::try_from(a).unwrap_or(0),
                retry_after_ns: u64::try_from(b).unwrap_or(0),
            }
        })
    }
}
