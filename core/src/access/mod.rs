//! Access: principals, roles with `resource:action` permissions, ownership, explained
//! decisions, and a TTL cache of resolved permissions.
//!
//! A permission grant is written `resource:action` or `resource:action:own`, with `*` as a
//! wildcard for the resource or the action (`orders:*`, `*:read`, `*:*`). A `:own` grant
//! applies only to a resource whose owner is the principal itself. Built-in roles are
//! `admin`, `staff`, `customer` and `guest` ([`builtin_roles`]); a host adds or overrides
//! roles from JSON ([`Policy::from_json`]). Everything not granted is denied.
//!
//! **Foreign resources answer `NOT_FOUND`.** When a principal has the right kind of access
//! only to its *own* resources and asks for someone else's (another customer's order, cart,
//! refund or profile), [`Decision::ensure`] answers `NOT_FOUND` exactly as for an id that does
//! not exist, so ids of other customers cannot be probed. A principal that has no grant for
//! the action at all gets `FORBIDDEN` (it learns only what its role may do, not what exists).
//!
//! ```
//! use kassa::access::{Policy, Principal, Resource};
//!
//! let policy = Policy::builtin();
//! let alice = Principal::user("alice", ["customer"]);
//! let own = Resource::owned("orders", "o-1", "alice");
//! let foreign = Resource::owned("orders", "o-2", "bob");
//! assert!(policy.authorize(&alice, "read", &own).allowed);
//! let d = policy.authorize(&alice, "read", &foreign);
//! assert!(!d.allowed);
//! assert_eq!(d.ensure(&foreign).unwrap_err().code, kassa::ErrorCode::NotFound);
//! ```

mod cache;
mod decision;
mod grant;
mod policy;
mod principal;

pub use cache::{PermissionCache, DEFAULT_CACHE_TTL_SECONDS};
pub use decision::{Decision, DenyReason};
pub use grant::{Grant, Pattern};
pub use policy::{builtin_roles, ops, Policy, ResolvedPermissions, RoleDef};
pub use principal::{Principal, Resource};
