#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! JWT attack suite and refresh-token rotation with reuse detection.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, TimeZone, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header};
use kassa::identity::{
    new_token_id, FamilyStatus, JwtKey, KeyRing, RefreshFamily, RevokeReason, RotationOutcome,
    TokenConfig, TokenIssuer, TokenStore, TokenSubject,
};
use kassa::memory::{MemoryTokenStore, SeededRandom};
use kassa::ErrorCode;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-kassa-test";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap()
}

fn issuer() -> TokenIssuer {
    let ring = KeyRing::new(JwtKey::hs256("k1", SECRET).unwrap()).unwrap();
    TokenIssuer::new(TokenConfig::new("kassa", "storefront"), ring).unwrap()
}

fn subject() -> TokenSubject {
    TokenSubject {
        user_id: "alice".into(),
        roles: vec!["customer".into()],
        customer_groups: vec!["vip".into()],
    }
}

fn rejected(r: kassa::Result<impl std::fmt::Debug>) {
    let e = r.expect_err("token accepted");
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    assert_eq!(
        e.message, "invalid or expired token",
        "reasons are not leaked"
    );
}

fn b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn payload_of(token: &str) -> serde_json::Value {
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

#[test]
fn round_trip_and_lifetimes() {
    let iss = issuer();
    let rng = SeededRandom::new(1);
    let pair = iss.issue_pair(&subject(), &rng, t0()).unwrap();
    assert_eq!(pair.access_expires_at, t0() + Duration::minutes(30));
    assert_eq!(pair.refresh_expires_at, t0() + Duration::days(7));
    let c = iss.verify_access(&pair.access_token, t0()).unwrap();
    assert_eq!(c.user_id, "alice");
    assert_eq!(c.roles, vec!["customer"]);
    assert_eq!(c.customer_groups, vec!["vip"]);
    assert_eq!(c.family_id, pair.family_id);
    assert_eq!(c.principal().user_id.as_deref(), Some("alice"));
    let r = iss.verify_refresh(&pair.refresh_token, t0()).unwrap();
    assert_eq!(r.jti, pair.refresh_jti);
    // header carries kid and alg HS256
    let h: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(pair.access_token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(h["alg"], "HS256");
    assert_eq!(h["kid"], "k1");
}

#[test]
fn alg_none_is_rejected() {
    let iss = issuer();
    let pair = iss
        .issue_pair(&subject(), &SeededRandom::new(2), t0())
        .unwrap();
    let payload = payload_of(&pair.access_token);
    for alg in ["none", "None", "NONE", ""] {
        let header = serde_json::json!({"alg": alg, "kid": "k1", "typ": "JWT"});
        for sig in ["", "AAAA"] {
            let forged = format!("{}.{}.{sig}", b64(&header), b64(&payload));
            rejected(iss.verify_access(&forged, t0()));
        }
    }
    // no kid at all
    let header = serde_json::json!({"alg": "HS256"});
    let forged = format!("{}.{}.", b64(&header), b64(&payload));
    rejected(iss.verify_access(&forged, t0()));
}

#[test]
fn hs_asymmetric_confusion_is_rejected() {
    // the server signs with EdDSA; the attacker knows the public key and signs HS256 with it
    let ed = JwtKey::ed25519("ed1", &[9u8; 32]).unwrap();
    let public = ed.ed25519_public_bytes().unwrap();
    let iss = TokenIssuer::new(
        TokenConfig::new("kassa", "storefront"),
        KeyRing::new(ed).unwrap(),
    )
    .unwrap();
    let legit = iss
        .issue_pair(&subject(), &SeededRandom::new(3), t0())
        .unwrap();
    assert!(iss.verify_access(&legit.access_token, t0()).is_ok());
    let mut payload = payload_of(&legit.access_token);
    payload["roles"] = serde_json::json!(["admin"]);
    let claims: Claims<serde_json::Value> = {
        let mut c = Claims::new(payload.clone());
        c.expiration = Some(t0() + Duration::minutes(30));
        c
    };
    let forged = Hs256
        .token(
            &Header::empty().with_key_id("ed1"),
            &claims,
            &Hs256Key::new(public),
        )
        .unwrap();
    rejected(iss.verify_access(&forged, t0()));
    // also with the public key in its base64 / hex text forms
    for text in [URL_SAFE_NO_PAD.encode(public).into_bytes(), hex(&public)] {
        let forged = Hs256
            .token(
                &Header::empty().with_key_id("ed1"),
                &claims,
                &Hs256Key::new(&text),
            )
            .unwrap();
        rejected(iss.verify_access(&forged, t0()));
    }
    // and the other way round: an EdDSA-labelled token for an HS256 kid
    let hs = issuer();
    let header = serde_json::json!({"alg": "EdDSA", "kid": "k1"});
    let sig = legit.access_token.split('.').nth(2).unwrap();
    let forged = format!("{}.{}.{sig}", b64(&header), b64(&payload));
    rejected(hs.verify_access(&forged, t0()));
}

fn hex(b: &[u8]) -> Vec<u8> {
    b.iter()
        .flat_map(|x| format!("{x:02x}").into_bytes())
        .collect()
}

#[test]
fn expired_and_not_yet_valid() {
    let iss = issuer();
    let pair = iss
        .issue_pair(&subject(), &SeededRandom::new(4), t0())
        .unwrap();
    assert!(iss
        .verify_access(
            &pair.access_token,
            t0() + Duration::minutes(30) - Duration::seconds(1)
        )
        .is_ok());
    rejected(iss.verify_access(&pair.access_token, t0() + Duration::minutes(30)));
    rejected(iss.verify_refresh(&pair.refresh_token, t0() + Duration::days(7)));
    // issued "in the future" (nbf = iat = t0): not valid a second before
    rejected(iss.verify_access(&pair.access_token, t0() - Duration::seconds(1)));
    // leeway tolerates small skew when configured
    let mut cfg = TokenConfig::new("kassa", "storefront");
    cfg.leeway_seconds = 30;
    let lenient = TokenIssuer::new(
        cfg,
        KeyRing::new(JwtKey::hs256("k1", SECRET).unwrap()).unwrap(),
    )
    .unwrap();
    assert!(lenient
        .verify_access(&pair.access_token, t0() - Duration::seconds(10))
        .is_ok());
    assert!(lenient
        .verify_access(
            &pair.access_token,
            t0() + Duration::minutes(30) + Duration::seconds(10)
        )
        .is_ok());
}

#[test]
fn missing_exp_is_rejected() {
    let iss = issuer();
    let pair = iss
        .issue_pair(&subject(), &SeededRandom::new(5), t0())
        .unwrap();
    let mut payload = payload_of(&pair.access_token);
    payload.as_object_mut().unwrap().remove("exp");
    let forged = Hs256
        .token(
            &Header::empty().with_key_id("k1"),
            &Claims::new(payload),
            &Hs256Key::new(SECRET),
        )
        .unwrap();
    rejected(iss.verify_access(&forged, t0()));
}

#[test]
fn wrong_issuer_or_audience() {
    let rng = SeededRandom::new(6);
    let ring = || KeyRing::new(JwtKey::hs256("k1", SECRET).unwrap()).unwrap();
    let other_iss = TokenIssuer::new(TokenConfig::new("evil", "storefront"), ring()).unwrap();
    let other_aud = TokenIssuer::new(TokenConfig::new("kassa", "admin-api"), ring()).unwrap();
    let iss = issuer();
    rejected(
        iss.verify_access(
            &other_iss
                .issue_pair(&subject(), &rng, t0())
                .unwrap()
                .access_token,
            t0(),
        ),
    );
    rejected(
        iss.verify_access(
            &other_aud
                .issue_pair(&subject(), &rng, t0())
                .unwrap()
                .access_token,
            t0(),
        ),
    );
}

#[test]
fn tampered_payload_and_signature() {
    let iss = issuer();
    let pair = iss
        .issue_pair(&subject(), &SeededRandom::new(7), t0())
        .unwrap();
    let parts: Vec<&str> = pair.access_token.split('.').collect();
    let mut payload = payload_of(&pair.access_token);
    payload["roles"] = serde_json::json!(["admin"]);
    rejected(iss.verify_access(
        &format!("{}.{}.{}", parts[0], b64(&payload), parts[2]),
        t0(),
    ));
    let mut payload = payload_of(&pair.access_token);
    payload["sub"] = serde_json::json!("bob");
    rejected(iss.verify_access(
        &format!("{}.{}.{}", parts[0], b64(&payload), parts[2]),
        t0(),
    ));
    // flipped signature byte, truncated, garbage
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[0] ^= 1;
    rejected(iss.verify_access(
        &format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(&sig)),
        t0(),
    ));
    rejected(iss.verify_access(&pair.access_token[..pair.access_token.len() - 3], t0()));
    rejected(iss.verify_access("not.a.jwt", t0()));
    rejected(iss.verify_access("", t0()));
    rejected(iss.verify_access(&"a".repeat(10_000), t0()));
}

#[test]
fn token_kinds_are_not_interchangeable() {
    let iss = issuer();
    let pair = iss
        .issue_pair(&subject(), &SeededRandom::new(8), t0())
        .unwrap();
    rejected(iss.verify_access(&pair.refresh_token, t0()));
    rejected(iss.verify_refresh(&pair.access_token, t0()));
}

#[test]
fn unknown_kid_and_key_rotation() {
    let mut iss = issuer();
    let rng = SeededRandom::new(9);
    let old = iss.issue_pair(&subject(), &rng, t0()).unwrap();
    // a token signed with the right secret but an unknown kid is refused (no fallback)
    let payload = payload_of(&old.access_token);
    let mut claims = Claims::new(payload);
    claims.expiration = Some(t0() + Duration::minutes(5));
    let forged = Hs256
        .token(
            &Header::empty().with_key_id("k9"),
            &claims,
            &Hs256Key::new(SECRET),
        )
        .unwrap();
    rejected(iss.verify_access(&forged, t0()));
    // rotation: add k2, sign with it, old tokens still verify until k1 is removed
    iss.keys_mut()
        .add(JwtKey::hs256("k2", &[42u8; 32]).unwrap());
    iss.keys_mut().set_signing("k2").unwrap();
    let new = iss.issue_pair(&subject(), &rng, t0()).unwrap();
    assert!(iss.verify_access(&new.access_token, t0()).is_ok());
    assert!(iss.verify_access(&old.access_token, t0()).is_ok());
    assert_eq!(
        iss.keys_mut().remove("k2").unwrap_err().code,
        ErrorCode::Conflict
    );
    assert!(iss.keys_mut().remove("k1").unwrap());
    rejected(iss.verify_access(&old.access_token, t0()));
    assert!(iss.verify_access(&new.access_token, t0()).is_ok());
    // an EdDSA verification-only key verifies but cannot become the signing key
    let ed = JwtKey::ed25519("ed", &[1u8; 32]).unwrap();
    let public = JwtKey::ed25519_public("edpub", &ed.ed25519_public_bytes().unwrap()).unwrap();
    iss.keys_mut().add(public);
    assert!(iss.keys_mut().set_signing("edpub").is_err());
}

#[test]
fn short_hmac_keys_are_refused() {
    for len in [0, 1, 16, 31] {
        let e = JwtKey::hs256("k", &vec![7u8; len]).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError);
        assert_eq!(e.details[0].field, "secret");
    }
    assert!(JwtKey::hs256("k", &[7u8; 32]).is_ok());
    assert!(JwtKey::hs256("", &[7u8; 32]).is_err());
}

#[test]
fn eddsa_round_trip() {
    let iss = TokenIssuer::new(
        TokenConfig::new("kassa", "storefront"),
        KeyRing::new(JwtKey::ed25519("ed1", &[3u8; 32]).unwrap()).unwrap(),
    )
    .unwrap();
    let pair = iss
        .issue_pair(&subject(), &SeededRandom::new(10), t0())
        .unwrap();
    assert!(iss.verify_access(&pair.access_token, t0()).is_ok());
    let h = pair.access_token.split('.').next().unwrap();
    let h: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    assert_eq!(h["alg"], "EdDSA");
}

/// The engine's refresh flow, as it will call the pieces.
fn refresh(
    iss: &TokenIssuer,
    store: &MemoryTokenStore,
    presented: &str,
    rng: &SeededRandom,
    now: DateTime<Utc>,
) -> kassa::Result<kassa::identity::TokenPair> {
    futures::executor::block_on(async {
        let claims = iss.verify_refresh(presented, now)?;
        let next = new_token_id(rng)?;
        let ttl = Duration::seconds(iss.config().refresh_ttl_seconds);
        store
            .rotate_refresh(
                &claims.family_id,
                &claims.user_id,
                &claims.jti,
                &next,
                now,
                ttl,
            )
            .await?
            .into_result()?;
        iss.issue_pair_in_family(&subject(), &claims.family_id, &next, rng, now)
    })
}

fn login(
    iss: &TokenIssuer,
    store: &MemoryTokenStore,
    rng: &SeededRandom,
) -> kassa::identity::TokenPair {
    let pair = iss.issue_pair(&subject(), rng, t0()).unwrap();
    futures::executor::block_on(store.create_family(RefreshFamily::start(
        &pair.family_id,
        "alice",
        &pair.refresh_jti,
        t0(),
        Duration::days(7),
    )))
    .unwrap();
    pair
}

#[test]
fn refresh_rotates_and_reuse_revokes_the_family() {
    let iss = issuer();
    let store = MemoryTokenStore::new();
    let rng = SeededRandom::new(11);
    let p0 = login(&iss, &store, &rng);
    let now = t0() + Duration::minutes(40);
    let p1 = refresh(&iss, &store, &p0.refresh_token, &rng, now).unwrap();
    assert_eq!(p1.family_id, p0.family_id);
    assert_ne!(p1.refresh_jti, p0.refresh_jti);
    let p2 = refresh(&iss, &store, &p1.refresh_token, &rng, now).unwrap();
    // the thief replays p0's (used) refresh token: the whole family is revoked
    rejected(refresh(&iss, &store, &p0.refresh_token, &rng, now));
    let fam = futures::executor::block_on(store.get_family(&p0.family_id))
        .unwrap()
        .unwrap();
    assert_eq!(fam.status, FamilyStatus::Revoked(RevokeReason::Reuse));
    // ... so the legitimate latest token is dead too
    rejected(refresh(&iss, &store, &p2.refresh_token, &rng, now));
    // another session of the same user is unaffected
    let other = login(&iss, &store, &rng);
    assert!(refresh(&iss, &store, &other.refresh_token, &rng, now).is_ok());
}

#[test]
fn logout_and_foreign_families() {
    let iss = issuer();
    let store = MemoryTokenStore::new();
    let rng = SeededRandom::new(12);
    let p = login(&iss, &store, &rng);
    // a refresh token can only rotate the family of its own user
    let outcome = futures::executor::block_on(store.rotate_refresh(
        &p.family_id,
        "mallory",
        &p.refresh_jti,
        "x",
        t0(),
        Duration::days(7),
    ))
    .unwrap();
    assert_eq!(outcome, RotationOutcome::UnknownFamily);
    assert!(futures::executor::block_on(store.revoke_family(
        &p.family_id,
        RevokeReason::Logout,
        t0()
    ))
    .unwrap());
    rejected(refresh(&iss, &store, &p.refresh_token, &rng, t0()));
    let a = login(&iss, &store, &rng);
    let b = login(&iss, &store, &rng);
    let n =
        futures::executor::block_on(store.revoke_user("alice", RevokeReason::PasswordReset, t0()))
            .unwrap();
    assert_eq!(n, 2);
    rejected(refresh(&iss, &store, &a.refresh_token, &rng, t0()));
    rejected(refresh(&iss, &store, &b.refresh_token, &rng, t0()));
}

#[test]
fn pure_family_model() {
    let mut f = RefreshFamily::start("f", "u", "j0", t0(), Duration::days(7));
    assert_eq!(
        f.rotate("j0", "j1", t0(), Duration::days(7)),
        RotationOutcome::Rotated
    );
    assert_eq!(f.rotations, 1);
    assert!(f.is_active(t0()));
    assert_eq!(
        f.rotate("j1", "j2", t0() + Duration::days(8), Duration::days(7)),
        RotationOutcome::Expired
    );
    assert_eq!(
        f.rotate("j0", "j9", t0(), Duration::days(7)),
        RotationOutcome::ReuseDetected
    );
    assert_eq!(
        f.rotate("j1", "j2", t0(), Duration::days(7)),
        RotationOutcome::Revoked
    );
    f.revoke(RevokeReason::Logout, t0());
    assert_eq!(
        f.status,
        FamilyStatus::Revoked(RevokeReason::Reuse),
        "first reason stays"
    );
}

#[test]
fn lifetimes_must_be_positive_and_at_most_ten_years() {
    let ring = || KeyRing::new(JwtKey::hs256("k1", SECRET).unwrap()).unwrap();
    for (access, refresh, field) in [
        (0, 3600, "accessTtlSeconds"),
        (i64::MAX, 3600, "accessTtlSeconds"),
        (1800, -1, "refreshTtlSeconds"),
        (
            1800,
            kassa::identity::MAX_LIFETIME_SECONDS + 1,
            "refreshTtlSeconds",
        ),
    ] {
        let mut cfg = TokenConfig::new("kassa", "storefront");
        cfg.access_ttl_seconds = access;
        cfg.refresh_ttl_seconds = refresh;
        let e = TokenIssuer::new(cfg, ring()).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationError);
        assert_eq!(e.details[0].field, field);
    }
    let mut cfg = TokenConfig::new("kassa", "storefront");
    cfg.access_ttl_seconds = kassa::identity::MAX_LIFETIME_SECONDS;
    let longest = TokenIssuer::new(cfg, ring()).unwrap();
    // an expiry past the calendar is an error, not a panic
    let end = DateTime::<Utc>::MAX_UTC - Duration::days(1);
    let rng = SeededRandom::new(9);
    assert!(longest.issue_pair(&subject(), &rng, end).is_err());
    longest.issue_pair(&subject(), &rng, t0()).unwrap();
}
