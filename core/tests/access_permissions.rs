#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! RBAC with wildcards and ownership, explained decisions, the permission cache, and the
//! domain-level IDOR matrix (two customers, every owned resource kind and action).

use chrono::{Duration, TimeZone, Utc};
use kassa::access::{DenyReason, Grant, PermissionCache, Policy, Principal, Resource, RoleDef};
use kassa::ErrorCode;

#[test]
fn builtin_roles_and_default_deny() {
    let p = Policy::builtin();
    assert_eq!(p.role_names(), vec!["admin", "customer", "guest", "staff"]);
    let admin = Principal::user("root", ["admin"]);
    let staff = Principal::user("s1", ["staff"]);
    let guest = Principal::guest("sess-1");
    let nobody = Principal::default();
    let product = Resource::kind("products");
    assert!(
        p.authorize(&admin, "delete", &Resource::kind("anything"))
            .allowed
    );
    assert!(p.authorize(&staff, "update", &product).allowed);
    assert!(
        !p.authorize(&staff, "delete", &Resource::kind("users"))
            .allowed
    );
    assert!(p.authorize(&guest, "read", &product).allowed);
    assert!(!p.authorize(&guest, "update", &product).allowed);
    let d = p.authorize(&nobody, "read", &product);
    assert!(!d.allowed);
    assert_eq!(d.reason, Some(DenyReason::NoMatchingPermission));
    assert_eq!(d.ensure(&product).unwrap_err().code, ErrorCode::Forbidden);
    // unknown roles grant nothing
    let ghost = Principal::user("g", ["superuser"]);
    assert!(!p.authorize(&ghost, "read", &product).allowed);
}

#[test]
fn decisions_explain_themselves() {
    let p = Policy::builtin();
    let alice = Principal::user("alice", ["customer"]);
    let d = p.authorize(&alice, "read", &Resource::owned("orders", "o1", "alice"));
    assert!(d.allowed);
    assert_eq!(d.role.as_deref(), Some("customer"));
    assert_eq!(d.permission.as_deref(), Some("orders:read:own"));
    assert!(
        d.explanation.contains("orders:read:own"),
        "{}",
        d.explanation
    );
    let d = p.authorize(&alice, "update", &Resource::kind("products"));
    assert!(d.explanation.contains("customer") && d.explanation.contains("default deny"));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["reason"], "no_matching_permission");
}

#[test]
fn wildcards_and_grant_syntax() {
    let g = Grant::parse("orders:*", "p").unwrap();
    assert!(g.covers("orders", "cancel") && !g.covers("carts", "read"));
    let g = Grant::parse("*:read", "p").unwrap();
    assert!(g.covers("orders", "read") && !g.covers("orders", "update"));
    let g = Grant::parse("carts:*:own", "p").unwrap();
    assert!(g.own_only);
    assert_eq!(g.to_string(), "carts:*:own");
    for bad in [
        "",
        "orders",
        "orders:",
        ":read",
        "Orders:read",
        "orders:read:mine",
        "a:b:own:x",
        "or ders:read",
    ] {
        assert!(Grant::parse(bad, "p").is_err(), "{bad}");
    }
}

#[test]
fn host_roles_from_json() {
    let p = Policy::from_json(
        r#"{"roles": [
            {"name": "support", "permissions": ["orders:read", "profiles:read", "*:list"]},
            {"name": "auditor", "permissions": ["*:read"]}
        ]}"#,
    )
    .unwrap();
    let sup = Principal::user("s", ["support"]);
    assert!(
        p.authorize(&sup, "read", &Resource::owned("orders", "o", "bob"))
            .allowed
    );
    assert!(
        !p.authorize(&sup, "cancel", &Resource::owned("orders", "o", "bob"))
            .allowed
    );
    let aud = Principal::user("a", ["auditor"]);
    assert!(
        p.authorize(&aud, "read", &Resource::kind("reports"))
            .allowed
    );
    assert!(
        !p.authorize(&aud, "update", &Resource::kind("reports"))
            .allowed
    );
    let e = Policy::from_json(r#"{"roles": [{"name": "x", "permissions": ["bad"]}]}"#).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationError);
    let e =
        Policy::from_json(r#"{"roles": [{"name": "Bad Name", "permissions": []}]}"#).unwrap_err();
    assert_eq!(e.details[0].field, "roles[0].name");
}

const OWNED_KINDS: [&str; 4] = ["orders", "carts", "refunds", "profiles"];
const ACTIONS: [&str; 7] = [
    "read", "update", "cancel", "create", "delete", "add_item", "checkout",
];

/// IDOR matrix: nothing of one customer is visible to or changeable by the other, and the
/// answer is the same NOT_FOUND as for a missing id.
#[test]
fn idor_two_customers_never_reach_each_other() {
    let p = Policy::builtin();
    let alice = Principal::user("alice", ["customer"]);
    let bob = Principal::user("bob", ["customer"]);
    for kind in OWNED_KINDS {
        for action in ACTIONS {
            for (me, other) in [(&alice, "bob"), (&bob, "alice")] {
                let theirs = Resource::owned(kind, "x1", other);
                let d = p.authorize(me, action, &theirs);
                assert!(!d.allowed, "{kind}:{action} leaked to {:?}", me.user_id);
                let e = d.ensure(&theirs).unwrap_err();
                if d.reason == Some(DenyReason::NotOwner) {
                    assert_eq!(e.code, ErrorCode::NotFound);
                    let missing = kassa::KassaError::not_found(kind.trim_end_matches('s'), "x1");
                    assert_eq!(e.message, missing.message, "indistinguishable from missing");
                } else {
                    assert_eq!(e.code, ErrorCode::Forbidden);
                }
                // an unowned reference (owner unknown) is never granted through :own
                let unknown = Resource {
                    kind: kind.into(),
                    id: Some("x2".into()),
                    owner_id: None,
                };
                assert!(!p.authorize(me, action, &unknown).allowed);
            }
        }
    }
    // while each reaches its own
    for kind in OWNED_KINDS {
        let mine = Resource::owned(kind, "x1", "alice");
        assert!(p.authorize(&alice, "read", &mine).allowed, "{kind}");
    }
    // guests own their guest cart only
    let g1 = Principal::guest("sess-1");
    assert!(
        p.authorize(&g1, "add_item", &Resource::owned("carts", "c", "sess-1"))
            .allowed
    );
    assert!(
        !p.authorize(&g1, "add_item", &Resource::owned("carts", "c", "sess-2"))
            .allowed
    );
    assert!(
        !p.authorize(&g1, "read", &Resource::owned("orders", "o", "sess-1"))
            .allowed
    );
}

#[test]
fn cache_ttl_and_invalidation() {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut policy = Policy::builtin();
    let cache = PermissionCache::default();
    let alice = Principal::user("alice", ["customer"]);
    let r1 = cache.resolve(&policy, &alice, t0);
    let r2 = cache.resolve(&policy, &alice, t0 + Duration::minutes(9));
    assert!(std::sync::Arc::ptr_eq(&r1, &r2), "served from cache");
    let r3 = cache.resolve(&policy, &alice, t0 + Duration::minutes(10));
    assert!(
        !std::sync::Arc::ptr_eq(&r1, &r3),
        "expired after the 10-minute TTL"
    );
    // the user's roles change: the stale entry is not used
    let promoted = Principal::user("alice", ["customer", "staff"]);
    let r4 = cache.resolve(&policy, &promoted, t0 + Duration::minutes(11));
    assert!(r4.is_allowed(&promoted, "update", &Resource::kind("products")));
    // a role's grants change: the policy version moves and entries refresh
    policy
        .upsert_role(RoleDef::new("customer", &["products:read"]).unwrap())
        .unwrap();
    let r5 = cache.resolve(&policy, &alice, t0 + Duration::minutes(12));
    assert!(!r5.is_allowed(&alice, "read", &Resource::owned("orders", "o", "alice")));
    // explicit invalidation and purge
    cache.invalidate_user("alice");
    assert_eq!(cache.len(), 0);
    cache.resolve(&policy, &alice, t0);
    assert_eq!(cache.purge_expired(t0 + Duration::hours(1)), 1);
    assert!(cache.is_empty());
    // resolved sets decide exactly like the policy
    let r = cache.resolve(&policy, &promoted, t0);
    let d = r.authorize(&promoted, "update", &Resource::kind("products"));
    assert_eq!(
        d,
        policy.authorize(&promoted, "update", &Resource::kind("products"))
    );
    assert!(!r.grants().is_empty());
}
