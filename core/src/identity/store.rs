//! The token storage port.

use super::one_time::{OneTimeToken, OneTimeTokenRecord, RedeemOutcome, TokenPurpose};
use super::refresh::{RefreshFamily, RevokeReason, RotationOutcome};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What [`TokenStore::purge_expired`] deleted.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "camelCase")]
pub struct PurgedTokens {
    /// Refresh-token families whose current token had expired.
    pub families: u64,
    /// One-time tokens (email verification, password reset) that had expired.
    pub one_time: u64,
}

/// Storage of refresh-token families and one-time tokens. Every state change is one atomic
/// call (a transaction or a script), never a read-then-write in the engine.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait TokenStore: Send + Sync {
    /// Stores a new family (a login). A duplicate id is a `CONFLICT`.
    async fn create_family(&self, family: RefreshFamily) -> Result<()>;

    /// Reads a family.
    async fn get_family(&self, family_id: &str) -> Result<Option<RefreshFamily>>;

    /// Atomically applies [`RefreshFamily::rotate`] to the family of `user_id`: rotates on the
    /// current id, revokes the family on reuse. A family of another user is `UnknownFamily`.
    async fn rotate_refresh(
        &self,
        family_id: &str,
        user_id: &str,
        presented_jti: &str,
        next_jti: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<RotationOutcome>;

    /// Revokes one family (logout). Returns whether it was active.
    async fn revoke_family(
        &self,
        family_id: &str,
        reason: RevokeReason,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Revokes every active family of a user (logout everywhere, password reset).
    /// Returns how many were revoked.
    async fn revoke_user(
        &self,
        user_id: &str,
        reason: RevokeReason,
        now: DateTime<Utc>,
    ) -> Result<usize>;

    /// Stores a one-time token record. A duplicate selector is a `CONFLICT`.
    async fn save_one_time(&self, record: OneTimeTokenRecord) -> Result<()>;

    /// [`OneTimeTokenRecord::check`] on the record of the presented selector: whether it
    /// would redeem, without changing it (an unknown selector is `Invalid`).
    async fn check_one_time(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<RedeemOutcome>;

    /// Atomically applies [`OneTimeTokenRecord::redeem`] to the record of the presented
    /// selector.
    async fn redeem_one_time(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<RedeemOutcome>;

    /// Deletes every refresh family whose current token expires before `before` (revoked or
    /// not) and every one-time token that expires before `before` (used or not), so the
    /// store does not grow with every login and every link sent. Returns how many of each.
    ///
    /// Callers pass a `before` no later than the moment every token of those records is
    /// refused anyway; [`Engine::purge_expired_tokens`](crate::engine::Engine::purge_expired_tokens)
    /// subtracts the validation leeway and the access-token lifetime from its clock.
    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<PurgedTokens>;
}
