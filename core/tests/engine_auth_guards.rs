#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Guards of the identity flows: the auth-class rate limit on register, verify, refresh and
//! reset; one-time tokens spent only together with the user update; the principal of an
//! access token.

mod engine_common;

use chrono::{DateTime, Utc};
use engine_common::{run, world, World};
use kassa::engine::{
    AccountEvent, Auth, AuthConfig, Engine, LoginRequest, Principal, EVENT_EMAIL_VERIFICATION,
    EVENT_PASSWORD_RESET, ROLE_SYSTEM,
};
use kassa::identity::{
    AccessClaims, Argon2Params, JwtKey, KeyRing, Registration, TokenConfig, TokenIssuer,
};
use kassa::memory::MemoryUsers;
use kassa::ports::{PortHealth, TokenRecord, UserRecord, UserStore};
use kassa::{ErrorCode, KassaError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-kassa-test";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "Tr0ub4dor&3-horse";
const ADDR: &str = "203.0.113.50";

/// A user store whose `update_user` fails while `fail` is set.
struct FlakyUsers {
    inner: Arc<MemoryUsers>,
    fail: AtomicBool,
}

#[async_trait::async_trait]
impl UserStore for FlakyUsers {
    async fn insert_user(&self, u: UserRecord) -> kassa::Result<UserRecord> {
        self.inner.insert_user(u).await
    }
    async fn get_user(&self, id: &str) -> kassa::Result<Option<UserRecord>> {
        self.inner.get_user(id).await
    }
    async fn find_by_email(&self, e: &str) -> kassa::Result<Option<UserRecord>> {
        self.inner.find_by_email(e).await
    }
    async fn update_user(&self, u: UserRecord) -> kassa::Result<UserRecord> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(KassaError::unavailable("user database down", 1));
        }
        self.inner.update_user(u).await
    }
    async fn store_token(&self, t: TokenRecord) -> kassa::Result<()> {
        self.inner.store_token(t).await
    }
    async fn consume_token(
        &self,
        h: &str,
        p: &str,
        now: DateTime<Utc>,
    ) -> kassa::Result<Option<TokenRecord>> {
        self.inner.consume_token(h, p, now).await
    }
    async fn get_token(&self, h: &str) -> kassa::Result<Option<TokenRecord>> {
        self.inner.get_token(h).await
    }
    async fn revoke_tokens(
        &self,
        u: &str,
        f: Option<&str>,
        now: DateTime<Utc>,
    ) -> kassa::Result<u64> {
        self.inner.revoke_tokens(u, f, now).await
    }
    async fn health(&self) -> PortHealth {
        self.inner.health().await
    }
}

fn auth_world() -> (World, Arc<FlakyUsers>) {
    let mut w = world(10, None);
    let users = Arc::new(FlakyUsers {
        inner: w.mem.users.clone(),
        fail: AtomicBool::new(false),
    });
    let issuer = TokenIssuer::new(
        TokenConfig::new("kassa", "storefront"),
        KeyRing::new(JwtKey::hs256("k1", SECRET).unwrap()).unwrap(),
    )
    .unwrap();
    let config = AuthConfig {
        argon2: Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        ..AuthConfig::default()
    };
    let auth = Auth::new(w.mem.auth_ports(), issuer, config).unwrap();
    let mut ports = w.mem.ports();
    ports.users = users.clone();
    w.engine = Engine::new(ports, Default::default())
        .unwrap()
        .with_auth(auth);
    (w, users)
}

fn reg(email: &str) -> Registration {
    Registration {
        email: email.into(),
        password: PASSWORD.into(),
    }
}

fn last_token(w: &World, event_type: &str) -> String {
    let e: AccountEvent = w
        .mem
        .events
        .events()
        .into_iter()
        .rev()
        .find(|e| e.event_type == event_type)
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .unwrap();
    e.token
}

#[test]
fn register_verify_refresh_and_reset_are_rate_limited_per_client() {
    let (w, _) = auth_world();
    // auth class: burst 10, then one every 12 s; the clock does not move
    for i in 0..10 {
        run(w.engine.register(&reg(&format!("u{i}@example.com")), ADDR)).unwrap();
    }
    let err = run(w.engine.register(&reg("u10@example.com"), ADDR)).unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    assert!(err.meta.contains_key("retryAfterSeconds"));
    assert!(
        run(w.mem.users.find_by_email("u10@example.com"))
            .unwrap()
            .is_none(),
        "nothing stored"
    );
    // another address has its own budget
    run(w.engine.register(&reg("u10@example.com"), "203.0.113.51")).unwrap();

    // guessing verification tokens is limited too, before any token is looked at
    let token = last_token(&w, EVENT_EMAIL_VERIFICATION);
    for _ in 0..10 {
        let bad = format!("{}.{}", "A".repeat(22), "A".repeat(43));
        assert_eq!(
            run(w.engine.verify_email(&bad, "198.51.100.1"))
                .unwrap_err()
                .code,
            ErrorCode::Unauthenticated
        );
    }
    assert_eq!(
        run(w.engine.verify_email(&token, "198.51.100.1"))
            .unwrap_err()
            .code,
        ErrorCode::RateLimited
    );
    run(w.engine.verify_email(&token, "198.51.100.2")).unwrap();

    let session = run(w.engine.login(&LoginRequest {
        email: "u10@example.com".into(),
        password: PASSWORD.into(),
        client_address: "198.51.100.3".into(),
    }))
    .unwrap();
    let mut refresh = session.tokens.refresh_token;
    for _ in 0..9 {
        refresh = run(w.engine.refresh(&refresh, "198.51.100.3"))
            .unwrap()
            .tokens
            .refresh_token;
    }
    assert_eq!(
        run(w.engine.refresh(&refresh, "198.51.100.3"))
            .unwrap_err()
            .code,
        ErrorCode::RateLimited
    );
    // the refused attempt did not use the token up
    run(w.engine.refresh(&refresh, "198.51.100.4")).unwrap();

    run(w.engine.forgot_password("u10@example.com", "198.51.100.5")).unwrap();
    let reset = last_token(&w, EVENT_PASSWORD_RESET);
    for _ in 0..10 {
        let _ = run(w
            .engine
            .reset_password("x.y", "a-brand-new-Passphrase", "198.51.100.6"));
    }
    assert_eq!(
        run(w
            .engine
            .reset_password(&reset, "a-brand-new-Passphrase", "198.51.100.6"))
        .unwrap_err()
        .code,
        ErrorCode::RateLimited
    );
    run(w
        .engine
        .reset_password(&reset, "a-brand-new-Passphrase", "198.51.100.7"))
    .unwrap();
}

#[test]
fn a_failed_user_update_does_not_spend_the_verification_token() {
    let (w, users) = auth_world();
    run(w.engine.register(&reg(EMAIL), ADDR)).unwrap();
    let token = last_token(&w, EVENT_EMAIL_VERIFICATION);
    users.fail.store(true, Ordering::SeqCst);
    let err = run(w.engine.verify_email(&token, ADDR)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(w.mem.tokens.one_time_records()[0].used_at.is_none());
    users.fail.store(false, Ordering::SeqCst);
    let account = run(w.engine.verify_email(&token, ADDR)).unwrap();
    assert!(account.email_verified);
    // and now it is spent
    assert_eq!(
        run(w.engine.verify_email(&token, ADDR)).unwrap_err().code,
        ErrorCode::Unauthenticated
    );
}

#[test]
fn a_failed_user_update_does_not_spend_the_reset_token() {
    let (w, users) = auth_world();
    run(w.engine.register(&reg(EMAIL), ADDR)).unwrap();
    run(w.engine.forgot_password(EMAIL, ADDR)).unwrap();
    let token = last_token(&w, EVENT_PASSWORD_RESET);
    let hash_before = w.mem.users.users()[0].password_hash.clone();
    users.fail.store(true, Ordering::SeqCst);
    let err = run(w
        .engine
        .reset_password(&token, "a-brand-new-Passphrase", ADDR))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert_eq!(w.mem.users.users()[0].password_hash, hash_before);
    users.fail.store(false, Ordering::SeqCst);
    run(w
        .engine
        .reset_password(&token, "a-brand-new-Passphrase", ADDR))
    .unwrap();
    assert_ne!(w.mem.users.users()[0].password_hash, hash_before);
    assert_eq!(
        run(w
            .engine
            .reset_password(&token, "yet-another-Passphrase", ADDR))
        .unwrap_err()
        .code,
        ErrorCode::Unauthenticated
    );
}

#[test]
fn access_claims_become_a_principal_without_the_system_role() {
    let claims = AccessClaims {
        user_id: "u-1".into(),
        roles: vec!["customer".into(), ROLE_SYSTEM.into()],
        customer_groups: vec!["vip".into()],
        jti: "j".into(),
        family_id: "f".into(),
        expires_at: engine_common::t0(),
    };
    let p = Principal::from(&claims);
    assert_eq!(p.id, "u-1");
    assert_eq!(p.roles, vec!["customer".to_string()]);
    assert!(!p.is_privileged());
    let a = p.to_access();
    assert_eq!(a.user_id.as_deref(), Some("u-1"));
}
