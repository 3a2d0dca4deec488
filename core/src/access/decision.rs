//! A decision that explains itself, and its mapping to errors.

use super::principal::Resource;
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};

/// Why a request was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// No role of the principal grants the action on this resource kind (default deny).
    NoMatchingPermission,
    /// Only an `:own` grant matches, and the resource belongs to someone else (or the
    /// principal has no identity).
    NotOwner,
}

/// The answer of [`Policy::authorize`](super::Policy::authorize).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The role whose grant allowed it (when allowed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role: Option<String>,
    /// The grant that allowed it, e.g. `"orders:read:own"` (when allowed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permission: Option<String>,
    /// Why it was denied (when denied).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<DenyReason>,
    /// A human-readable explanation.
    pub explanation: String,
}

impl Decision {
    pub(super) fn allow(role: &str, grant: &str, action: &str, kind: &str) -> Self {
        Decision {
            allowed: true,
            role: Some(role.to_owned()),
            permission: Some(grant.to_owned()),
            reason: None,
            explanation: format!("role '{role}' grants '{grant}' covering {kind}:{action}"),
        }
    }

    pub(super) fn deny(reason: DenyReason, explanation: String) -> Self {
        Decision {
            allowed: false,
            role: None,
            permission: None,
            reason: Some(reason),
            explanation,
        }
    }

    /// The error a flow returns for this decision on `resource`, or `Ok(())` when allowed.
    ///
    /// `NotOwner` answers `NOT_FOUND` (as if the resource did not exist, so other customers'
    /// ids cannot be probed); `NoMatchingPermission` answers `FORBIDDEN`. Every engine flow
    /// maps decisions through this one function, so the answer is consistent.
    pub fn ensure(&self, resource: &Resource) -> Result<()> {
        match self.reason {
            None if self.allowed => Ok(()),
            Some(DenyReason::NotOwner) => Err(KassaError::not_found(
                singular(&resource.kind),
                resource.id.as_deref().unwrap_or(""),
            )),
            _ => Err(KassaError::forbidden(format!(
                "not allowed: {}",
                self.explanation
            ))),
        }
    }
}

fn singular(kind: &str) -> &str {
    kind.strip_suffix('s').unwrap_or(kind)
}
