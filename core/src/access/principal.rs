//! Who asks, and about what.

use serde::{Deserialize, Serialize};

/// The caller: a user (or a guest session) with roles and customer groups.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Principal {
    /// The user id; for a guest, the guest session id (which owns the guest cart); `None`
    /// for a caller with no identity at all.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Role names (`admin`, `staff`, `customer`, `guest`, or host-defined).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Customer groups (used by pricing; carried here so one principal travels the flows).
    #[serde(default)]
    pub customer_groups: Vec<String>,
}

impl Principal {
    /// A user with roles.
    pub fn user<I, S>(user_id: &str, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Principal {
            user_id: Some(user_id.to_owned()),
            roles: roles.into_iter().map(Into::into).collect(),
            customer_groups: Vec::new(),
        }
    }

    /// An anonymous guest identified by its guest session id.
    pub fn guest(session_id: &str) -> Self {
        Principal::user(session_id, ["guest"])
    }

    /// Adds customer groups.
    pub fn with_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.customer_groups = groups.into_iter().map(Into::into).collect();
        self
    }
}

/// What is accessed: a kind (`orders`, `carts`, `refunds`, `profiles`, `products`, ...), an
/// optional id and the owner's user id when the resource has one.
///
/// For a collection action (listing one's orders), the engine passes the owner it scopes the
/// query to, so `:own` grants apply to it like to a single resource.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resource {
    /// Resource kind, e.g. `"orders"`.
    pub kind: String,
    /// The resource id, when one is addressed.
    #[serde(default)]
    pub id: Option<String>,
    /// The owning user id, when the resource is owned.
    #[serde(default)]
    pub owner_id: Option<String>,
}

impl Resource {
    /// A resource kind with no particular instance (e.g. `products` for browsing).
    pub fn kind(kind: &str) -> Self {
        Resource {
            kind: kind.to_owned(),
            id: None,
            owner_id: None,
        }
    }

    /// An owned instance.
    pub fn owned(kind: &str, id: &str, owner_id: &str) -> Self {
        Resource {
            kind: kind.to_owned(),
            id: Some(id.to_owned()),
            owner_id: Some(owner_id.to_owned()),
        }
    }
}
