//! Account message events (email verification, password reset) for the host's mailer.

use super::EVENT_SCHEMA_VERSION;
use crate::error::{KassaError, Result};
use crate::identity::TokenPurpose;
use crate::ports::OutboxEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Event type of the email-verification message (payload: [`AccountEvent`]).
pub const EVENT_EMAIL_VERIFICATION: &str = "email_verification_requested";
/// Event type of the password-reset message (payload: [`AccountEvent`]).
pub const EVENT_PASSWORD_RESET: &str = "password_reset_requested";

/// The payload of the account message events (`email_verification_requested`,
/// `password_reset_requested`), for the host's mailer. `token` is the one-time secret to
/// put in the link; it exists nowhere else (the store keeps only its hash), so the outbox
/// holding these events must be treated as secret and drained promptly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AccountEvent {
    /// The user.
    pub user_id: String,
    /// Where to send the message.
    pub email: String,
    /// What the token is for.
    pub purpose: TokenPurpose,
    /// The one-time token (`<selector>.<secret>`).
    pub token: String,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
}

impl AccountEvent {
    /// The outbox event type.
    pub fn event_type(&self) -> &'static str {
        match self.purpose {
            TokenPurpose::EmailVerification => EVENT_EMAIL_VERIFICATION,
            TokenPurpose::PasswordReset => EVENT_PASSWORD_RESET,
        }
    }

    /// The outbox event (id `"<userId>:<type>:<selector>"`, unique per token).
    pub fn to_outbox(&self, at: DateTime<Utc>) -> Result<OutboxEvent> {
        let selector = self.token.split('.').next().unwrap_or_default();
        Ok(OutboxEvent {
            id: format!("{}:{}:{selector}", self.user_id, self.event_type()),
            event_type: self.event_type().to_owned(),
            schema_version: EVENT_SCHEMA_VERSION,
            aggregate_id: self.user_id.clone(),
            occurred_at: at,
            payload: serde_json::to_string(self)
                .map_err(|e| KassaError::internal(format!("event payload: {e}")))?,
        })
    }
}
