//! In-memory users and tokens.

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::ports::{PortHealth, TokenRecord, UserRecord, UserStore};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
struct State {
    users: HashMap<String, UserRecord>,
    by_email: HashMap<String, String>,
    tokens: HashMap<String, TokenRecord>,
}

/// Users and tokens in maps behind one lock.
#[derive(Debug, Default)]
pub struct MemoryUsers {
    state: Mutex<State>,
}

impl MemoryUsers {
    /// An empty store.
    pub fn new() -> Self {
        MemoryUsers::default()
    }

    /// Every stored user, sorted by id (for "nothing changed" checks in tests).
    pub fn users(&self) -> Vec<UserRecord> {
        let mut all: Vec<UserRecord> = lock(&self.state, "user")
            .map(|s| s.users.values().cloned().collect())
            .unwrap_or_default();
        crate::sorting::sort_by(&mut all, |a, b| a.id.cmp(&b.id));
        all
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl UserStore for MemoryUsers {
    async fn insert_user(&self, mut user: UserRecord) -> Result<UserRecord> {
        let mut s = lock(&self.state, "user")?;
        user.email = user.email.trim().to_lowercase();
        if s.users.contains_key(&user.id) {
            return Err(KassaError::conflict(format!(
                "user '{}' already exists",
                user.id
            )));
        }
        if s.by_email.contains_key(&user.email) {
            return Err(KassaError::conflict("email is already registered")
                .with_detail("email", "already registered"));
        }
        user.version = 1;
        s.by_email.insert(user.email.clone(), user.id.clone());
        s.users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    async fn get_user(&self, id: &str) -> Result<Option<UserRecord>> {
        Ok(lock(&self.state, "user")?.users.get(id).cloned())
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let s = lock(&self.state, "user")?;
        let key = email.trim().to_lowercase();
        Ok(s.by_email.get(&key).and_then(|id| s.users.get(id)).cloned())
    }

    async fn update_user(&self, mut user: UserRecord) -> Result<UserRecord> {
        let mut s = lock(&self.state, "user")?;
        user.email = user.email.trim().to_lowercase();
        let stored = s
            .users
            .get(&user.id)
            .ok_or_else(|| KassaError::not_found("user", &user.id))?;
        if stored.version != user.version {
            return Err(KassaError::conflict(format!(
                "user '{}' changed meanwhile",
                user.id
            )));
        }
        let old_email = stored.email.clone();
        if old_email != user.email {
            if s.by_email.contains_key(&user.email) {
                return Err(KassaError::conflict("email is already registered")
                    .with_detail("email", "already registered"));
            }
            s.by_email.remove(&old_email);
            s.by_email.insert(user.email.clone(), user.id.clone());
        }
        user.version += 1;
        s.users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    async fn store_token(&self, token: TokenRecord) -> Result<()> {
        lock(&self.state, "user")?
            .tokens
            .insert(token.token_hash.clone(), token);
        Ok(())
    }

    async fn consume_token(
        &self,
        token_hash: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenRecord>> {
        let mut s = lock(&self.state, "user")?;
        let Some(t) = s.tokens.get_mut(token_hash) else {
            return Ok(None);
        };
        if t.purpose != purpose || t.consumed_at.is_some() || t.expires_at <= now {
            return Ok(None);
        }
        let before = t.clone();
        t.consumed_at = Some(now);
        Ok(Some(before))
    }

    async fn get_token(&self, token_hash: &str) -> Result<Option<TokenRecord>> {
        Ok(lock(&self.state, "user")?.tokens.get(token_hash).cloned())
    }

    async fn revoke_tokens(
        &self,
        user_id: &str,
        family: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut s = lock(&self.state, "user")?;
        let mut n = 0;
        for t in s.tokens.values_mut() {
            let family_ok = family.is_none_or(|f| t.family.as_deref() == Some(f));
            if t.user_id == user_id && family_ok && t.consumed_at.is_none() {
                t.consumed_at = Some(now);
                n += 1;
            }
        }
        Ok(n)
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "user") {
            Ok(s) => PortHealth::up("users", format!("in-memory, {} users", s.users.len())),
            Err(e) => PortHealth::down("users", e.message),
        }
    }
}
