//! Identity: registration rules, argon2id password hashing, JWT access and refresh tokens
//! with rotation and reuse detection, and single-use email-verification and password-reset
//! tokens stored only as hashes.
//!
//! Everything here is pure or takes its time (`now`) and randomness ([`RandomSource`]) as
//! arguments; storage goes through the [`TokenStore`] port (in-memory default:
//! [`crate::memory::MemoryTokenStore`]).
//!
//! The engine flows call, in order:
//! - register: [`Registration::validate`] → [`PasswordHasher::hash`] → store the user →
//!   [`OneTimeToken::issue`] (`EmailVerification`) → [`TokenStore::save_one_time`] → emit the
//!   verification event carrying the token.
//! - verify email / reset password: [`OneTimeToken::parse`] →
//!   [`TokenStore::redeem_one_time`] (atomic, single use, constant-time compare).
//! - log in: rate-limit (auth class) → load user by [`normalize_email`] → on unknown email
//!   [`PasswordHasher::verify_dummy`], else [`PasswordHasher::verify`] → on failure
//!   [`login_failed`] (one generic error) → [`TokenIssuer::issue_pair`] →
//!   [`TokenStore::create_family`].
//! - refresh: [`TokenIssuer::verify_refresh`] → [`new_token_id`] →
//!   [`TokenStore::rotate_refresh`] → on `Rotated` load the user and
//!   [`TokenIssuer::issue_pair_in_family`], otherwise [`RotationOutcome::into_result`].
//! - log out: [`TokenStore::revoke_family`] (or [`TokenStore::revoke_user`] for all devices).
//!
//! [`RandomSource`]: crate::ports::RandomSource

mod email;
mod hasher;
mod jwt;
mod one_time;
mod password;
mod refresh;
mod store;

pub use email::normalize_email;
pub use hasher::{Argon2Params, PasswordHasher, PasswordVerification};
pub use jwt::{
    check_lifetime, new_token_id, AccessClaims, JwtAlgorithm, JwtKey, KeyRing, RefreshClaims,
    TokenConfig, TokenIssuer, TokenKind, TokenPair, TokenSubject, MAX_LIFETIME_SECONDS,
};
pub use one_time::{OneTimeToken, OneTimeTokenRecord, RedeemOutcome, TokenPurpose};
pub use password::{is_common_password, PasswordPolicy, Registration, ValidRegistration};
pub use refresh::{FamilyStatus, RefreshFamily, RevokeReason, RotationOutcome};
pub use store::{PurgedTokens, TokenStore};

use crate::error::KassaError;

/// The one error a failed login returns, for an unknown email and a wrong password alike.
pub fn login_failed() -> KassaError {
    KassaError::unauthenticated("invalid email or password")
}

/// The one error every rejected token returns (bad signature, expired, wrong audience,
/// revoked, reused, ...); the reason is never told to the caller.
pub fn invalid_token() -> KassaError {
    KassaError::unauthenticated("invalid or expired token")
}

/// Vector operations (the serde form every host runs).
pub mod ops {
    pub use super::password::ops::*;
}
