//! Registration rules: email, password length and the common-password list.

use super::email::normalize_email;
use crate::error::{FieldError, KassaError, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

const COMMON: &str = include_str!("common_passwords.txt");

fn common_set() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `password` is on the bundled list of common passwords (case-insensitive).
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    common_set().contains(lower.as_str())
}

/// Password rules. Lengths count Unicode scalar values after NFKC normalization, so `é`
/// typed as one or two code points counts once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PasswordPolicy {
    /// Minimum length (default 8).
    pub min_length: usize,
    /// Maximum length (default 128).
    pub max_length: usize,
    /// Refuse passwords on the bundled common list (default true).
    pub refuse_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            max_length: 128,
            refuse_common: true,
        }
    }
}

impl PasswordPolicy {
    /// Checks a password, naming `field` in the error.
    pub fn check(&self, password: &str, field: &str) -> Result<()> {
        let normalized: String = password.nfkc().collect();
        let len = normalized.chars().count();
        if len < self.min_length {
            return Err(KassaError::validation(
                field,
                format!("must be at least {} characters", self.min_length),
            ));
        }
        if len > self.max_length {
            return Err(KassaError::validation(
                field,
                format!("must be at most {} characters", self.max_length),
            ));
        }
        if self.refuse_common && is_common_password(&normalized) {
            return Err(KassaError::validation(
                field,
                "is too common; choose a less guessable password",
            ));
        }
        Ok(())
    }
}

/// A registration request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    /// The email address as typed.
    pub email: String,
    /// The password as typed.
    pub password: String,
}

/// A registration that passed the rules: the normalized email (the password is handed to
/// the hasher separately and never kept here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct ValidRegistration {
    /// The normalized email.
    pub email: String,
}

impl Registration {
    /// Checks email and password, reporting every bad field at once.
    pub fn validate(&self, policy: &PasswordPolicy) -> Result<ValidRegistration> {
        let mut details: Vec<FieldError> = Vec::new();
        let email = match normalize_email(&self.email) {
            Ok(e) => Some(e),
            Err(e) => {
                details.extend(e.details);
                None
            }
        };
        if let Err(e) = policy.check(&self.password, "password") {
            details.extend(e.details);
        }
        if let Some(email) = email.filter(|_| details.is_empty()) {
            if let Some(local) = email.split('@').next() {
                if self.password.to_lowercase() == local {
                    return Err(KassaError::validation(
                        "password",
                        "must not be the same as the email address",
                    ));
                }
            }
            return Ok(ValidRegistration { email });
        }
        Err(KassaError::validation_many(details))
    }
}

/// Vector operations.
pub mod ops {
    use super::*;

    /// Input of `identity.validate_registration`.
    #[derive(Debug, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct ValidateRegistrationRequest {
        /// The registration.
        pub registration: Registration,
        /// The policy (defaults when absent).
        #[serde(default)]
        pub policy: PasswordPolicy,
    }

    /// `identity.validate_registration`.
    pub fn validate_registration(req: ValidateRegistrationRequest) -> Result<ValidRegistration> {
        req.registration.validate(&req.policy)
    }

    /// Input of `identity.normalize_email`.
    #[derive(Debug, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct NormalizeEmailRequest {
        /// The email as typed.
        pub email: String,
    }

    /// `identity.normalize_email`.
    pub fn normalize_email(req: NormalizeEmailRequest) -> Result<String> {
        super::normalize_email(&req.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_loaded_and_case_insensitive() {
        assert!(common_set().len() > 3000);
        assert!(is_common_password("Password123"));
        assert!(is_common_password("QWERTY123"));
        assert!(!is_common_password("correct horse battery staple"));
    }

    #[test]
    fn length_rules() {
        let p = PasswordPolicy::default();
        assert!(p.check("short1!", "password").is_err());
        assert!(p.check("eight ch", "password").is_ok());
        assert!(p.check(&"x".repeat(128), "password").is_ok());
        assert!(p.check(&"x".repeat(129), "password").is_err());
        // 8 characters of 2-4 bytes each pass; length is in characters, not bytes
        assert!(p.check("ñandú🦀🦀🦀é", "password").is_ok());
    }
}
