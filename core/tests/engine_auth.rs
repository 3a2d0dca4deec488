#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The engine's identity flows: register, verify email, log in, refresh, log out, forgot and
//! reset password, over the in-memory ports.

mod engine_common;

use chrono::Duration;
use engine_common::{run, world, World};
use kassa::engine::{
    AccountEvent, Auth, AuthConfig, AuthSession, LoginRequest, EVENT_EMAIL_VERIFICATION,
    EVENT_PASSWORD_RESET,
};
use kassa::identity::{
    Argon2Params, FamilyStatus, JwtKey, KeyRing, PurgedTokens, Registration, RevokeReason,
    TokenConfig, TokenIssuer, TokenPurpose,
};
use kassa::ports::Clock;
use kassa::ErrorCode;
use serde_json::json;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-kassa-test";
const EMAIL: &str = "Ada@Example.com";
const PASSWORD: &str = "Tr0ub4dor&3-horse";

fn auth_world() -> World {
    let mut w = world(10, None);
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
    let engine = std::mem::replace(
        &mut w.engine,
        kassa::engine::Engine::new(w.mem.ports(), Default::default()).unwrap(),
    );
    w.engine = engine.with_auth(auth);
    w
}

fn registration(email: &str, password: &str) -> Registration {
    Registration {
        email: email.into(),
        password: password.into(),
    }
}

fn login_req(email: &str, password: &str) -> LoginRequest {
    LoginRequest {
        email: email.into(),
        password: password.into(),
        client_address: "203.0.113.7".into(),
    }
}

/// The account events of one type, newest last.
fn account_events(w: &World, event_type: &str) -> Vec<AccountEvent> {
    w.mem
        .events
        .events()
        .into_iter()
        .filter(|e| e.event_type == event_type)
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect()
}

fn last_token(w: &World, event_type: &str) -> String {
    account_events(w, event_type).last().unwrap().token.clone()
}

/// Users, refresh families, one-time records and the outbox.
fn snapshot(w: &World) -> serde_json::Value {
    let mut one_time = w.mem.tokens.one_time_records();
    one_time.sort_by(|a, b| a.selector.cmp(&b.selector));
    json!({
        "users": w.mem.users.users(),
        "families": w.mem.tokens.families(),
        "oneTime": one_time,
        "events": w.mem.events.events(),
    })
}

fn register_and_login(w: &World) -> AuthSession {
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap()
}

#[test]
fn register_stores_a_hashed_unverified_user_and_emits_the_verification_event() {
    let w = auth_world();
    let account = run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    assert_eq!(account.email, "ada@example.com");
    assert!(!account.email_verified);
    assert_eq!(account.roles, vec!["customer".to_owned()]);

    let users = w.mem.users.users();
    assert_eq!(users.len(), 1);
    let hash = users[0].password_hash.clone().unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{hash}");
    assert!(!hash.contains(PASSWORD));

    let events = account_events(&w, EVENT_EMAIL_VERIFICATION);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.user_id, account.user_id);
    assert_eq!(e.email, "ada@example.com");
    assert_eq!(e.purpose, TokenPurpose::EmailVerification);
    assert_eq!(e.expires_at, engine_common::t0() + Duration::hours(24));
    // the store keeps only the hash of the secret
    let records = w.mem.tokens.one_time_records();
    assert_eq!(records.len(), 1);
    let secret = e.token.split('.').nth(1).unwrap();
    assert!(!serde_json::to_string(&records).unwrap().contains(secret));
}

#[test]
fn duplicate_registration_is_a_conflict_and_changes_nothing() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let before = snapshot(&w);
    let err = run(w.engine.register(
        &registration("  ADA@example.COM ", "another-Long-pass-9"),
        "198.51.100.20",
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(snapshot(&w), before);
}

#[test]
fn weak_or_common_passwords_are_refused_naming_password() {
    let w = auth_world();
    let before = snapshot(&w);
    for bad in ["short", "password123", "12345678"] {
        let err = run(w
            .engine
            .register(&registration(EMAIL, bad), "198.51.100.20"))
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationError, "{bad}");
        assert!(
            err.details.iter().any(|d| d.field == "password"),
            "{bad}: {err:?}"
        );
    }
    let err = run(w
        .engine
        .register(&registration("not-an-email", PASSWORD), "198.51.100.20"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationError);
    assert!(err.details.iter().any(|d| d.field == "email"));
    assert_eq!(snapshot(&w), before);
}

#[test]
fn verify_email_is_single_use() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let token = last_token(&w, EVENT_EMAIL_VERIFICATION);
    let account = run(w.engine.verify_email(&token, "198.51.100.21")).unwrap();
    assert!(account.email_verified);
    assert!(w.mem.users.users()[0].email_verified);

    let before = snapshot(&w);
    let err = run(w.engine.verify_email(&token, "198.51.100.21")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(snapshot(&w), before);
}

#[test]
fn verify_email_token_expires_after_24_hours() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let token = last_token(&w, EVENT_EMAIL_VERIFICATION);
    w.mem.clock.advance(Duration::hours(24));
    let before = snapshot(&w);
    let err = run(w.engine.verify_email(&token, "198.51.100.21")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(snapshot(&w), before);
    assert!(!w.mem.users.users()[0].email_verified);
}

#[test]
fn verify_email_rejects_garbage_and_tampered_tokens() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let token = last_token(&w, EVENT_EMAIL_VERIFICATION);
    let (selector, _) = token.split_once('.').unwrap();
    let forged = format!("{selector}.{}", "A".repeat(43));
    let before = snapshot(&w);
    for bad in ["", "nodot", "a.b", forged.as_str()] {
        let err = run(w.engine.verify_email(bad, "198.51.100.21")).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unauthenticated, "{bad}");
    }
    assert_eq!(snapshot(&w), before);
    // the real token still works afterwards
    run(w.engine.verify_email(&token, "198.51.100.21")).unwrap();
}

#[test]
fn login_issues_a_session_and_authenticates() {
    let w = auth_world();
    let session = register_and_login(&w);
    assert!(!session.email_verified);
    let claims = run(w.engine.authenticate(&session.tokens.access_token)).unwrap();
    assert_eq!(claims.user_id, session.user_id);
    assert_eq!(claims.roles, vec!["customer".to_owned()]);
    assert_eq!(claims.family_id, session.tokens.family_id);
    let families = w.mem.tokens.families();
    assert_eq!(families.len(), 1);
    assert_eq!(families[0].current_jti, session.tokens.refresh_jti);
    // email case and surrounding spaces do not matter
    run(w.engine.login(&login_req(" ADA@EXAMPLE.COM ", PASSWORD))).unwrap();
}

#[test]
fn wrong_password_and_unknown_email_give_the_identical_error() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let before = snapshot(&w);
    let wrong = run(w.engine.login(&login_req(EMAIL, "not-the-password"))).unwrap_err();
    let unknown = run(w.engine.login(&login_req("bob@example.com", PASSWORD))).unwrap_err();
    let malformed = run(w.engine.login(&login_req("bob", PASSWORD))).unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Unauthenticated);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
    assert_eq!(
        serde_json::to_string(&wrong.to_envelope()).unwrap(),
        serde_json::to_string(&unknown.to_envelope()).unwrap()
    );
    assert_eq!(snapshot(&w), before);
}

#[test]
fn the_eleventh_rapid_login_from_one_address_is_rate_limited() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    for i in 0..10 {
        let err = run(w.engine.login(&login_req(EMAIL, "wrong-password-x"))).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unauthenticated, "attempt {}", i + 1);
    }
    let before = snapshot(&w);
    // even the right password is refused now
    let err = run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    let retry = err.meta.get("retryAfterSeconds").unwrap().as_u64().unwrap();
    assert!((1..=12).contains(&retry), "{retry}");
    assert_eq!(snapshot(&w), before);
    // another address is not affected
    let mut other = login_req(EMAIL, PASSWORD);
    other.client_address = "198.51.100.1".into();
    run(w.engine.login(&other)).unwrap();
    // after the promised wait one attempt is admitted again
    w.mem.clock.advance(Duration::seconds(retry as i64));
    run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap();
}

#[test]
fn refresh_rotates_and_reuse_revokes_the_family() {
    let w = auth_world();
    let first = register_and_login(&w);
    w.mem.clock.advance(Duration::minutes(1));
    let second = run(w
        .engine
        .refresh(&first.tokens.refresh_token, "198.51.100.22"))
    .unwrap();
    assert_eq!(second.tokens.family_id, first.tokens.family_id);
    assert_ne!(second.tokens.refresh_token, first.tokens.refresh_token);
    assert_ne!(second.tokens.refresh_jti, first.tokens.refresh_jti);
    run(w.engine.authenticate(&second.tokens.access_token)).unwrap();

    // presenting the used token again: refused, and the family is revoked
    let err = run(w
        .engine
        .refresh(&first.tokens.refresh_token, "198.51.100.22"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    let families = w.mem.tokens.families();
    assert_eq!(
        families[0].status,
        FamilyStatus::Revoked(RevokeReason::Reuse)
    );
    // so the newest token of the family fails too, and its access token is not honoured
    let err = run(w
        .engine
        .refresh(&second.tokens.refresh_token, "198.51.100.22"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    let err = run(w.engine.authenticate(&second.tokens.access_token)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
}

#[test]
fn refresh_rejects_access_tokens_and_garbage_without_changes() {
    let w = auth_world();
    let s = register_and_login(&w);
    let before = snapshot(&w);
    for bad in [s.tokens.access_token.as_str(), "", "x.y.z"] {
        let err = run(w.engine.refresh(bad, "198.51.100.22")).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unauthenticated);
    }
    assert_eq!(snapshot(&w), before);
    run(w.engine.refresh(&s.tokens.refresh_token, "198.51.100.22")).unwrap();
}

#[test]
fn logout_revokes_the_session() {
    let w = auth_world();
    let s = register_and_login(&w);
    let other = run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap();
    run(w.engine.logout(&s.tokens.refresh_token)).unwrap();
    let err = run(w.engine.refresh(&s.tokens.refresh_token, "198.51.100.22")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    let err = run(w.engine.authenticate(&s.tokens.access_token)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    // the other session (device) is untouched
    run(w.engine.authenticate(&other.tokens.access_token)).unwrap();
    run(w
        .engine
        .refresh(&other.tokens.refresh_token, "198.51.100.22"))
    .unwrap();
    // logging out twice is fine
    run(w.engine.logout(&s.tokens.refresh_token)).unwrap();
}

#[test]
fn logout_everywhere_revokes_every_session() {
    let w = auth_world();
    let a = register_and_login(&w);
    let b = run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap();
    assert_eq!(
        run(w.engine.logout_everywhere(&a.tokens.access_token)).unwrap(),
        2
    );
    assert!(run(w.engine.refresh(&b.tokens.refresh_token, "198.51.100.22")).is_err());
}

#[test]
fn forgot_and_reset_password_then_old_sessions_and_password_are_gone() {
    let w = auth_world();
    let s = register_and_login(&w);
    run(w.engine.forgot_password(EMAIL, "203.0.113.9")).unwrap();
    let events = account_events(&w, EVENT_PASSWORD_RESET);
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].expires_at,
        engine_common::t0() + Duration::hours(1)
    );
    let token = events[0].token.clone();

    run(w
        .engine
        .reset_password(&token, "a-brand-new-Passphrase", "198.51.100.23"))
    .unwrap();
    assert!(w.mem.users.users()[0].email_verified);
    // every refresh family of the user is revoked
    assert!(w
        .mem
        .tokens
        .families()
        .iter()
        .all(|f| f.status == FamilyStatus::Revoked(RevokeReason::PasswordReset)));
    assert!(run(w.engine.refresh(&s.tokens.refresh_token, "198.51.100.22")).is_err());
    assert!(run(w.engine.authenticate(&s.tokens.access_token)).is_err());
    // the old password no longer works, the new one does
    let err = run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    run(w.engine.login(&login_req(EMAIL, "a-brand-new-Passphrase"))).unwrap();

    // single use
    let before = snapshot(&w);
    let err = run(w
        .engine
        .reset_password(&token, "yet-another-Passphrase", "198.51.100.23"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(snapshot(&w), before);
}

#[test]
fn reset_token_expires_after_an_hour() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    run(w.engine.forgot_password(EMAIL, "203.0.113.9")).unwrap();
    let token = last_token(&w, EVENT_PASSWORD_RESET);
    w.mem.clock.advance(Duration::hours(1));
    let before = snapshot(&w);
    let err = run(w
        .engine
        .reset_password(&token, "a-brand-new-Passphrase", "198.51.100.23"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(snapshot(&w), before);
    run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap();
}

#[test]
fn a_weak_new_password_keeps_the_reset_token_usable() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    run(w.engine.forgot_password(EMAIL, "203.0.113.9")).unwrap();
    let token = last_token(&w, EVENT_PASSWORD_RESET);
    let before = snapshot(&w);
    let err = run(w.engine.reset_password(&token, "password", "198.51.100.23")).unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationError);
    assert!(err.details.iter().any(|d| d.field == "password"));
    assert_eq!(snapshot(&w), before);
    run(w
        .engine
        .reset_password(&token, "a-brand-new-Passphrase", "198.51.100.23"))
    .unwrap();
}

#[test]
fn forgot_password_does_not_reveal_unknown_emails() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let before = snapshot(&w);
    run(w
        .engine
        .forgot_password("nobody@example.com", "203.0.113.9"))
    .unwrap();
    run(w.engine.forgot_password("not an email", "203.0.113.9")).unwrap();
    assert_eq!(snapshot(&w), before);
}

#[test]
fn a_verification_token_is_not_a_reset_token() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    let token = last_token(&w, EVENT_EMAIL_VERIFICATION);
    let before = snapshot(&w);
    let err = run(w
        .engine
        .reset_password(&token, "a-brand-new-Passphrase", "198.51.100.23"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(snapshot(&w), before);
}

#[test]
fn flows_without_auth_setup_are_internal_errors() {
    let w = world(1, None);
    let err = run(w.engine.login(&login_req(EMAIL, PASSWORD))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal);
}

#[test]
fn account_messages_render_with_the_token() {
    let w = auth_world();
    run(w
        .engine
        .register(&registration(EMAIL, PASSWORD), "198.51.100.20"))
    .unwrap();
    run(w.engine.forgot_password(EMAIL, "203.0.113.9")).unwrap();
    let verify = account_events(&w, EVENT_EMAIL_VERIFICATION).pop().unwrap();
    let reset = account_events(&w, EVENT_PASSWORD_RESET).pop().unwrap();
    let m = w.engine.notifier().render_account(&verify).unwrap();
    assert_eq!(m.subject, "Confirm your email address");
    assert!(m.text.contains(&verify.token) && m.html.contains(&verify.token));
    assert_eq!(m.customer_id, verify.user_id);
    let m = w.engine.notifier().render_account(&reset).unwrap();
    assert_eq!(m.subject, "Reset your password");
    assert!(m.text.contains(&reset.token));
}

#[test]
fn purge_drops_only_tokens_nobody_can_present_any_more() {
    let w = auth_world();
    // registration sent a verification link (24 h); the login started a family (7 days,
    // access tokens 30 min, no leeway)
    let session = register_and_login(&w);
    let purged = |w: &World| run(w.engine.purge_expired_tokens()).unwrap();
    // `wait` later nothing is due yet; one second after that, `due` is purged
    let boundary = |w: &World, wait: Duration, due: PurgedTokens| {
        w.mem.clock.advance(wait);
        assert_eq!(
            purged(w),
            PurgedTokens::default(),
            "not due at the boundary"
        );
        w.mem.clock.advance(Duration::seconds(1));
        assert_eq!(purged(w), due);
    };

    // the link's expiry + the 30-minute margin
    let link = PurgedTokens {
        families: 0,
        one_time: 1,
    };
    boundary(&w, Duration::hours(24) + Duration::minutes(30), link);
    assert!(w.mem.tokens.one_time_records().is_empty());
    // the session is still usable: refresh moves the family's expiry to now + 7 days
    let refreshed = run(w
        .engine
        .refresh(&session.tokens.refresh_token, "198.51.100.22"))
    .unwrap();
    let expiry = w.mem.tokens.families()[0].expires_at;

    // up to the family's expiry plus the access-token lifetime, the family stays
    let family = PurgedTokens {
        families: 1,
        one_time: 0,
    };
    let wait = expiry - w.mem.clock.now() + Duration::minutes(30);
    boundary(&w, wait, family);
    assert!(w.mem.tokens.families().is_empty());
    // its tokens were refused anyway, and still are
    let err = run(w
        .engine
        .refresh(&refreshed.tokens.refresh_token, "198.51.100.22"))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(purged(&w), PurgedTokens::default());
}
