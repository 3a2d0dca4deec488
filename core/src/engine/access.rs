//! Permission checks of the engine flows: every flow asks the host's [`Policy`] (default:
//! the built-in roles) through these helpers, and maps the decision with
//! [`crate::access::Decision::ensure`], so a foreign cart, order, refund or profile answers
//! `NOT_FOUND` exactly like a missing one, and an action the actor's roles do not grant at
//! all answers `FORBIDDEN` before anything is loaded.
//!
//! The `system` role (gateway webhooks, sweeps, the engine itself) is not a policy role: it
//! is allowed everything, and it is never taken from a token ([`Principal::from_claims`]).

use super::principal::{Principal, ROLE_SYSTEM};
use super::Engine;
use crate::access::{self, Policy, Resource};
use crate::error::{KassaError, Result};
use crate::identity::AccessClaims;
use std::sync::Arc;

impl Principal {
    /// The principal as the access module sees it (user id, roles; no customer groups).
    pub fn to_access(&self) -> access::Principal {
        access::Principal {
            user_id: Some(self.id.clone()),
            roles: self.roles.clone(),
            customer_groups: Vec::new(),
        }
    }

    /// The principal of a verified access token: its user id and roles, without the
    /// reserved `system` role (a token never makes its bearer the engine itself).
    pub fn from_claims(claims: &AccessClaims) -> Principal {
        Principal {
            id: claims.user_id.clone(),
            roles: claims
                .roles
                .iter()
                .filter(|r| r.as_str() != ROLE_SYSTEM)
                .cloned()
                .collect(),
        }
    }
}

impl From<&AccessClaims> for Principal {
    fn from(claims: &AccessClaims) -> Self {
        Principal::from_claims(claims)
    }
}

impl Engine {
    /// Replaces the access policy (default [`Policy::builtin`]): host-defined roles from
    /// configuration ([`Policy::from_json`]).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = Arc::new(policy);
        self
    }

    /// The access policy the flows check.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn decide(&self, actor: &Principal, action: &str, resource: &Resource) -> Result<()> {
        if actor.has_role(ROLE_SYSTEM) {
            return Ok(());
        }
        let who = actor.to_access();
        if self.policy.is_allowed(&who, action, resource) {
            return Ok(());
        }
        self.policy
            .authorize(&who, action, resource)
            .ensure(resource)
            .map_err(|e| e.with_meta("action", format!("{}:{action}", resource.kind)))
    }

    /// Whether the actor may do `action` on some resource of `kind` (its own ones count):
    /// checked before anything is loaded, so a denial (`FORBIDDEN`) says nothing about
    /// which ids exist.
    pub(super) fn authorize_kind(&self, actor: &Principal, kind: &str, action: &str) -> Result<()> {
        let resource = Resource {
            kind: kind.to_owned(),
            id: None,
            owner_id: Some(actor.id.clone()),
        };
        self.decide(actor, action, &resource).map_err(|e| {
            if e.code == crate::ErrorCode::NotFound {
                KassaError::forbidden(format!("not allowed: {kind}:{action}"))
            } else {
                e
            }
        })
    }

    /// Whether the actor may do `action` on every resource of `kind` (back-office lists,
    /// reports, stock): an `:own` grant does not suffice; a denial is `FORBIDDEN`.
    pub(super) fn authorize_all(&self, actor: &Principal, kind: &str, action: &str) -> Result<()> {
        let resource = Resource::kind(kind);
        self.decide(actor, action, &resource).map_err(|e| {
            if e.code == crate::ErrorCode::NotFound {
                KassaError::forbidden(format!("not allowed: {kind}:{action} on every {kind}"))
            } else {
                e
            }
        })
    }

    /// Whether the actor may do `action` on one owned resource: a foreign one is `NOT_FOUND`.
    pub(super) fn authorize_owned(
        &self,
        actor: &Principal,
        kind: &str,
        action: &str,
        id: &str,
        owner_id: &str,
    ) -> Result<()> {
        self.decide(actor, action, &Resource::owned(kind, id, owner_id))
    }
}
