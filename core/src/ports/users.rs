//! The user and token store port (a minimal store; the identity module extends its use).

use super::health::PortHealth;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    /// User id.
    pub id: String,
    /// Email, unique (stored lower case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role names.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Password hash (PHC string), when the user has a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Whether the email is verified.
    #[serde(default)]
    pub email_verified: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Version for compare-and-set.
    #[serde(default)]
    pub version: u64,
}

/// A stored single-use or long-lived token (refresh, email verification, password reset),
/// kept by its hash only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TokenRecord {
    /// Hash of the token (the token itself is never stored).
    pub token_hash: String,
    /// Owner.
    pub user_id: String,
    /// Purpose (`"refresh"`, `"verify_email"`, `"reset_password"`).
    pub purpose: String,
    /// Family (refresh-token rotation chains), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_at: Option<DateTime<Utc>>,
}

/// Users and their tokens.
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait UserStore: Send + Sync {
    /// Stores a new user; a taken id or email is a `CONFLICT`.
    async fn insert_user(&self, user: UserRecord) -> Result<UserRecord>;
    /// One user by id.
    async fn get_user(&self, id: &str) -> Result<Option<UserRecord>>;
    /// One user by email (case-insensitive).
    async fn find_by_email(&self, email: &str) -> Result<Option<UserRecord>>;
    /// Replaces a user if its version still equals `user.version` (stored with version + 1).
    async fn update_user(&self, user: UserRecord) -> Result<UserRecord>;
    /// Stores a token record.
    async fn store_token(&self, token: TokenRecord) -> Result<()>;
    /// Marks a token used if it exists, has this purpose, is unused and unexpired, and
    /// returns it as it was; `None` otherwise. Atomic: a token is consumed at most once.
    async fn consume_token(
        &self,
        token_hash: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenRecord>>;
    /// A token record without consuming it (e.g. to detect refresh-token reuse).
    async fn get_token(&self, token_hash: &str) -> Result<Option<TokenRecord>>;
    /// Marks every unused token of a user (optionally of one family) used; returns how many.
    async fn revoke_tokens(
        &self,
        user_id: &str,
        family: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64>;
    /// Health.
    async fn health(&self) -> PortHealth;
}

/// The user store of a host built without the identity flows (the wasm module's `web-full`,
/// cargo feature `engine-auth` off): no users and no tokens, every write `UNSUPPORTED`. Only
/// the identity flows (and the Rust API's profile calls) use the store; the JSON operations
/// of such a build have none of them.
///
/// [`crate::host::EngineHost::in_memory`] uses it in such a build instead of the in-memory
/// store, whose every method a trait object would keep in the module.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUsers;

impl NoUsers {
    fn unsupported<T>() -> Result<T> {
        Err(crate::error::KassaError::unsupported(
            "identity flows",
            "engine-auth",
        ))
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl UserStore for NoUsers {
    async fn insert_user(&self, _: UserRecord) -> Result<UserRecord> {
        Self::unsupported()
    }
    async fn get_user(&self, _: &str) -> Result<Option<UserRecord>> {
        Ok(None)
    }
    async fn find_by_email(&self, _: &str) -> Result<Option<UserRecord>> {
        Ok(None)
    }
    async fn update_user(&self, _: UserRecord) -> Result<UserRecord> {
        Self::unsupported()
    }
    async fn store_token(&self, _: TokenRecord) -> Result<()> {
        Self::unsupported()
    }
    async fn consume_token(
        &self,
        _: &str,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<Option<TokenRecord>> {
        Ok(None)
    }
    async fn get_token(&self, _: &str) -> Result<Option<TokenRecord>> {
        Ok(None)
    }
    async fn revoke_tokens(&self, _: &str, _: Option<&str>, _: DateTime<Utc>) -> Result<u64> {
        Ok(0)
    }
    async fn health(&self) -> PortHealth {
        PortHealth::up("users", "none (identity flows not in this build)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use futures::executor::block_on;

    #[test]
    fn no_users_reads_empty_and_refuses_writes() {
        let s = NoUsers;
        assert!(block_on(s.get_user("u-1")).is_ok_and(|u| u.is_none()));
        assert!(block_on(s.find_by_email("a@b.c")).is_ok_and(|u| u.is_none()));
        assert!(block_on(s.get_token("h")).is_ok_and(|t| t.is_none()));
        assert_eq!(
            block_on(s.revoke_tokens("u-1", None, DateTime::<Utc>::UNIX_EPOCH)).ok(),
            Some(0)
        );
        let token = TokenRecord {
            token_hash: "h".into(),
            user_id: "u-1".into(),
            purpose: "refresh".into(),
            family: None,
            expires_at: DateTime::<Utc>::UNIX_EPOCH,
            consumed_at: None,
        };
        let err = block_on(s.store_token(token)).err();
        assert_eq!(err.map(|e| e.code), Some(ErrorCode::Unsupported));
    }
}
