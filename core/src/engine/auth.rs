//! Identity flows of the engine: register, verify email, log in, refresh, log out, forgot
//! password and reset password.
//!
//! The flows follow the call order documented in [`crate::identity`]. They need the
//! [`AuthPorts`] (token store, rate-limit state, randomness) and an [`Auth`] setup (token
//! issuer with its key ring, password hasher, rate-limit table), given to the engine with
//! [`Engine::with_auth`]; an engine without them answers every identity flow with
//! `INTERNAL` ("identity is not configured").
//!
//! Decisions:
//! - Every rejected token (JWT or one-time) is the one generic [`invalid_token`] error;
//!   every failed login is the one [`login_failed`] error, for an unknown email and a wrong
//!   password alike (an unknown email still spends one hash, so timing does not tell).
//! - Log in and forgot password are limited per client address through the rate limiter's
//!   `auth` class (default 5/min, burst 10); a denial is `RATE_LIMITED` with
//!   `meta.retryAfterSeconds`.
//! - Forgot password answers `Ok` for an unknown email (no account enumeration); a known
//!   email gets a `password_reset_requested` event.
//! - Registration refuses a taken email with `CONFLICT` (the registration form must tell
//!   the user), and logging in does not require a verified email (hosts that do check
//!   [`AuthSession::email_verified`]).
//! - Secrets for the user's mailbox travel in the outbox event payload (`token`), for the
//!   host's mailer to put in a link; the stores keep only their SHA-256.
//! - Every input is checked before any store changes, so a failed call changes nothing
//!   (except the rate-limit counter, which counts attempts).

use super::Engine;
use crate::error::{KassaError, Result};
use crate::identity::{
    check_lifetime, invalid_token, login_failed, new_token_id, normalize_email, AccessClaims,
    Argon2Params, OneTimeToken, PasswordHasher, PasswordPolicy, RefreshFamily, Registration,
    RevokeReason, TokenIssuer, TokenPair, TokenPurpose, TokenStore, TokenSubject,
};
use crate::notify::AccountEvent;
use crate::ports::{RandomSource, UserRecord};
use crate::ratelimit::{EndpointClass, RateLimitConfig, RateLimitKey, RateLimitStore, RateLimiter};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The ports the identity flows use besides [`super::Ports`].
#[derive(Clone)]
pub struct AuthPorts {
    /// Refresh-token families and one-time tokens.
    pub tokens: Arc<dyn TokenStore>,
    /// Rate-limit state (shared by every instance of the service).
    pub rate_limits: Arc<dyn RateLimitStore>,
    /// Randomness for salts, token ids and one-time secrets. In-memory default:
    /// [`crate::memory::SeededRandom`] (deterministic, for tests and examples only);
    /// production hosts pass a source backed by the OS CSPRNG.
    pub random: Arc<dyn RandomSource>,
}

/// Settings of the identity flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct AuthConfig {
    /// argon2id parameters (default OWASP: m = 19 MiB, t = 2, p = 1).
    pub argon2: Argon2Params,
    /// Password rules for registration and reset.
    pub password_policy: PasswordPolicy,
    /// Rate-limit table (the flows use the `auth` class).
    pub rate_limits: RateLimitConfig,
    /// Lifetime of email-verification tokens in seconds (default 24 h).
    pub verification_ttl_seconds: i64,
    /// Lifetime of password-reset tokens in seconds (default 1 h).
    pub reset_ttl_seconds: i64,
    /// Roles a newly registered user gets (default `["customer"]`).
    pub default_roles: Vec<String>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            argon2: Argon2Params::default(),
            password_policy: PasswordPolicy::default(),
            rate_limits: RateLimitConfig::default(),
            verification_ttl_seconds: TokenPurpose::EmailVerification.default_ttl().num_seconds(),
            reset_ttl_seconds: TokenPurpose::PasswordReset.default_ttl().num_seconds(),
            default_roles: vec![super::ROLE_CUSTOMER.to_owned()],
        }
    }
}

/// The identity setup: ports, token issuer, hasher and limiter.
pub struct Auth {
    ports: AuthPorts,
    issuer: TokenIssuer,
    hasher: PasswordHasher,
    limiter: RateLimiter<Arc<dyn RateLimitStore>>,
    policy: PasswordPolicy,
    verification_ttl: Duration,
    reset_ttl: Duration,
    default_roles: Vec<String>,
}

impl Auth {
    /// Checks `config` and builds the setup over `ports` with the token `issuer` (its key
    /// ring and token lifetimes).
    pub fn new(ports: AuthPorts, issuer: TokenIssuer, config: AuthConfig) -> Result<Self> {
        config.rate_limits.validate()?;
        check_lifetime("verificationTtlSeconds", config.verification_ttl_seconds)?;
        check_lifetime("resetTtlSeconds", config.reset_ttl_seconds)?;
        let hasher = PasswordHasher::new(config.argon2)?;
        let limiter = RateLimiter::new(config.rate_limits, ports.rate_limits.clone());
        Ok(Auth {
            ports,
            issuer,
            hasher,
            limiter,
            policy: config.password_policy,
            verification_ttl: Duration::seconds(config.verification_ttl_seconds),
            reset_ttl: Duration::seconds(config.reset_ttl_seconds),
            default_roles: config.default_roles,
        })
    }

    /// The token issuer.
    pub fn issuer(&self) -> &TokenIssuer {
        &self.issuer
    }

    /// The token issuer, to rotate keys.
    pub fn issuer_mut(&mut self) -> &mut TokenIssuer {
        &mut self.issuer
    }

    /// The ports.
    pub fn ports(&self) -> &AuthPorts {
        &self.ports
    }
}

/// A login request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    /// Email as typed.
    pub email: String,
    /// Password as typed.
    pub password: String,
    /// The client address (IP or a host-chosen fingerprint) the attempt is limited by.
    pub client_address: String,
}

/// A user as the identity flows show it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// User id.
    pub user_id: String,
    /// Normalized email.
    pub email: String,
    /// Whether the email is verified.
    pub email_verified: bool,
    /// Role names.
    pub roles: Vec<String>,
    /// Display name (empty until the user sets one).
    #[serde(default)]
    pub name: String,
}

impl AccountView {
    pub(super) fn of(u: &UserRecord) -> Self {
        AccountView {
            user_id: u.id.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified,
            roles: u.roles.clone(),
            name: u.name.clone(),
        }
    }
}

/// A logged-in session: the tokens and the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AuthSession {
    /// Access and refresh tokens.
    pub tokens: TokenPair,
    /// The user id.
    pub user_id: String,
    /// Whether the email is verified.
    pub email_verified: bool,
}

impl Engine {
    /// Adds the identity setup (needed by the identity flows).
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The identity setup, if configured.
    pub fn auth(&self) -> Option<&Auth> {
        self.auth.as_ref()
    }

    /// The identity setup, to rotate keys.
    pub fn auth_mut(&mut self) -> Option<&mut Auth> {
        self.auth.as_mut()
    }

    fn require_auth(&self) -> Result<&Auth> {
        self.auth
            .as_ref()
            .ok_or_else(|| KassaError::internal("identity is not configured (Engine::with_auth)"))
    }

    async fn limit_client(&self, auth: &Auth, client_address: &str) -> Result<()> {
        let key = RateLimitKey::client(EndpointClass::Auth, client_address);
        auth.limiter
            .check_async(&key, self.now())
            .await?
            .into_result()
    }

    async fn send_one_time(
        &self,
        auth: &Auth,
        user: &UserRecord,
        purpose: TokenPurpose,
        ttl: Duration,
    ) -> Result<()> {
        let now = self.now();
        let (token, record) =
            OneTimeToken::issue(purpose, &user.id, auth.ports.random.as_ref(), now, ttl)?;
        let event = AccountEvent {
            user_id: user.id.clone(),
            email: user.email.clone(),
            purpose,
            token,
            expires_at: record.expires_at,
        };
        let outbox = event.to_outbox(now)?;
        auth.ports.tokens.save_one_time(record).await?;
        self.ports.events.publish(outbox).await
    }

    /// Registers a user: checks email and password, hashes the password (argon2id), stores
    /// the user (unverified, with the default roles) and emits
    /// `email_verification_requested` carrying the verification token. A taken email is
    /// `CONFLICT`; a bad email or password is `VALIDATION_ERROR` naming the field.
    pub async fn register(
        &self,
        registration: &Registration,
        client_address: &str,
    ) -> Result<AccountView> {
        let auth = self.require_auth()?;
        self.limit_client(auth, client_address).await?;
        let valid = registration.validate(&auth.policy)?;
        if self
            .ports
            .users
            .find_by_email(&valid.email)
            .await?
            .is_some()
        {
            return Err(KassaError::conflict("email is already registered")
                .with_detail("email", "already registered"));
        }
        let password_hash = auth
            .hasher
            .hash(&registration.password, auth.ports.random.as_ref())?;
        let user = UserRecord {
            id: self.ports.ids.next_id("user"),
            email: valid.email,
            name: String::new(),
            roles: auth.default_roles.clone(),
            password_hash: Some(password_hash),
            email_verified: false,
            created_at: self.now(),
            version: 0,
        };
        let user = self.ports.users.insert_user(user).await?;
        self.send_one_time(
            auth,
            &user,
            TokenPurpose::EmailVerification,
            auth.verification_ttl,
        )
        .await?;
        Ok(AccountView::of(&user))
    }

    /// Sends a new verification token to an unverified user (`Ok` and nothing sent when
    /// the email is unknown or already verified). Limited by client address.
    pub async fn resend_verification(&self, email: &str, client_address: &str) -> Result<()> {
        let auth = self.require_auth()?;
        self.limit_client(auth, client_address).await?;
        let Ok(email) = normalize_email(email) else {
            return Ok(());
        };
        match self.ports.users.find_by_email(&email).await? {
            Some(user) if !user.email_verified => {
                self.send_one_time(
                    auth,
                    &user,
                    TokenPurpose::EmailVerification,
                    auth.verification_ttl,
                )
                .await
            }
            _ => Ok(()),
        }
    }

    /// Verifies an email with the token of `email_verification_requested`. A token is
    /// single use and expires; every rejection is the generic invalid-token error. Limited
    /// by client address (auth class).
    ///
    /// The token is checked, the user updated (compare-and-set), and only then is the
    /// token redeemed: a failed update leaves the token valid for a retry.
    pub async fn verify_email(&self, token: &str, client_address: &str) -> Result<AccountView> {
        let auth = self.require_auth()?;
        self.limit_client(auth, client_address).await?;
        let presented = OneTimeToken::parse(token)?;
        let now = self.now();
        let user_id = auth
            .ports
            .tokens
            .check_one_time(&presented, TokenPurpose::EmailVerification, now)
            .await?
            .into_result()?;
        let mut user = self
            .ports
            .users
            .get_user(&user_id)
            .await?
            .ok_or_else(invalid_token)?;
        if !user.email_verified {
            user.email_verified = true;
            user = self.ports.users.update_user(user).await?;
        }
        auth.ports
            .tokens
            .redeem_one_time(&presented, TokenPurpose::EmailVerification, now)
            .await?
            .into_result()?;
        Ok(AccountView::of(&user))
    }

    /// Logs in: rate limit (auth class, by client address), then the password check. An
    /// unknown email and a wrong password give the same `UNAUTHENTICATED`. A hash under old
    /// argon2 parameters is replaced after a successful check. Starts a refresh family.
    pub async fn login(&self, request: &LoginRequest) -> Result<AuthSession> {
        let auth = self.require_auth()?;
        self.limit_client(auth, &request.client_address).await?;
        let user = match normalize_email(&request.email) {
            Ok(email) => self.ports.users.find_by_email(&email).await?,
            Err(_) => None,
        };
        let Some(mut user) = user else {
            auth.hasher.verify_dummy(&request.password);
            return Err(login_failed());
        };
        let Some(stored) = user.password_hash.clone() else {
            auth.hasher.verify_dummy(&request.password);
            return Err(login_failed());
        };
        let check = auth.hasher.verify(&request.password, &stored)?;
        if !check.valid {
            return Err(login_failed());
        }
        if check.needs_rehash {
            user.password_hash = Some(
                auth.hasher
                    .hash(&request.password, auth.ports.random.as_ref())?,
            );
            user = self.ports.users.update_user(user).await?;
        }
        let now = self.now();
        let subject = TokenSubject {
            user_id: user.id.clone(),
            roles: user.roles.clone(),
            customer_groups: Vec::new(),
        };
        let pair = auth
            .issuer
            .issue_pair(&subject, auth.ports.random.as_ref(), now)?;
        let family = RefreshFamily::start(
            &pair.family_id,
            &user.id,
            &pair.refresh_jti,
            now,
            Duration::seconds(auth.issuer.config().refresh_ttl_seconds),
        );
        auth.ports.tokens.create_family(family).await?;
        Ok(AuthSession {
            tokens: pair,
            user_id: user.id,
            email_verified: user.email_verified,
        })
    }

    /// Exchanges a refresh token for a new pair in the same family. Refresh tokens are
    /// single use: presenting one that was already used revokes the whole family, so the
    /// newest token of the family stops working too.
    pub async fn refresh(&self, refresh_token: &str, client_address: &str) -> Result<AuthSession> {
        let auth = self.require_auth()?;
        self.limit_client(auth, client_address).await?;
        let now = self.now();
        let claims = auth.issuer.verify_refresh(refresh_token, now)?;
        let next_jti = new_token_id(auth.ports.random.as_ref())?;
        // load the user first: a deleted user gets no rotation
        let user = self
            .ports
            .users
            .get_user(&claims.user_id)
            .await?
            .ok_or_else(invalid_token)?;
        auth.ports
            .tokens
            .rotate_refresh(
                &claims.family_id,
                &claims.user_id,
                &claims.jti,
                &next_jti,
                now,
                Duration::seconds(auth.issuer.config().refresh_ttl_seconds),
            )
            .await?
            .into_result()?;
        let subject = TokenSubject {
            user_id: user.id.clone(),
            roles: user.roles.clone(),
            customer_groups: Vec::new(),
        };
        let pair = auth.issuer.issue_pair_in_family(
            &subject,
            &claims.family_id,
            &next_jti,
            auth.ports.random.as_ref(),
            now,
        )?;
        Ok(AuthSession {
            tokens: pair,
            user_id: user.id,
            email_verified: user.email_verified,
        })
    }

    /// Logs out the session of a refresh token: revokes its family, so neither its refresh
    /// tokens nor (through [`Engine::authenticate`]) its access tokens are honoured.
    /// Logging out an already revoked session is `Ok`.
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let auth = self.require_auth()?;
        let now = self.now();
        let claims = auth.issuer.verify_refresh(refresh_token, now)?;
        let family = auth
            .ports
            .tokens
            .get_family(&claims.family_id)
            .await?
            .filter(|f| f.user_id == claims.user_id)
            .ok_or_else(invalid_token)?;
        auth.ports
            .tokens
            .revoke_family(&family.family_id, RevokeReason::Logout, now)
            .await?;
        Ok(())
    }

    /// Logs a user out everywhere (every active family). Returns how many sessions ended.
    pub async fn logout_everywhere(&self, access_token: &str) -> Result<usize> {
        let auth = self.require_auth()?;
        let claims = self.authenticate(access_token).await?;
        auth.ports
            .tokens
            .revoke_user(&claims.user_id, RevokeReason::Logout, self.now())
            .await
    }

    /// Verifies an access token and that its session is still active (not logged out, not
    /// revoked by reuse or a password reset).
    pub async fn authenticate(&self, access_token: &str) -> Result<AccessClaims> {
        let auth = self.require_auth()?;
        let now = self.now();
        let claims = auth.issuer.verify_access(access_token, now)?;
        let active = auth
            .ports
            .tokens
            .get_family(&claims.family_id)
            .await?
            .is_some_and(|f| {
                f.user_id == claims.user_id && f.status == crate::identity::FamilyStatus::Active
            });
        if active {
            Ok(claims)
        } else {
            Err(invalid_token())
        }
    }

    /// Deletes the refresh-token families and one-time tokens that can no longer be used
    /// (see [`TokenStore::purge_expired`]); a host runs it periodically to bound the token
    /// store. The cut-off is the clock minus the validation leeway and the access-token
    /// lifetime: every token of a purged family, access tokens included, is already refused
    /// as expired, so purging changes no answer except `UnknownFamily` for a record nobody
    /// can present any more.
    pub async fn purge_expired_tokens(&self) -> Result<crate::identity::PurgedTokens> {
        let auth = self.require_auth()?;
        let config = auth.issuer.config();
        // both are bounded by the issuer's validation; a margin that does not fit purges nothing
        let margin = Duration::try_seconds(config.leeway_seconds.max(0))
            .zip(Duration::try_seconds(config.access_ttl_seconds.max(0)))
            .and_then(|(leeway, access)| leeway.checked_add(&access));
        let before = margin
            .and_then(|m| self.now().checked_sub_signed(m))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        auth.ports.tokens.purge_expired(before).await
    }

    /// Starts a password reset: when the email is known, emits `password_reset_requested`
    /// carrying the reset token. Always `Ok` (an unknown email is not revealed). Limited by
    /// client address.
    pub async fn forgot_password(&self, email: &str, client_address: &str) -> Result<()> {
        let auth = self.require_auth()?;
        self.limit_client(auth, client_address).await?;
        let Ok(email) = normalize_email(email) else {
            return Ok(());
        };
        match self.ports.users.find_by_email(&email).await? {
            Some(user) => {
                self.send_one_time(auth, &user, TokenPurpose::PasswordReset, auth.reset_ttl)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Sets a new password with a reset token (single use, expiring), then revokes every
    /// session of the user. The new password is checked before the token is used, so a
    /// weak password leaves the token valid. A successful reset also verifies the email
    /// (the user proved they read it). Limited by client address (auth class).
    ///
    /// Order: check the token (not used up), update the user with compare-and-set, then
    /// redeem the token. A failed update (store down, concurrent change) leaves the token
    /// valid; two concurrent resets with one token cannot both win: they race on the user's
    /// version, and a reset whose redemption loses puts the previous password back.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        client_address: &str,
    ) -> Result<()> {
        let auth = self.require_auth()?;
        self.limit_client(auth, client_address).await?;
        let presented = OneTimeToken::parse(token)?;
        auth.policy.check(new_password, "password")?;
        let now = self.now();
        let user_id = auth
            .ports
            .tokens
            .check_one_time(&presented, TokenPurpose::PasswordReset, now)
            .await?
            .into_result()?;
        let password_hash = auth.hasher.hash(new_password, auth.ports.random.as_ref())?;
        let previous = self
            .ports
            .users
            .get_user(&user_id)
            .await?
            .ok_or_else(invalid_token)?;
        let mut user = previous.clone();
        user.password_hash = Some(password_hash);
        user.email_verified = true;
        let saved = self.ports.users.update_user(user).await?;
        let redeemed = auth
            .ports
            .tokens
            .redeem_one_time(&presented, TokenPurpose::PasswordReset, now)
            .await;
        if !matches!(
            redeemed,
            Ok(crate::identity::RedeemOutcome::Redeemed { .. })
        ) {
            // another request used the token meanwhile: undo this one's change
            let restore = UserRecord {
                version: saved.version,
                ..previous
            };
            let _ = self.ports.users.update_user(restore).await;
            return redeemed.and_then(|o| o.into_result()).map(|_| ());
        }
        auth.ports
            .tokens
            .revoke_user(&user_id, RevokeReason::PasswordReset, now)
            .await?;
        Ok(())
    }
}
