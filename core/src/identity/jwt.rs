//! JWT access and refresh tokens (HS256 by default, EdDSA optional) with key rotation.
//!
//! Verification takes the key from the [`KeyRing`] by the header's `kid` and the algorithm
//! from that key, never from the header: a token whose `alg` differs from its key's (`none`,
//! HS256 signed with an EdDSA public key, ...) is rejected before any signature check.

use super::invalid_token;
use crate::error::{KassaError, Result};
use crate::ports::RandomSource;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use jwt_compact::alg::{Ed25519, Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header, UntrustedToken};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Minimum HS256 secret: 256 bits.
const MIN_HMAC_KEY_BYTES: usize = 32;

/// The signing algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
pub enum JwtAlgorithm {
    /// HMAC-SHA-256 with a shared secret of at least 256 bits.
    #[serde(rename = "HS256")]
    Hs256,
    /// Ed25519 signatures.
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl JwtAlgorithm {
    /// The JOSE `alg` name.
    pub const fn as_str(self) -> &'static str {
        match self {
            JwtAlgorithm::Hs256 => "HS256",
            JwtAlgorithm::EdDsa => "EdDSA",
        }
    }
}

enum Material {
    Hs256(Hs256Key),
    EdSigning(Box<ed25519_dalek::SigningKey>, ed25519_dalek::VerifyingKey),
    EdVerifying(ed25519_dalek::VerifyingKey),
}

/// A key with its id. Secrets are never printed by `Debug`.
pub struct JwtKey {
    kid: String,
    material: Material,
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("alg", &self.algorithm())
            .field("can_sign", &self.can_sign())
            .finish()
    }
}

fn check_kid(kid: &str) -> Result<()> {
    if kid.is_empty() || kid.len() > 128 {
        return Err(KassaError::validation("kid", "must be 1 to 128 characters"));
    }
    Ok(())
}

impl JwtKey {
    /// An HS256 key; refuses secrets shorter than 256 bits.
    pub fn hs256(kid: &str, secret: &[u8]) -> Result<Self> {
        check_kid(kid)?;
        if secret.len() < MIN_HMAC_KEY_BYTES {
            return Err(KassaError::validation(
                "secret",
                format!(
                    "HS256 secret must be at least 256 bits ({MIN_HMAC_KEY_BYTES} bytes), got {} bytes",
                    secret.len()
                ),
            ));
        }
        Ok(JwtKey {
            kid: kid.to_owned(),
            material: Material::Hs256(Hs256Key::new(secret)),
        })
    }

    /// An Ed25519 signing key from its 32-byte seed.
    pub fn ed25519(kid: &str, seed: &[u8; 32]) -> Result<Self> {
        check_kid(kid)?;
        let signing = ed25519_dalek::SigningKey::from_bytes(seed);
        let verifying = signing.verifying_key();
        Ok(JwtKey {
            kid: kid.to_owned(),
            material: Material::EdSigning(Box::new(signing), verifying),
        })
    }

    /// An Ed25519 verification-only key from its 32-byte public key.
    pub fn ed25519_public(kid: &str, public: &[u8; 32]) -> Result<Self> {
        check_kid(kid)?;
        let verifying = ed25519_dalek::VerifyingKey::from_bytes(public)
            .map_err(|_| KassaError::validation("publicKey", "not an Ed25519 public key"))?;
        Ok(JwtKey {
            kid: kid.to_owned(),
            material: Material::EdVerifying(verifying),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key is used with (the only one it verifies).
    pub fn algorithm(&self) -> JwtAlgorithm {
        match self.material {
            Material::Hs256(_) => JwtAlgorithm::Hs256,
            Material::EdSigning(..) | Material::EdVerifying(_) => JwtAlgorithm::EdDsa,
        }
    }

    /// Whether the key can sign (HMAC keys and Ed25519 private keys).
    pub fn can_sign(&self) -> bool {
        !matches!(self.material, Material::EdVerifying(_))
    }

    /// The Ed25519 public key bytes, for publishing (e.g. in a JWKS).
    pub fn ed25519_public_bytes(&self) -> Option<[u8; 32]> {
        match &self.material {
            Material::EdSigning(_, v) | Material::EdVerifying(v) => Some(v.to_bytes()),
            Material::Hs256(_) => None,
        }
    }

    fn sign<T: Serialize>(&self, claims: &Claims<T>) -> Result<String> {
        let header = Header::empty().with_key_id(self.kid.clone());
        let made = match &self.material {
            Material::Hs256(k) => Hs256.token(&header, claims, k),
            Material::EdSigning(k, _) => Ed25519.token(&header, claims, k),
            Material::EdVerifying(_) => {
                return Err(KassaError::internal(format!(
                    "key '{}' is verification-only",
                    self.kid
                )))
            }
        };
        made.map_err(|e| KassaError::internal(format!("jwt: {e}")))
    }

    fn verify<T: serde::de::DeserializeOwned + Clone>(
        &self,
        token: &UntrustedToken<'_>,
    ) -> Option<Claims<T>> {
        // the validator compares the header's `alg` with the key's algorithm first
        let checked = match &self.material {
            Material::Hs256(k) => Hs256.validator::<T>(k).validate(token),
            Material::EdSigning(_, v) | Material::EdVerifying(v) => {
                Ed25519.validator::<T>(v).validate(token)
            }
        };
        checked.ok().map(|t| t.claims().clone())
    }
}

/// The keys: one signing key and any number of verification keys, looked up by `kid`.
/// Rotate by adding the new key, making it the signing key, and removing the old one after
/// the longest token lifetime.
#[derive(Debug)]
pub struct KeyRing {
    signing_kid: String,
    keys: HashMap<String, JwtKey>,
}

impl KeyRing {
    /// A ring whose signing key is `signing`.
    pub fn new(signing: JwtKey) -> Result<Self> {
        if !signing.can_sign() {
            return Err(KassaError::validation("signingKey", "cannot sign"));
        }
        let kid = signing.kid.clone();
        let mut keys = HashMap::new();
        keys.insert(kid.clone(), signing);
        Ok(KeyRing {
            signing_kid: kid,
            keys,
        })
    }

    /// Adds (or replaces) a key that verifies tokens.
    pub fn add(&mut self, key: JwtKey) {
        self.keys.insert(key.kid.clone(), key);
    }

    /// Makes the key `kid` the signing key.
    pub fn set_signing(&mut self, kid: &str) -> Result<()> {
        match self.keys.get(kid) {
            Some(k) if k.can_sign() => {
                self.signing_kid = kid.to_owned();
                Ok(())
            }
            Some(_) => Err(KassaError::validation("kid", "key cannot sign")),
            None => Err(KassaError::not_found("key", kid)),
        }
    }

    /// Removes a key (not the signing key).
    pub fn remove(&mut self, kid: &str) -> Result<bool> {
        if kid == self.signing_kid {
            return Err(KassaError::conflict("cannot remove the signing key"));
        }
        Ok(self.keys.remove(kid).is_some())
    }

    fn signing(&self) -> Result<&JwtKey> {
        self.keys
            .get(&self.signing_kid)
            .ok_or_else(|| KassaError::internal("signing key missing"))
    }
}

/// Token settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenConfig {
    /// `iss` written and required.
    pub issuer: String,
    /// `aud` written and required.
    pub audience: String,
    /// Access token lifetime (default 1800 s = 30 min).
    #[serde(default = "default_access_ttl")]
    pub access_ttl_seconds: i64,
    /// Refresh token lifetime (default 604800 s = 7 days).
    #[serde(default = "default_refresh_ttl")]
    pub refresh_ttl_seconds: i64,
    /// Clock skew tolerated on `exp` and `nbf` (default 0).
    #[serde(default)]
    pub leeway_seconds: i64,
}

fn default_access_ttl() -> i64 {
    1800
}
fn default_refresh_ttl() -> i64 {
    7 * 24 * 3600
}

impl TokenConfig {
    /// Defaults (30 min / 7 days, no leeway) for an issuer and audience.
    pub fn new(issuer: &str, audience: &str) -> Self {
        TokenConfig {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            access_ttl_seconds: default_access_ttl(),
            refresh_ttl_seconds: default_refresh_ttl(),
            leeway_seconds: 0,
        }
    }
}

/// Which kind of token a JWT is (`typ` claim); an access token is never accepted as a
/// refresh token or the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A 30-minute bearer token.
    Access,
    /// A 7-day single-use refresh token.
    Refresh,
}

/// Who a token is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TokenSubject {
    /// The user id (`sub`).
    pub user_id: String,
    /// Roles carried in the access token.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Customer groups carried in the access token.
    #[serde(default)]
    pub customer_groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, kassa_derive::Decode)]
struct Payload {
    iss: String,
    aud: String,
    sub: String,
    jti: String,
    typ: TokenKind,
    fam: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<String>,
}

/// The verified claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AccessClaims {
    /// The user id.
    pub user_id: String,
    /// Roles.
    pub roles: Vec<String>,
    /// Customer groups.
    pub customer_groups: Vec<String>,
    /// The token id.
    pub jti: String,
    /// The refresh family (session) it was issued with; logout revokes it, and a flow that
    /// must honour logout at once checks the family's status.
    pub family_id: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

impl AccessClaims {
    /// The principal these claims describe.
    pub fn principal(&self) -> crate::access::Principal {
        crate::access::Principal {
            user_id: Some(self.user_id.clone()),
            roles: self.roles.clone(),
            customer_groups: self.customer_groups.clone(),
        }
    }
}

/// The verified claims of a refresh token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RefreshClaims {
    /// The user id.
    pub user_id: String,
    /// The token id (compared with the family's current id on rotation).
    pub jti: String,
    /// The family.
    pub family_id: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// A freshly issued access + refresh pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// The access JWT.
    pub access_token: String,
    /// When it expires.
    pub access_expires_at: DateTime<Utc>,
    /// The refresh JWT.
    pub refresh_token: String,
    /// When it expires.
    pub refresh_expires_at: DateTime<Utc>,
    /// The refresh token's id (the family's current id).
    pub refresh_jti: String,
    /// The family (session) id.
    pub family_id: String,
}

/// A new 128-bit random id (base64url, 22 characters) for `jti`s and family ids.
pub fn new_token_id(random: &dyn RandomSource) -> Result<String> {
    let mut bytes = [0u8; 16];
    random.fill_bytes(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Issues and verifies JWTs. Time is always an argument.
#[derive(Debug)]
pub struct TokenIssuer {
    config: TokenConfig,
    keys: KeyRing,
}

/// The longest lifetime a token may be configured with: ten years. The bound keeps every
/// expiry computation (`now + lifetime`) within the calendar instead of failing at issue time.
pub const MAX_LIFETIME_SECONDS: i64 = 3_650 * 86_400;

/// A lifetime in seconds: positive and at most [`MAX_LIFETIME_SECONDS`], else a
/// `VALIDATION_ERROR` on `field`.
pub fn check_lifetime(field: &str, seconds: i64) -> Result<()> {
    if seconds <= 0 {
        return Err(KassaError::validation(field, "must be positive"));
    }
    if seconds > MAX_LIFETIME_SECONDS {
        return Err(KassaError::validation(
            field,
            format!("must be at most {MAX_LIFETIME_SECONDS} (ten years)"),
        ));
    }
    Ok(())
}

impl TokenIssuer {
    /// An issuer; the lifetimes must be positive and at most [`MAX_LIFETIME_SECONDS`].
    pub fn new(config: TokenConfig, keys: KeyRing) -> Result<Self> {
        check_lifetime("accessTtlSeconds", config.access_ttl_seconds)?;
        check_lifetime("refreshTtlSeconds", config.refresh_ttl_seconds)?;
        if config.leeway_seconds < 0 || config.leeway_seconds > 300 {
            return Err(KassaError::validation("leewaySeconds", "must be 0 to 300"));
        }
        Ok(TokenIssuer { config, keys })
    }

    /// The configuration.
    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    /// The key ring (to rotate keys).
    pub fn keys_mut(&mut self) -> &mut KeyRing {
        &mut self.keys
    }

    fn sign(
        &self,
        payload: Payload,
        now: DateTime<Utc>,
        ttl: i64,
    ) -> Result<(String, DateTime<Utc>)> {
        let exp = Duration::try_seconds(ttl)
            .and_then(|ttl| now.checked_add_signed(ttl))
            .ok_or_else(|| {
                KassaError::validation("now", "the token's expiry is past year 262143")
            })?;
        let mut claims = Claims::new(payload);
        claims.issued_at = Some(now);
        claims.not_before = Some(now);
        claims.expiration = Some(exp);
        Ok((self.keys.signing()?.sign(&claims)?, exp))
    }

    /// Issues an access token for `subject` in session `family_id`.
    pub fn issue_access(
        &self,
        subject: &TokenSubject,
        family_id: &str,
        random: &dyn RandomSource,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>)> {
        let payload = Payload {
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            sub: subject.user_id.clone(),
            jti: new_token_id(random)?,
            typ: TokenKind::Access,
            fam: family_id.to_owned(),
            roles: subject.roles.clone(),
            groups: subject.customer_groups.clone(),
        };
        self.sign(payload, now, self.config.access_ttl_seconds)
    }

    /// Issues a new session: a new family id, an access token and the family's first
    /// refresh token. The caller stores [`RefreshFamily::start`](super::RefreshFamily::start)
    /// of the pair.
    pub fn issue_pair(
        &self,
        subject: &TokenSubject,
        random: &dyn RandomSource,
        now: DateTime<Utc>,
    ) -> Result<TokenPair> {
        let family_id = new_token_id(random)?;
        let refresh_jti = new_token_id(random)?;
        self.issue_pair_in_family(subject, &family_id, &refresh_jti, random, now)
    }

    /// Issues the pair of an existing family with the refresh id `refresh_jti` (the id the
    /// store just rotated to).
    pub fn issue_pair_in_family(
        &self,
        subject: &TokenSubject,
        family_id: &str,
        refresh_jti: &str,
        random: &dyn RandomSource,
        now: DateTime<Utc>,
    ) -> Result<TokenPair> {
        let (access_token, access_expires_at) =
            self.issue_access(subject, family_id, random, now)?;
        let payload = Payload {
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            sub: subject.user_id.clone(),
            jti: refresh_jti.to_owned(),
            typ: TokenKind::Refresh,
            fam: family_id.to_owned(),
            roles: Vec::new(),
            groups: Vec::new(),
        };
        let (refresh_token, refresh_expires_at) =
            self.sign(payload, now, self.config.refresh_ttl_seconds)?;
        Ok(TokenPair {
            access_token,
            access_expires_at,
            refresh_token,
            refresh_expires_at,
            refresh_jti: refresh_jti.to_owned(),
            family_id: family_id.to_owned(),
        })
    }

    fn verify(
        &self,
        token: &str,
        kind: TokenKind,
        now: DateTime<Utc>,
    ) -> Result<(Payload, DateTime<Utc>)> {
        if token.len() > 8192 {
            return Err(invalid_token());
        }
        let untrusted = UntrustedToken::new(token).map_err(|_| invalid_token())?;
        let kid = untrusted
            .header()
            .key_id
            .as_deref()
            .ok_or_else(invalid_token)?;
        let key = self.keys.keys.get(kid).ok_or_else(invalid_token)?;
        if untrusted.algorithm() != key.algorithm().as_str() {
            return Err(invalid_token());
        }
        let claims: Claims<Payload> = key.verify(&untrusted).ok_or_else(invalid_token)?;
        let leeway = Duration::seconds(self.config.leeway_seconds);
        let exp = claims.expiration.ok_or_else(invalid_token)?;
        if now >= exp + leeway {
            return Err(invalid_token());
        }
        if let Some(nbf) = claims.not_before {
            if now + leeway < nbf {
                return Err(invalid_token());
            }
        }
        let p = claims.custom;
        if p.iss != self.config.issuer || p.aud != self.config.audience || p.typ != kind {
            return Err(invalid_token());
        }
        Ok((p, exp))
    }

    /// Verifies an access token: key by `kid`, algorithm of that key, signature, `exp`,
    /// `nbf`, `iss`, `aud` and `typ`. Every failure is the same `UNAUTHENTICATED`.
    pub fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims> {
        let (p, exp) = self.verify(token, TokenKind::Access, now)?;
        Ok(AccessClaims {
            user_id: p.sub,
            roles: p.roles,
            customer_groups: p.groups,
            jti: p.jti,
            family_id: p.fam,
            expires_at: exp,
        })
    }

    /// Verifies a refresh token's signature and claims (not yet its single use: that is
    /// [`TokenStore::rotate_refresh`](super::TokenStore::rotate_refresh)).
    pub fn verify_refresh(&self, token: &str, now: DateTime<Utc>) -> Result<RefreshClaims> {
        let (p, exp) = self.verify(token, TokenKind::Refresh, now)?;
        Ok(RefreshClaims {
            user_id: p.sub,
            jti: p.jti,
            family_id: p.fam,
            expires_at: exp,
        })
    }
}
