//! Account use cases beyond signing in: verify the e-mail, reset and change
//! the password, list and end sessions, export and close the account.

use kernel::{Ctx, FieldError};

use super::{AccountService, hashing, store};
use crate::account::{SessionInfo, TokenPurpose, redeemable};
use crate::closure::write_closure;
use crate::error::IdentityError;
use crate::values::{Email, Password};

impl AccountService {
    /// Confirms the e-mail with a token from the verification e-mail.
    pub async fn verify_email(&self, token: &str) -> Result<(), IdentityError> {
        let now = self.clock.now();
        let found = self
            .account_tokens
            .find(&self.issuer.hash_refresh(token))
            .await
            .map_err(store)?;
        let token = redeemable(found, TokenPurpose::VerifyEmail, now)?;
        if self
            .account_tokens
            .redeem_verification(&token, now)
            .await
            .map_err(store)?
        {
            Ok(())
        } else {
            Err(IdentityError::TokenUsed)
        }
    }

    /// Sends a new verification e-mail, invalidating the previous token. An
    /// already verified address gets none (and the call still succeeds).
    pub async fn resend_verification(&self, ctx: &Ctx) -> Result<(), IdentityError> {
        let user = self.users.find_by_id(ctx.user_id).await.map_err(store)?;
        let user = user.ok_or(IdentityError::UserNotFound)?;
        if user.email_verified {
            return Ok(());
        }
        let token = self.pending(TokenPurpose::VerifyEmail, &user.first_name);
        self.account_tokens
            .issue(user.id, token)
            .await
            .map_err(store)
    }

    /// Sends a reset e-mail when the address belongs to an account that may
    /// sign in; does nothing otherwise. The caller answers alike either way.
    pub async fn request_password_reset(&self, email: &str) -> Result<(), IdentityError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let Some(found) = self.users.find_by_email(&email).await.map_err(store)? else {
            return Ok(());
        };
        if found.user.ensure_may_sign_in().is_err() {
            return Ok(());
        }
        let token = self.pending(TokenPurpose::PasswordReset, &found.user.first_name);
        self.account_tokens
            .issue(found.user.id, token)
            .await
            .map_err(store)
    }

    /// Sets a new password with a reset token; every session of the user ends.
    pub async fn confirm_password_reset(
        &self,
        token: &str,
        new_password: &str,
    ) -> Result<(), IdentityError> {
        let password = Password::parse(new_password)
            .map_err(|e| IdentityError::Validation(vec![renamed(e, "new_password")]))?;
        let now = self.clock.now();
        let found = self
            .account_tokens
            .find(&self.issuer.hash_refresh(token))
            .await
            .map_err(store)?;
        let token = redeemable(found, TokenPurpose::PasswordReset, now)?;
        let hash = self.hasher.hash(password.expose()).await.map_err(hashing)?;
        if self
            .account_tokens
            .redeem_reset(&token, hash, now)
            .await
            .map_err(store)?
        {
            Ok(())
        } else {
            Err(IdentityError::TokenUsed)
        }
    }

    /// Changes the password given the current one; every other session ends.
    /// A wrong current password is `WrongPassword` (the caller counts it
    /// toward the login throttle).
    pub async fn change_password(
        &self,
        ctx: &Ctx,
        session: Option<&str>,
        current: &str,
        new_password: &str,
    ) -> Result<(), IdentityError> {
        self.check_password(ctx, current, "current_password")
            .await?;
        let password = Password::parse(new_password)
            .map_err(|e| IdentityError::Validation(vec![renamed(e, "new_password")]))?;
        let hash = self.hasher.hash(password.expose()).await.map_err(hashing)?;
        self.users
            .set_password(
                ctx.user_id,
                hash,
                session.map(str::to_owned),
                self.clock.now(),
            )
            .await
            .map_err(store)
    }

    /// The caller's live sessions, the current one marked.
    pub async fn sessions(
        &self,
        ctx: &Ctx,
        current: Option<&str>,
    ) -> Result<Vec<SessionInfo>, IdentityError> {
        let mut sessions = self
            .tokens
            .sessions(ctx.user_id, self.clock.now())
            .await
            .map_err(store)?;
        for s in &mut sessions {
            s.current = current == Some(s.id.as_str());
        }
        Ok(sessions)
    }

    /// Ends one of the caller's sessions; another user's id is not found.
    pub async fn revoke_session(&self, ctx: &Ctx, id: &str) -> Result<(), IdentityError> {
        if self
            .tokens
            .revoke_session(ctx.user_id, id, self.clock.now())
            .await
            .map_err(store)?
        {
            Ok(())
        } else {
            Err(IdentityError::SessionNotFound)
        }
    }

    /// The caller's own data as JSON.
    pub async fn export(&self, ctx: &Ctx) -> Result<serde_json::Value, IdentityError> {
        self.closure.export(ctx.user_id).await.map_err(store)
    }

    /// Closes the caller's account after checking the password, in one unit
    /// of work ([`write_closure`] says what it writes and when it refuses).
    pub async fn close_account(&self, ctx: &Ctx, password: &str) -> Result<(), IdentityError> {
        self.check_password(ctx, password, "password").await?;
        let user = self.users.find_by_id(ctx.user_id).await.map_err(store)?;
        let user = user.ok_or(IdentityError::UserNotFound)?.id;
        let mut unit = self.closures.begin().await.map_err(store)?;
        write_closure(unit.as_mut(), user, self.clock.now()).await?;
        unit.commit().await.map_err(store)
    }

    async fn check_password(
        &self,
        ctx: &Ctx,
        password: &str,
        field: &'static str,
    ) -> Result<(), IdentityError> {
        let hash = self.users.password_hash(ctx.user_id).await.map_err(store)?;
        let known = hash.is_some();
        if self.hasher.verify(password, hash).await.map_err(hashing)? && known {
            Ok(())
        } else {
            Err(IdentityError::WrongPassword(field))
        }
    }
}

/// A password rule's error under the body field it came from.
fn renamed(e: FieldError, field: &str) -> FieldError {
    FieldError::new(field, e.message)
}
