//! In-memory refresh-token families and one-time tokens.

use crate::error::{KassaError, Result};
use crate::identity::{
    OneTimeToken, OneTimeTokenRecord, PurgedTokens, RedeemOutcome, RefreshFamily, RevokeReason,
    RotationOutcome, TokenPurpose, TokenStore,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct State {
    families: HashMap<String, RefreshFamily>,
    one_time: HashMap<String, OneTimeTokenRecord>,
}

/// The in-memory [`TokenStore`]: one mutex makes each call atomic.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    state: Mutex<State>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryTokenStore::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| KassaError::internal("token store lock poisoned"))
    }

    /// Every stored refresh family, sorted by id (for "nothing changed" checks in tests).
    pub fn families(&self) -> Vec<RefreshFamily> {
        let mut all: Vec<RefreshFamily> = self
            .lock()
            .map(|s| s.families.values().cloned().collect())
            .unwrap_or_default();
        crate::sorting::sort_by(&mut all, |a, b| a.family_id.cmp(&b.family_id));
        all
    }

    /// Every stored one-time record (to check that no secret is stored in clear).
    pub fn one_time_records(&self) -> Vec<OneTimeTokenRecord> {
        self.lock()
            .map(|s| s.one_time.values().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl TokenStore for MemoryTokenStore {
    async fn create_family(&self, family: RefreshFamily) -> Result<()> {
        let mut s = self.lock()?;
        if s.families.contains_key(&family.family_id) {
            return Err(KassaError::conflict("refresh family already exists"));
        }
        s.families.insert(family.family_id.clone(), family);
        Ok(())
    }

    async fn get_family(&self, family_id: &str) -> Result<Option<RefreshFamily>> {
        Ok(self.lock()?.families.get(family_id).cloned())
    }

    async fn rotate_refresh(
        &self,
        family_id: &str,
        user_id: &str,
        presented_jti: &str,
        next_jti: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<RotationOutcome> {
        let mut s = self.lock()?;
        match s.families.get_mut(family_id) {
            Some(f) if f.user_id == user_id => Ok(f.rotate(presented_jti, next_jti, now, ttl)),
            _ => Ok(RotationOutcome::UnknownFamily),
        }
    }

    async fn revoke_family(
        &self,
        family_id: &str,
        reason: RevokeReason,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut s = self.lock()?;
        Ok(match s.families.get_mut(family_id) {
            Some(f) => {
                let was = f.status == crate::identity::FamilyStatus::Active;
                f.revoke(reason, now);
                was
            }
            None => false,
        })
    }

    async fn revoke_user(
        &self,
        user_id: &str,
        reason: RevokeReason,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut s = self.lock()?;
        let mut n = 0;
        for f in s.families.values_mut().filter(|f| f.user_id == user_id) {
            if f.status == crate::identity::FamilyStatus::Active {
                f.revoke(reason, now);
                n += 1;
            }
        }
        Ok(n)
    }

    async fn save_one_time(&self, record: OneTimeTokenRecord) -> Result<()> {
        let mut s = self.lock()?;
        if s.one_time.contains_key(&record.selector) {
            return Err(KassaError::conflict(
                "one-time token selector already exists",
            ));
        }
        s.one_time.insert(record.selector.clone(), record);
        Ok(())
    }

    async fn check_one_time(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<RedeemOutcome> {
        let s = self.lock()?;
        Ok(match s.one_time.get(&presented.selector) {
            Some(r) => r.check(presented, purpose, now),
            None => RedeemOutcome::Invalid,
        })
    }

    async fn redeem_one_time(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<RedeemOutcome> {
        let mut s = self.lock()?;
        Ok(match s.one_time.get_mut(&presented.selector) {
            Some(r) => r.redeem(presented, purpose, now),
            None => RedeemOutcome::Invalid,
        })
    }

    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<PurgedTokens> {
        let mut s = self.lock()?;
        let (families, one_time) = (s.families.len(), s.one_time.len());
        s.families.retain(|_, f| f.expires_at >= before);
        s.one_time.retain(|_, r| r.expires_at >= before);
        Ok(PurgedTokens {
            families: (families - s.families.len()) as u64,
            one_time: (one_time - s.one_time.len()) as u64,
        })
    }
}
