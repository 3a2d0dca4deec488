//! A TTL cache of resolved permissions, invalidated when roles change.

use super::policy::{Policy, ResolvedPermissions};
use super::principal::Principal;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Default time a resolution stays cached: 10 minutes (seed 002).
pub const DEFAULT_CACHE_TTL_SECONDS: i64 = 600;

#[derive(Debug)]
struct Entry {
    resolved: Arc<ResolvedPermissions>,
    expires_at: DateTime<Utc>,
}

/// Caches each user's resolved permissions for a TTL. An entry is used only while it is
/// fresh, the principal still carries the same roles and the policy has the same version, so
/// a role change (of the user or of a role's grants) takes effect at once; hosts that change
/// a user's roles in storage call [`invalidate_user`](Self::invalidate_user).
#[derive(Debug)]
pub struct PermissionCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for PermissionCache {
    fn default() -> Self {
        PermissionCache::new(Duration::seconds(DEFAULT_CACHE_TTL_SECONDS))
    }
}

impl PermissionCache {
    /// A cache with a TTL.
    pub fn new(ttl: Duration) -> Self {
        PermissionCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The principal's resolved permissions, from the cache when fresh, else resolved from
    /// `policy` and cached. Principals without a user id are resolved and not cached.
    pub fn resolve(
        &self,
        policy: &Policy,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> Arc<ResolvedPermissions> {
        let Some(user) = principal.user_id.as_deref() else {
            return Arc::new(policy.resolve(principal));
        };
        let Ok(mut entries) = self.entries.lock() else {
            return Arc::new(policy.resolve(principal));
        };
        if let Some(e) = entries.get(user) {
            if now < e.expires_at
                && e.resolved.policy_version == policy.version()
                && e.resolved.role_names == principal.roles
            {
                return e.resolved.clone();
            }
        }
        let resolved = Arc::new(policy.resolve(principal));
        entries.insert(
            user.to_owned(),
            Entry {
                resolved: resolved.clone(),
                expires_at: now + self.ttl,
            },
        );
        resolved
    }

    /// Drops one user's entry (call when its roles change in storage).
    pub fn invalidate_user(&self, user_id: &str) {
        if let Ok(mut e) = self.entries.lock() {
            e.remove(user_id);
        }
    }

    /// Drops every entry.
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }

    /// Drops expired entries; returns how many.
    pub fn purge_expired(&self, now: DateTime<Utc>) -> usize {
        let Ok(mut e) = self.entries.lock() else {
            return 0;
        };
        let before = e.len();
        e.retain(|_, v| now < v.expires_at);
        before - e.len()
    }

    /// Number of cached entries.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
