//! What an account needs besides signing in (SPEC §4 Accounts): one-time
//! tokens for e-mail verification and password reset with the e-mails that
//! carry them, the sessions a user sees, and the rule for closing an account.

use chrono::Duration;
use kernel::{TenantId, Timestamp, UserId};

use crate::error::IdentityError;

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// Confirms the e-mail address (valid 24 h).
    VerifyEmail,
    /// Sets a new password (valid 1 h).
    PasswordReset,
}

impl TokenPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::VerifyEmail, Self::PasswordReset]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// How long a token of this purpose stays valid.
    pub fn ttl(self) -> Duration {
        match self {
            Self::VerifyEmail => Duration::hours(24),
            Self::PasswordReset => Duration::hours(1),
        }
    }
}

/// A stored one-time token (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    /// Row id.
    pub id: i64,
    pub user_id: UserId,
    /// What for.
    pub purpose: TokenPurpose,
    /// End of validity.
    pub expires_at: Timestamp,
    /// Set once, when redeemed or replaced by a newer token.
    pub used_at: Option<Timestamp>,
}

/// An e-mail to the account's own address, queued in the outbox with the
/// change that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountMail {
    /// Template name (`account.verify_email`).
    pub template: &'static str,
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// A token to store with the e-mail that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingToken {
    /// What for.
    pub purpose: TokenPurpose,
    /// SHA-256 of the secret.
    pub token_hash: String,
    /// End of validity.
    pub expires_at: Timestamp,
    /// When, from the use case's clock.
    pub created_at: Timestamp,
    /// The e-mail carrying the plain secret.
    pub mail: AccountMail,
}

/// Where the e-mailed links point: `server.public_url`, the address the
/// frontends route (`{public_url}/verify-email?token=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLinks {
    public_url: String,
}

impl AccountLinks {
    /// Links under `public_url` (a trailing `/` is ignored).
    pub fn new(public_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The e-mail that carries a token of `purpose`.
    pub fn mail(&self, purpose: TokenPurpose, first_name: &str, secret: &str) -> AccountMail {
        let base = &self.public_url;
        match purpose {
            TokenPurpose::VerifyEmail => AccountMail {
                template: "account.verify_email",
                subject: "Confirm your e-mail address".into(),
                body: format!(
                    "Hello {first_name},\n\nconfirm your e-mail address by opening\n\
                     {base}/verify-email?token={secret}\n\nThe link is valid for 24 hours.\n"
                ),
            },
            TokenPurpose::PasswordReset => AccountMail {
                template: "account.password_reset",
                subject: "Reset your password".into(),
                body: format!(
                    "Hello {first_name},\n\nset a new password by opening\n\
                     {base}/reset-password?token={secret}\n\nThe link is valid for one hour \
                     and works once. If you did not ask for it, ignore this e-mail.\n"
                ),
            },
        }
    }
}

/// The rule for redeeming a token: it must exist, be of this purpose, unused
/// and unexpired. Unknown and wrong-purpose tokens fail alike.
pub fn redeemable(
    found: Option<OneTimeToken>,
    purpose: TokenPurpose,
    now: Timestamp,
) -> Result<OneTimeToken, IdentityError> {
    match found {
        Some(t) if t.purpose == purpose => {
            if t.used_at.is_some() {
                Err(IdentityError::TokenUsed)
            } else if t.expires_at <= now {
                Err(IdentityError::TokenExpired)
            } else {
                Ok(t)
            }
        }
        _ => Err(IdentityError::TokenInvalid),
    }
}

/// One session as its user sees it: a refresh-token family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The family id (the session's id).
    pub id: String,
    /// When the user signed in.
    pub created_at: Timestamp,
    /// When its token was last issued (sign-in or refresh).
    pub last_used_at: Timestamp,
    /// The client's `User-Agent` at its last use.
    pub user_agent: Option<String>,
    /// Whether this is the session of the calling access token.
    pub current: bool,
}

/// What stands in the way of closing an account, as counted in storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosureBlockers {
    /// Jobs the user is a party to that are not finished (`new`,
    /// `in_progress`, `completed` and not yet paid).
    pub open_jobs: i64,
    /// Pending disputes on the user's jobs.
    pub open_disputes: i64,
    /// Other members of a tenant the user is the only owner of.
    pub other_staff: i64,
    /// The tenant the user owns alone (closed read-only with the account).
    pub sole_owner_of: Option<TenantId>,
}

impl ClosureBlockers {
    /// The closing rule: refused (409) naming every blocker; otherwise the
    /// tenant to close with the account, if any.
    pub fn check(&self) -> Result<Option<TenantId>, IdentityError> {
        let mut reasons = Vec::new();
        if self.open_jobs > 0 {
            reasons.push(format!("{} open job(s)", self.open_jobs));
        }
        if self.open_disputes > 0 {
            reasons.push(format!("{} open dispute(s)", self.open_disputes));
        }
        if self.other_staff > 0 {
            reasons.push(format!(
                "the only owner of a tenant with {} other member(s): hand ownership over first",
                self.other_staff
            ));
        }
        if reasons.is_empty() {
            Ok(self.sole_owner_of)
        } else {
            Err(IdentityError::AccountInUse(reasons.join("; ")))
        }
    }
}

/// The placeholder e-mail of a closed account: unique (the user id) and in a
/// reserved domain that can never receive mail.
pub fn placeholder_email(user: UserId) -> String {
    format!("deleted-{}@deleted.invalid", user.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 30, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn token(used: Option<Timestamp>) -> OneTimeToken {
        OneTimeToken {
            id: 1,
            user_id: UserId(7),
            purpose: TokenPurpose::PasswordReset,
            expires_at: at(2),
            used_at: used,
        }
    }

    #[test]
    fn a_token_is_redeemable_once_before_it_expires() {
        let p = TokenPurpose::PasswordReset;
        assert!(redeemable(Some(token(None)), p, at(1)).is_ok());
        assert!(matches!(
            redeemable(Some(token(None)), p, at(2)),
            Err(IdentityError::TokenExpired)
        ));
        assert!(matches!(
            redeemable(Some(token(Some(at(1)))), p, at(1)),
            Err(IdentityError::TokenUsed)
        ));
        assert!(matches!(
            redeemable(None, p, at(1)),
            Err(IdentityError::TokenInvalid)
        ));
        assert!(matches!(
            redeemable(Some(token(None)), TokenPurpose::VerifyEmail, at(1)),
            Err(IdentityError::TokenInvalid)
        ));
    }

    #[test]
    fn lifetimes_follow_the_spec() {
        assert_eq!(TokenPurpose::VerifyEmail.ttl(), Duration::hours(24));
        assert_eq!(TokenPurpose::PasswordReset.ttl(), Duration::hours(1));
    }

    #[test]
    fn closing_names_every_blocker() {
        let clear = ClosureBlockers {
            sole_owner_of: Some(TenantId(3)),
            ..Default::default()
        };
        assert_eq!(clear.check().ok(), Some(Some(TenantId(3))));
        let blocked = ClosureBlockers {
            open_jobs: 2,
            open_disputes: 1,
            other_staff: 1,
            sole_owner_of: Some(TenantId(3)),
        };
        let Err(IdentityError::AccountInUse(why)) = blocked.check() else {
            panic!("closing should be refused");
        };
        assert!(why.contains("2 open job(s)"), "{why}");
        assert!(why.contains("1 open dispute(s)"), "{why}");
        assert!(why.contains("hand ownership over"), "{why}");
    }

    #[test]
    fn links_carry_the_secret_under_the_public_url() {
        let links = AccountLinks::new("https://stm.example/");
        let mail = links.mail(TokenPurpose::VerifyEmail, "Ann", "abc");
        assert!(
            mail.body
                .contains("https://stm.example/verify-email?token=abc")
        );
        assert_eq!(mail.template, "account.verify_email");
    }
}
