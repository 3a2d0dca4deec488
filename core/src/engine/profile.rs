//! Profile flows: a user reads and renames its own profile; staff read any; another
//! customer's profile is `NOT_FOUND`.

use super::auth::AccountView;
use super::{Engine, Principal};
use crate::error::{KassaError, Result};

/// The name a profile may carry: at most this many characters.
pub const MAX_PROFILE_NAME_CHARS: usize = 200;

impl Engine {
    async fn load_profile(
        &self,
        actor: &Principal,
        user_id: &str,
        action: &str,
    ) -> Result<crate::ports::UserRecord> {
        self.authorize_kind(actor, "profiles", action)?;
        let user = self
            .ports
            .users
            .get_user(user_id)
            .await?
            .ok_or_else(|| KassaError::not_found("profile", user_id))?;
        self.authorize_owned(actor, "profiles", action, user_id, &user.id)?;
        Ok(user)
    }

    /// A user's profile (never the password hash). Needs `profiles:read` (customers: their
    /// own only; another's is `NOT_FOUND`).
    pub async fn profile(&self, actor: &Principal, user_id: &str) -> Result<AccountView> {
        let user = self.load_profile(actor, user_id, "read").await?;
        Ok(AccountView::of(&user))
    }

    /// Renames a profile. Needs `profiles:update` (customers: their own only). The name is
    /// trimmed, at most [`MAX_PROFILE_NAME_CHARS`] characters.
    pub async fn update_profile_name(
        &self,
        actor: &Principal,
        user_id: &str,
        name: &str,
    ) -> Result<AccountView> {
        let name = name.trim();
        if name.chars().count() > MAX_PROFILE_NAME_CHARS {
            return Err(KassaError::validation(
                "name",
                format!("at most {MAX_PROFILE_NAME_CHARS} characters"),
            ));
        }
        let mut user = self.load_profile(actor, user_id, "update").await?;
        user.name = name.to_owned();
        let saved = self.ports.users.update_user(user).await?;
        Ok(AccountView::of(&saved))
    }
}
