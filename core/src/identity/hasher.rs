//! argon2id password hashing (PHC strings) with re-hash detection.

use crate::error::{KassaError, Result};
use crate::ports::RandomSource;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Argon2Params {
    /// Memory in KiB (OWASP: 19456 = 19 MiB).
    pub memory_kib: u32,
    /// Passes over memory (OWASP: 2).
    pub iterations: u32,
    /// Lanes (OWASP: 1).
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1.
    fn default() -> Self {
        Argon2Params {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// The outcome of [`PasswordHasher::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PasswordVerification {
    /// Whether the password matches.
    pub valid: bool,
    /// Whether the stored hash should be replaced by a new hash under the current
    /// parameters (only meaningful when `valid`).
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords with argon2id. Passwords are NFKC-normalized first, so a
/// Unicode password verifies however the keyboard composed it; any length and any byte
/// (NUL included) is hashed in full (argon2 has no 72-byte truncation).
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Argon2Params,
    argon: Argon2<'static>,
}

const SALT_BYTES: usize = 16;

impl PasswordHasher {
    /// A hasher with `params` (checked against argon2's bounds).
    pub fn new(params: Argon2Params) -> Result<Self> {
        let p = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| KassaError::validation("argon2", e.to_string()))?;
        Ok(PasswordHasher {
            params,
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, p),
        })
    }

    /// A hasher with OWASP's parameters.
    pub fn owasp() -> Self {
        let params = Argon2Params::default();
        PasswordHasher {
            params,
            argon: Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(
                    params.memory_kib,
                    params.iterations,
                    params.parallelism,
                    None,
                )
                .unwrap_or_default(),
            ),
        }
    }

    /// The current parameters.
    pub fn params(&self) -> Argon2Params {
        self.params
    }

    /// Hashes `password` with a fresh 128-bit salt from `random`; returns the PHC string
    /// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
    pub fn hash(&self, password: &str, random: &dyn RandomSource) -> Result<String> {
        let mut salt = [0u8; SALT_BYTES];
        random.fill_bytes(&mut salt)?;
        let salt = SaltString::encode_b64(&salt)
            .map_err(|e| KassaError::internal(format!("salt: {e}")))?;
        let normalized: String = password.nfkc().collect();
        self.argon
            .hash_password(normalized.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| KassaError::internal(format!("argon2: {e}")))
    }

    /// Verifies `password` against a stored PHC string. A malformed stored hash is an
    /// `INTERNAL` error (the store is corrupt), not a failed login. `needs_rehash` is true
    /// when the stored hash is not argon2id v19 with the current parameters.
    pub fn verify(&self, password: &str, stored: &str) -> Result<PasswordVerification> {
        let parsed = PasswordHash::new(stored)
            .map_err(|e| KassaError::internal(format!("stored password hash: {e}")))?;
        let normalized: String = password.nfkc().collect();
        // verification uses the parameters recorded in the hash itself
        let valid = match Argon2::default().verify_password(normalized.as_bytes(), &parsed) {
            Ok(()) => true,
            Err(argon2::password_hash::Error::Password) => false,
            Err(e) => return Err(KassaError::internal(format!("argon2: {e}"))),
        };
        let current = Params::try_from(&parsed).ok();
        let same = parsed.algorithm.as_str() == "argon2id"
            && parsed.version == Some(0x13)
            && current.is_some_and(|p| {
                p.m_cost() == self.params.memory_kib
                    && p.t_cost() == self.params.iterations
                    && p.p_cost() == self.params.parallelism
            });
        Ok(PasswordVerification {
            valid,
            needs_rehash: valid && !same,
        })
    }

    /// Spends the time of one verification and returns `false`: call it when the email is
    /// unknown, so a login cannot tell unknown emails from wrong passwords by timing.
    pub fn verify_dummy(&self, password: &str) -> bool {
        let salt = SaltString::encode_b64(&[7u8; SALT_BYTES]);
        let normalized: String = password.nfkc().collect();
        if let Ok(salt) = salt {
            let _ = self.argon.hash_password(normalized.as_bytes(), &salt);
        }
        false
    }
}
