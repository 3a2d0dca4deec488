//! Single-use email-verification and password-reset tokens, stored only as hashes.
//!
//! A token is `<selector>.<secret>`: a 128-bit selector that finds the record and a 256-bit
//! secret of which only the SHA-256 is stored. Redemption compares the hash in constant time,
//! checks purpose and expiry, and marks the record used, all in one store call.

use super::invalid_token;
use crate::error::Result;
use crate::ports::RandomSource;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    /// Confirms an email address (default lifetime 24 h).
    EmailVerification,
    /// Authorizes a password reset (default lifetime 1 h).
    PasswordReset,
}

impl TokenPurpose {
    /// The default lifetime: 24 h for email verification, 1 h for password reset.
    pub fn default_ttl(self) -> Duration {
        match self {
            TokenPurpose::EmailVerification => Duration::hours(24),
            TokenPurpose::PasswordReset => Duration::hours(1),
        }
    }
}

/// The stored side of a one-time token: never the secret, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct OneTimeTokenRecord {
    /// The lookup part of the token.
    pub selector: String,
    /// SHA-256 of the secret part, hex.
    pub secret_hash: String,
    /// The purpose.
    pub purpose: TokenPurpose,
    /// The user it acts for.
    pub user_id: String,
    /// Issue time.
    pub created_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// When it was redeemed (single use).
    pub used_at: Option<DateTime<Utc>>,
}

/// What a redemption decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum RedeemOutcome {
    /// Accepted (and now used up) for this user.
    Redeemed {
        /// The user the token acts for.
        #[serde(rename = "userId")]
        user_id: String,
    },
    /// Unknown selector, wrong secret or wrong purpose.
    Invalid,
    /// Past its expiry.
    Expired,
    /// Already redeemed.
    AlreadyUsed,
}

impl RedeemOutcome {
    /// The user id when redeemed, else the generic invalid-token error.
    pub fn into_result(self) -> Result<String> {
        match self {
            RedeemOutcome::Redeemed { user_id } => Ok(user_id),
            _ => Err(invalid_token()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A parsed presented token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    /// The selector.
    pub selector: String,
    /// SHA-256 of the presented secret, hex.
    pub secret_hash: String,
}

impl OneTimeToken {
    /// Issues a token: returns the string to send to the user (by email) and the record to
    /// store. The secret is 256 bits from `random`.
    pub fn issue(
        purpose: TokenPurpose,
        user_id: &str,
        random: &dyn RandomSource,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<(String, OneTimeTokenRecord)> {
        let mut selector = [0u8; 16];
        let mut secret = [0u8; 32];
        random.fill_bytes(&mut selector)?;
        random.fill_bytes(&mut secret)?;
        let selector = URL_SAFE_NO_PAD.encode(selector);
        let token = format!("{selector}.{}", URL_SAFE_NO_PAD.encode(secret));
        let record = OneTimeTokenRecord {
            selector,
            secret_hash: hex(&Sha256::digest(secret)),
            purpose,
            user_id: user_id.to_owned(),
            created_at: now,
            expires_at: now + ttl,
            used_at: None,
        };
        Ok((token, record))
    }

    /// Parses a presented token (a malformed one is the generic invalid-token error).
    pub fn parse(token: &str) -> Result<OneTimeToken> {
        let (selector, secret) = token.split_once('.').ok_or_else(invalid_token)?;
        let secret = URL_SAFE_NO_PAD
            .decode(secret)
            .map_err(|_| invalid_token())?;
        if secret.len() != 32 || selector.is_empty() || selector.len() > 64 {
            return Err(invalid_token());
        }
        Ok(OneTimeToken {
            selector: selector.to_owned(),
            secret_hash: hex(&Sha256::digest(&secret)),
        })
    }
}

impl OneTimeTokenRecord {
    /// The pure redemption step (a store runs it atomically and persists `self`): checks
    /// the hash in constant time, the purpose, the expiry and single use, then marks the
    /// record used.
    pub fn redeem(
        &mut self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> RedeemOutcome {
        let outcome = self.check(presented, purpose, now);
        if matches!(outcome, RedeemOutcome::Redeemed { .. }) {
            self.used_at = Some(now);
        }
        outcome
    }

    /// What [`redeem`](Self::redeem) would answer, without using the token up: the flows
    /// check a token, apply its change to the user, and only then redeem it, so a failure
    /// in between leaves the token valid.
    pub fn check(
        &self,
        presented: &OneTimeToken,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> RedeemOutcome {
        let same: bool = self
            .secret_hash
            .as_bytes()
            .ct_eq(presented.secret_hash.as_bytes())
            .into();
        if !same || self.purpose != purpose || self.selector != presented.selector {
            return RedeemOutcome::Invalid;
        }
        if self.used_at.is_some() {
            return RedeemOutcome::AlreadyUsed;
        }
        if now >= self.expires_at {
            return RedeemOutcome::Expired;
        }
        RedeemOutcome::Redeemed {
            user_id: self.user_id.clone(),
        }
    }
}
