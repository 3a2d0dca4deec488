//! The acting principal every flow takes.

use serde::{Deserialize, Serialize};

/// Role name of administrators.
pub const ROLE_ADMIN: &str = "admin";
/// Role name of customers.
pub const ROLE_CUSTOMER: &str = "customer";
/// Role (and id) of the engine itself and of trusted callbacks (gateway webhooks, sweeps).
pub const ROLE_SYSTEM: &str = "system";

/// Who is acting: an id and role names. Every flow takes one, so access control can be
/// enforced without changing signatures. The engine itself only applies ownership (a
/// customer reaches only its own carts and orders) and requires the `admin` role for admin
/// flows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    /// Principal id (a user id, or `"system"`).
    pub id: String,
    /// Role names.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Principal {
    /// A principal with roles.
    pub fn new(id: impl Into<String>, roles: &[&str]) -> Self {
        Principal {
            id: id.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    /// A customer.
    pub fn customer(id: impl Into<String>) -> Self {
        Principal::new(id, &[ROLE_CUSTOMER])
    }

    /// An administrator.
    pub fn admin(id: impl Into<String>) -> Self {
        Principal::new(id, &[ROLE_ADMIN])
    }

    /// The engine itself (gateway webhooks, reservation sweeps).
    pub fn system() -> Self {
        Principal::new(ROLE_SYSTEM, &[ROLE_SYSTEM])
    }

    /// Whether the principal has a role.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the principal may act on everything (admin or system).
    pub fn is_privileged(&self) -> bool {
        self.has_role(ROLE_ADMIN) || self.has_role(ROLE_SYSTEM)
    }
}
