//! Roles, the policy that holds them, and the authorization algorithm.

use super::decision::{Decision, DenyReason};
use super::grant::Grant;
use super::principal::{Principal, Resource};
use crate::error::{KassaError, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// A role as configured: a name and its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleDef {
    /// Role name (`[a-z0-9_-]{1,64}`).
    pub name: String,
    /// Grants: `resource:action` or `resource:action:own`, with `*` wildcards.
    pub permissions: Vec<Grant>,
}

impl RoleDef {
    /// A role from grant strings (validated).
    pub fn new(name: &str, permissions: &[&str]) -> Result<RoleDef> {
        let permissions = permissions
            .iter()
            .enumerate()
            .map(|(i, p)| Grant::parse(p, &format!("permissions[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let role = RoleDef {
            name: name.to_owned(),
            permissions,
        };
        role.validate("role")?;
        Ok(role)
    }

    fn validate(&self, field: &str) -> Result<()> {
        let ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(())
        } else {
            Err(KassaError::validation(
                format!("{field}.name"),
                "must match [a-z0-9_-]{1,64}",
            ))
        }
    }
}

/// The built-in roles: `admin` (everything), `staff` (back office), `customer` (the
/// storefront, own cart/orders/refunds/profile only) and `guest` (browse, own guest cart,
/// sign up and in).
pub fn builtin_roles() -> Vec<RoleDef> {
    const TABLE: [(&str, &[&str]); 4] = [
        ("admin", &["*:*"]),
        (
            "staff",
            &[
                "products:*",
                "categories:*",
                "inventory:*",
                "orders:read",
                "orders:update",
                "orders:cancel",
                "refunds:*",
                "shipments:*",
                "purchase_orders:*",
                "suppliers:*",
                "customers:read",
                "profiles:read",
                "profiles:update:own",
                "reports:read",
                "auth:*",
            ],
        ),
        (
            "customer",
            &[
                "products:read",
                "categories:read",
                "carts:*:own",
                "orders:create:own",
                "orders:read:own",
                "orders:cancel:own",
                "refunds:create:own",
                "refunds:read:own",
                "profiles:read:own",
                "profiles:update:own",
                "auth:*",
            ],
        ),
        (
            "guest",
            &["products:read", "categories:read", "carts:*:own", "auth:*"],
        ),
    ];
    TABLE
        .iter()
        .filter_map(|(name, perms)| RoleDef::new(name, perms).ok())
        .collect()
}

#[derive(Debug)]
struct CompiledRole {
    name: Arc<str>,
    grants: Vec<(Grant, Box<str>)>,
}

impl CompiledRole {
    fn compile(def: &RoleDef) -> CompiledRole {
        CompiledRole {
            name: def.name.as_str().into(),
            grants: def
                .permissions
                .iter()
                .map(|g| (g.clone(), g.to_string().into_boxed_str()))
                .collect(),
        }
    }
}

/// The host's access policy: named roles. Default deny.
#[derive(Debug)]
pub struct Policy {
    roles: HashMap<String, Arc<CompiledRole>>,
    version: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::builtin()
    }
}

#[derive(Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PolicyConfig {
    roles: Vec<RoleDef>,
}

/// A verdict without allocation: which role and grant allowed, or why not.
enum Verdict<'a> {
    Allowed(&'a str, &'a str),
    Denied(DenyReason),
}

fn decide<'a>(
    roles: impl Iterator<Item = &'a CompiledRole>,
    principal: &Principal,
    action: &str,
    resource: &Resource,
) -> Verdict<'a> {
    let mut not_owner = false;
    let mut own_allow: Option<(&'a str, &'a str)> = None;
    for role in roles {
        for (grant, text) in &role.grants {
            if !grant.covers(&resource.kind, action) {
                continue;
            }
            if !grant.own_only {
                return Verdict::Allowed(&role.name, text);
            }
            let owns = match (&principal.user_id, &resource.owner_id) {
                (Some(me), Some(owner)) => me == owner,
                _ => false,
            };
            if owns {
                own_allow = own_allow.or(Some((&role.name, text)));
            } else {
                not_owner = true;
            }
        }
    }
    match own_allow {
        Some((role, grant)) => Verdict::Allowed(role, grant),
        None if not_owner => Verdict::Denied(DenyReason::NotOwner),
        None => Verdict::Denied(DenyReason::NoMatchingPermission),
    }
}

fn explain(
    verdict: Verdict<'_>,
    principal: &Principal,
    action: &str,
    resource: &Resource,
) -> Decision {
    match verdict {
        Verdict::Allowed(role, grant) => Decision::allow(role, grant, action, &resource.kind),
        Verdict::Denied(DenyReason::NotOwner) => Decision::deny(
            DenyReason::NotOwner,
            format!(
                "{}:{action} is granted only on own resources and this one belongs to someone else",
                resource.kind
            ),
        ),
        Verdict::Denied(reason) => Decision::deny(
            reason,
            format!(
                "no role among [{}] grants {}:{action} (default deny)",
                principal.roles.join(", "),
                resource.kind
            ),
        ),
    }
}

impl Policy {
    /// The built-in roles only.
    pub fn builtin() -> Policy {
        Policy::with_roles(builtin_roles())
    }

    /// Built-in roles plus `roles` (a host role with a built-in name replaces it).
    pub fn with_roles(roles: Vec<RoleDef>) -> Policy {
        let mut policy = Policy {
            roles: HashMap::new(),
            version: 0,
        };
        for role in builtin_roles().into_iter().chain(roles) {
            policy
                .roles
                .insert(role.name.clone(), Arc::new(CompiledRole::compile(&role)));
        }
        policy
    }

    /// Built-in roles plus the host roles of a JSON document
    /// `{"roles": [{"name": "support", "permissions": ["orders:read", "profiles:read"]}]}`.
    pub fn from_json(json: &str) -> Result<Policy> {
        let config: PolicyConfig = serde_json::from_str(json)
            .map_err(|e| KassaError::validation("roles", e.to_string()))?;
        for (i, role) in config.roles.iter().enumerate() {
            role.validate(&format!("roles[{i}]"))?;
        }
        Ok(Policy::with_roles(config.roles))
    }

    /// Adds or replaces a role; bumps the version so cached resolutions are dropped.
    pub fn upsert_role(&mut self, role: RoleDef) -> Result<()> {
        role.validate("role")?;
        self.roles
            .insert(role.name.clone(), Arc::new(CompiledRole::compile(&role)));
        self.version = self.version.wrapping_add(1);
        Ok(())
    }

    /// Removes a role; bumps the version.
    pub fn remove_role(&mut self, name: &str) -> bool {
        let removed = self.roles.remove(name).is_some();
        self.version = self.version.wrapping_add(1);
        removed
    }

    /// The policy version: changes whenever a role changes.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The role names, sorted.
    pub fn role_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.roles.keys().map(String::as_str).collect();
        crate::sorting::sort_unstable(&mut names);
        names
    }

    fn roles_of<'a>(&'a self, principal: &'a Principal) -> impl Iterator<Item = &'a CompiledRole> {
        principal
            .roles
            .iter()
            .filter_map(|r| self.roles.get(r).map(|c| &**c))
    }

    /// Decides whether `principal` may do `action` on `resource`, explaining why.
    pub fn authorize(&self, principal: &Principal, action: &str, resource: &Resource) -> Decision {
        let verdict = decide(self.roles_of(principal), principal, action, resource);
        explain(verdict, principal, action, resource)
    }

    /// The allow/deny answer alone, without building the explanation (the hot path).
    pub fn is_allowed(&self, principal: &Principal, action: &str, resource: &Resource) -> bool {
        matches!(
            decide(self.roles_of(principal), principal, action, resource),
            Verdict::Allowed(..)
        )
    }

    /// Resolves the principal's roles into one flat permission set.
    pub fn resolve(&self, principal: &Principal) -> ResolvedPermissions {
        ResolvedPermissions {
            roles: self
                .roles_of(principal)
                .map(|r| {
                    Arc::new(CompiledRole {
                        name: r.name.clone(),
                        grants: r.grants.clone(),
                    })
                })
                .collect(),
            role_names: principal.roles.clone(),
            policy_version: self.version,
        }
    }
}

/// A principal's roles resolved against a policy at one version: what the cache holds.
#[derive(Debug, Clone)]
pub struct ResolvedPermissions {
    roles: Vec<Arc<CompiledRole>>,
    pub(super) role_names: Vec<String>,
    pub(super) policy_version: u64,
}

impl ResolvedPermissions {
    /// Decides like [`Policy::authorize`] over the resolved roles.
    pub fn authorize(&self, principal: &Principal, action: &str, resource: &Resource) -> Decision {
        let verdict = decide(self.roles.iter().map(|r| &**r), principal, action, resource);
        explain(verdict, principal, action, resource)
    }

    /// The allow/deny answer alone.
    pub fn is_allowed(&self, principal: &Principal, action: &str, resource: &Resource) -> bool {
        matches!(
            decide(self.roles.iter().map(|r| &**r), principal, action, resource),
            Verdict::Allowed(..)
        )
    }

    /// Every grant, as `role: grant` strings (for display and audits).
    pub fn grants(&self) -> Vec<String> {
        self.roles
            .iter()
            .flat_map(|r| {
                r.grants
                    .iter()
                    .map(move |(_, g)| format!("{}: {g}", r.name))
            })
            .collect()
    }
}

/// Vector operations (the serde form every host runs).
pub mod ops {
    use super::*;

    /// Input of `access.authorize`.
    #[derive(Debug, Deserialize, kassa_derive::Decode)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct AuthorizeRequest {
        /// Host roles added to the built-ins.
        #[serde(default)]
        pub roles: Vec<RoleDef>,
        /// The caller.
        pub principal: Principal,
        /// The action, e.g. `"read"`.
        pub action: String,
        /// The resource.
        pub resource: Resource,
    }

    /// Output of `access.authorize`: the decision and the error a flow would return.
    #[derive(Debug, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct AuthorizeResponse {
        /// The explained decision.
        pub decision: Decision,
        /// `null` when allowed, else the error code a flow answers with.
        pub error_code: Option<crate::error::ErrorCode>,
    }

    /// `access.authorize`.
    pub fn authorize(req: AuthorizeRequest) -> Result<AuthorizeResponse> {
        for (i, role) in req.roles.iter().enumerate() {
            role.validate(&format!("roles[{i}]"))?;
        }
        let policy = Policy::with_roles(req.roles);
        let decision = policy.authorize(&req.principal, &req.action, &req.resource);
        let error_code = decision.ensure(&req.resource).err().map(|e| e.code);
        Ok(AuthorizeResponse {
            decision,
            error_code,
        })
    }
}
