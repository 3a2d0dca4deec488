#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Password hashing, registration rules and one-time tokens.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kassa::identity::{
    login_failed, normalize_email, Argon2Params, OneTimeToken, PasswordHasher, PasswordPolicy,
    RedeemOutcome, Registration, TokenPurpose, TokenStore,
};
use kassa::memory::{MemoryTokenStore, SeededRandom};
use kassa::ErrorCode;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()
}

/// Small parameters keep the suite fast; one test uses OWASP's defaults.
fn fast() -> PasswordHasher {
    PasswordHasher::new(Argon2Params {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    })
    .unwrap()
}

#[test]
fn default_parameters_are_owasp_and_work() {
    let h = PasswordHasher::owasp();
    assert_eq!(
        h.params(),
        Argon2Params {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1
        }
    );
    let stored = h
        .hash("correct horse battery", &SeededRandom::new(1))
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    let v = h.verify("correct horse battery", &stored).unwrap();
    assert!(v.valid && !v.needs_rehash);
    assert!(!h.verify("correct horse batterY", &stored).unwrap().valid);
}

#[test]
fn long_inputs_are_not_truncated_at_72_bytes() {
    let h = fast();
    let rng = SeededRandom::new(2);
    let base = "a".repeat(72);
    let stored = h.hash(&format!("{base}X"), &rng).unwrap();
    assert!(h.verify(&format!("{base}X"), &stored).unwrap().valid);
    assert!(!h.verify(&format!("{base}Y"), &stored).unwrap().valid);
    assert!(!h.verify(&base, &stored).unwrap().valid);
    let long = "p".repeat(128 * 4);
    let stored = h.hash(&long, &rng).unwrap();
    assert!(h.verify(&long, &stored).unwrap().valid);
    assert!(!h.verify(&long[..long.len() - 1], &stored).unwrap().valid);
}

#[test]
fn nul_bytes_are_hashed_in_full() {
    let h = fast();
    let rng = SeededRandom::new(3);
    let stored = h.hash("pass\0word-one", &rng).unwrap();
    assert!(h.verify("pass\0word-one", &stored).unwrap().valid);
    assert!(!h.verify("pass\0word-two", &stored).unwrap().valid);
    assert!(!h.verify("pass", &stored).unwrap().valid);
    let stored = h.hash("\0\0\0\0\0\0\0\0", &rng).unwrap();
    assert!(!h.verify("\0\0\0\0\0\0\0", &stored).unwrap().valid);
}

#[test]
fn unicode_passwords_verify_in_either_normal_form() {
    let h = fast();
    let rng = SeededRandom::new(4);
    let composed = "caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e";
    let decomposed = "cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e";
    let stored = h.hash(composed, &rng).unwrap();
    assert!(h.verify(decomposed, &stored).unwrap().valid);
    let stored = h.hash("пароль-🦀-密码-كلمة", &rng).unwrap();
    assert!(h.verify("пароль-🦀-密码-كلمة", &stored).unwrap().valid);
    assert!(!h.verify("пароль-🦀-密码-كلمه", &stored).unwrap().valid);
}

#[test]
fn salts_differ_and_come_from_the_random_port() {
    let h = fast();
    let a = h.hash("same password", &SeededRandom::new(5)).unwrap();
    let b = h.hash("same password", &SeededRandom::new(6)).unwrap();
    let c = h.hash("same password", &SeededRandom::new(5)).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, c, "deterministic given the randomness");
}

#[test]
fn needs_rehash_when_parameters_change() {
    let old = fast();
    let stored = old.hash("a fine password", &SeededRandom::new(7)).unwrap();
    let new = PasswordHasher::new(Argon2Params {
        memory_kib: 128,
        iterations: 2,
        parallelism: 1,
    })
    .unwrap();
    let v = new.verify("a fine password", &stored).unwrap();
    assert!(v.valid && v.needs_rehash);
    let v = new.verify("wrong", &stored).unwrap();
    assert!(!v.valid && !v.needs_rehash);
    // an argon2i hash (other algorithm, same costs) verifies and asks for a rehash
    let argon2i = {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let a = argon2::Argon2::new(
            argon2::Algorithm::Argon2i,
            argon2::Version::V0x13,
            argon2::Params::new(64, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"sixteen byte salt").unwrap();
        a.hash_password(b"password", &salt).unwrap().to_string()
    };
    let v = old.verify("password", &argon2i).unwrap();
    assert!(v.valid && v.needs_rehash);
    // a corrupt stored hash is an internal error, not a failed login
    assert_eq!(
        old.verify("x", "not-a-hash").unwrap_err().code,
        ErrorCode::Internal
    );
}

#[test]
fn bad_parameters_are_refused() {
    assert!(PasswordHasher::new(Argon2Params {
        memory_kib: 1,
        iterations: 1,
        parallelism: 1
    })
    .is_err());
    assert!(PasswordHasher::new(Argon2Params {
        memory_kib: 64,
        iterations: 0,
        parallelism: 1
    })
    .is_err());
}

#[test]
fn unknown_email_and_wrong_password_look_the_same() {
    let h = fast();
    assert!(!h.verify_dummy("anything"));
    let e = login_failed();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    assert_eq!(e.message, "invalid email or password");
}

#[test]
fn registration_rules() {
    let p = PasswordPolicy::default();
    let ok = Registration {
        email: " Alice@Example.com".into(),
        password: "a long unusual phrase".into(),
    }
    .validate(&p)
    .unwrap();
    assert_eq!(ok.email, "alice@example.com");
    let e = Registration {
        email: "nope".into(),
        password: "short".into(),
    }
    .validate(&p)
    .unwrap_err();
    let fields: Vec<&str> = e.details.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, vec!["email", "password"]);
    for common in [
        "password123",
        "Qwerty123",
        "iloveyou1",
        "P@ssw0rd",
        "football2024",
    ] {
        let e = Registration {
            email: "a@b.io".into(),
            password: common.into(),
        }
        .validate(&p)
        .unwrap_err();
        assert_eq!(e.details[0].field, "password", "{common}");
    }
    let e = Registration {
        email: "longname@b.io".into(),
        password: "LongName".into(),
    }
    .validate(&p)
    .unwrap_err();
    assert_eq!(e.details[0].field, "password");
    assert_eq!(normalize_email("X@Y.Org").unwrap(), "x@y.org");
}

#[test]
fn one_time_tokens_single_use_hashed_expiring() {
    let store = MemoryTokenStore::new();
    let rng = SeededRandom::new(8);
    let purpose = TokenPurpose::PasswordReset;
    let (token, record) =
        OneTimeToken::issue(purpose, "alice", &rng, t0(), purpose.default_ttl()).unwrap();
    assert_eq!(record.expires_at, t0() + Duration::hours(1));
    // the secret is 256 bits and only its SHA-256 is stored
    let secret = token.split('.').nth(1).unwrap();
    assert_eq!(secret.len(), 43);
    use futures::executor::block_on as block;
    block(store.save_one_time(record)).unwrap();
    for r in store.one_time_records() {
        assert!(!serde_json::to_string(&r).unwrap().contains(secret));
        assert_eq!(r.secret_hash.len(), 64);
    }
    let presented = OneTimeToken::parse(&token).unwrap();
    // wrong purpose
    assert_eq!(
        block(store.redeem_one_time(&presented, TokenPurpose::EmailVerification, t0())).unwrap(),
        RedeemOutcome::Invalid
    );
    // wrong secret, same selector
    let mut forged = presented.clone();
    forged.secret_hash = "0".repeat(64);
    assert_eq!(
        block(store.redeem_one_time(&forged, purpose, t0())).unwrap(),
        RedeemOutcome::Invalid
    );
    assert_eq!(
        block(store.redeem_one_time(&presented, purpose, t0() + Duration::minutes(59)))
            .unwrap()
            .into_result()
            .unwrap(),
        "alice"
    );
    assert_eq!(
        block(store.redeem_one_time(&presented, purpose, t0())).unwrap(),
        RedeemOutcome::AlreadyUsed
    );
    // expiry (email verification: 24 h)
    let p2 = TokenPurpose::EmailVerification;
    let (token, record) = OneTimeToken::issue(p2, "bob", &rng, t0(), p2.default_ttl()).unwrap();
    block(store.save_one_time(record)).unwrap();
    let presented = OneTimeToken::parse(&token).unwrap();
    let late = t0() + Duration::hours(24);
    let out = block(store.redeem_one_time(&presented, p2, late)).unwrap();
    assert_eq!(out, RedeemOutcome::Expired);
    assert_eq!(
        out.into_result().unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    // malformed tokens
    for bad in ["", "abc", "abc.", ".abc", "abc.!!!!", "abc.AAAA"] {
        assert!(OneTimeToken::parse(bad).is_err(), "{bad}");
    }
}
