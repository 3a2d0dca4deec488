//! Dunning: what happens after a failed payment.
//!
//! The first failure (at `failedAt`) moves the subscription to `past_due`; retry `k` is
//! scheduled `retryDays[k-1]` days after `failedAt` (default 1, 3, 5, 7). When the last
//! retry fails, the policy's final action applies: cancel (default) or pause. Every attempt
//! has its own gateway idempotency key (`{invoiceId}:attempt-{n}`), so a repeated run or a
//! crash-and-retry never charges twice, and a due attempt is only made once: the state
//! records how many were made.

use crate::error::{KassaError, Result};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What to do when every retry failed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum FinalAction {
    /// Cancel the subscription (the invoice becomes uncollectible).
    #[default]
    Cancel,
    /// Pause it (the invoice becomes uncollectible; resume starts a new period).
    Pause,
}

/// The retry schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default)]
pub struct DunningPolicy {
    /// Days after the first failure at which to retry; strictly increasing.
    pub retry_days: Vec<u32>,
    /// After the last retry failed.
    pub final_action: FinalAction,
}

impl Default for DunningPolicy {
    fn default() -> Self {
        DunningPolicy {
            retry_days: vec![1, 3, 5, 7],
            final_action: FinalAction::Cancel,
        }
    }
}

/// Dunning in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct DunningState {
    /// The invoice being collected.
    pub invoice_id: String,
    /// When the first attempt failed.
    pub failed_at: DateTime<Utc>,
    /// Attempts made so far (the first one included).
    pub attempts_made: u32,
    /// When the next retry is due.
    pub next_attempt_at: DateTime<Utc>,
    /// The last decline code.
    #[serde(default)]
    pub last_code: String,
}

/// What follows a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(
    rename_all = "snake_case",
    tag = "type",
    rename_all_fields = "camelCase"
)]
pub enum DunningStep {
    /// Retry at this time.
    Retry {
        /// When.
        at: DateTime<Utc>,
        /// The retry's number (1 = first retry).
        retry: u32,
    },
    /// Give up with the final action.
    GiveUp {
        /// What to do.
        action: FinalAction,
    },
}

impl DunningPolicy {
    /// Checks the schedule: at most 30 retries, strictly increasing, each ≤ 365 days.
    pub fn validate(&self) -> Result<()> {
        if self.retry_days.len() > 30 {
            return Err(KassaError::validation("retryDays", "at most 30 retries"));
        }
        let mut prev = 0u32;
        for (i, d) in self.retry_days.iter().enumerate() {
            if *d == 0 || *d <= prev || *d > 365 {
                return Err(KassaError::validation(
                    format!("retryDays[{i}]"),
                    "must be strictly increasing, between 1 and 365",
                ));
            }
            prev = *d;
        }
        Ok(())
    }

    /// The step after `attempts_made` failed attempts (the first attempt counts), the first
    /// having failed at `failed_at`.
    pub fn after_failure(
        &self,
        failed_at: DateTime<Utc>,
        attempts_made: u32,
    ) -> Result<DunningStep> {
        self.validate()?;
        let retry = attempts_made.max(1);
        match self.retry_days.get((retry - 1) as usize) {
            Some(days) => Ok(DunningStep::Retry {
                at: failed_at
                    .checked_add_signed(Duration::days(i64::from(*days)))
                    .ok_or_else(|| KassaError::validation("failedAt", "out of range"))?,
                retry,
            }),
            None => Ok(DunningStep::GiveUp {
                action: self.final_action,
            }),
        }
    }
}
