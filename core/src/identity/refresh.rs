//! The refresh-token family: single-use rotating tokens with reuse detection.
//!
//! A login starts a family (one per session/device) whose `current_jti` is the only refresh
//! token that may be used. Using it rotates the family to a new id. Presenting any other id
//! of the family (an already-used token, i.e. a stolen copy or a replay) revokes the whole
//! family, so both the thief and the victim must log in again.
//!
//! [`RefreshFamily::rotate`] is the pure decision; a store applies it atomically.

use super::invalid_token;
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Why a family was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// An already-used refresh token was presented.
    Reuse,
    /// The user logged out.
    Logout,
    /// The password was reset or changed.
    PasswordReset,
    /// An administrator revoked it.
    Admin,
}

/// A family's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum FamilyStatus {
    /// Usable.
    Active,
    /// Revoked for good.
    Revoked(RevokeReason),
}

/// One session's refresh-token family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefreshFamily {
    /// Family id (carried in every token of the family).
    pub family_id: String,
    /// The user.
    pub user_id: String,
    /// The only refresh token id that may be used next.
    pub current_jti: String,
    /// Active or revoked.
    pub status: FamilyStatus,
    /// When the family started (login).
    pub created_at: DateTime<Utc>,
    /// When the current refresh token expires.
    pub expires_at: DateTime<Utc>,
    /// Last rotation or revocation.
    pub updated_at: DateTime<Utc>,
    /// Rotations so far.
    pub rotations: u32,
}

/// What a rotation attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum RotationOutcome {
    /// The presented token was current; the family now expects the new id.
    Rotated,
    /// The presented token was already used: the family is now revoked.
    ReuseDetected,
    /// The family was already revoked.
    Revoked,
    /// The family's current token has expired.
    Expired,
    /// No such family (or it belongs to another user).
    UnknownFamily,
}

impl RotationOutcome {
    /// `Ok(())` when rotated, else the generic invalid-token error.
    pub fn into_result(self) -> Result<()> {
        match self {
            RotationOutcome::Rotated => Ok(()),
            _ => Err(invalid_token()),
        }
    }
}

impl RefreshFamily {
    /// A new family for a login, expecting `first_jti`, expiring after `ttl`.
    pub fn start(
        family_id: &str,
        user_id: &str,
        first_jti: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Self {
        RefreshFamily {
            family_id: family_id.to_owned(),
            user_id: user_id.to_owned(),
            current_jti: first_jti.to_owned(),
            status: FamilyStatus::Active,
            created_at: now,
            expires_at: now + ttl,
            updated_at: now,
            rotations: 0,
        }
    }

    /// The pure rotation step: presenting `presented_jti` at `now`, rotate to `next_jti`
    /// (valid for `ttl`). Reuse revokes the family (the caller persists `self`).
    pub fn rotate(
        &mut self,
        presented_jti: &str,
        next_jti: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> RotationOutcome {
        if self.status != FamilyStatus::Active {
            return RotationOutcome::Revoked;
        }
        if presented_jti != self.current_jti {
            self.revoke(RevokeReason::Reuse, now);
            return RotationOutcome::ReuseDetected;
        }
        if now >= self.expires_at {
            return RotationOutcome::Expired;
        }
        self.current_jti = next_jti.to_owned();
        self.expires_at = now + ttl;
        self.updated_at = now;
        self.rotations = self.rotations.saturating_add(1);
        RotationOutcome::Rotated
    }

    /// Revokes the family (idempotent: the first reason stays).
    pub fn revoke(&mut self, reason: RevokeReason, now: DateTime<Utc>) {
        if self.status == FamilyStatus::Active {
            self.status = FamilyStatus::Revoked(reason);
            self.updated_at = now;
        }
    }

    /// Whether tokens of this family are still honoured at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.status == FamilyStatus::Active && now < self.expires_at
    }
}
