//! Account use cases: register, login, refresh, logout, profile, bootstrap admin.

use std::sync::Arc;

use kernel::{Clock, Ctx, FieldError, Role, StoreError, UserId, Zipcode};

use crate::account::{AccountLinks, PendingToken, TokenPurpose};
use crate::closure::ClosureUnits;
use crate::error::IdentityError;
use crate::model::{CustomerProfile, NewRefreshToken, NewUser, Profile, Session, User};
pub use crate::ports::AccountPorts;
use crate::ports::{
    AccountClosure, AccountTokenRepository, HashError, PasswordHasher, RefreshTokenRepository,
    RegionLookup, TokenIssuer, UserRepository,
};
use crate::values::{Email, Password, PersonName, Phone};

pub use crate::commands::{LoginCommand, RegisterCommand, TokenPolicy};

/// The account use cases, over their ports.
#[derive(Clone)]
pub struct AccountService {
    users: Arc<dyn UserRepository>,
    tokens: Arc<dyn RefreshTokenRepository>,
    hasher: Arc<dyn PasswordHasher>,
    issuer: Arc<dyn TokenIssuer>,
    regions: Arc<dyn RegionLookup>,
    account_tokens: Arc<dyn AccountTokenRepository>,
    closure: Arc<dyn AccountClosure>,
    pub(crate) closures: Arc<dyn ClosureUnits>,
    clock: Arc<dyn Clock>,
    policy: TokenPolicy,
    links: AccountLinks,
}

impl std::fmt::Debug for AccountService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountService")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn internal(e: impl std::fmt::Display) -> IdentityError {
    IdentityError::Internal(e.to_string())
}

fn hashing(e: HashError) -> IdentityError {
    match e {
        HashError::Busy => IdentityError::Busy,
        HashError::Failed(why) => IdentityError::Internal(why),
    }
}

fn store(e: StoreError) -> IdentityError {
    match e {
        StoreError::Conflict(kernel::Constraint::UserEmail) => IdentityError::EmailTaken,
        other => IdentityError::Store(other),
    }
}

struct ValidRegistration {
    email: Email,
    password: Password,
    first_name: PersonName,
    last_name: PersonName,
    role: Role,
    phone: Option<Phone>,
    zipcode: Option<Zipcode>,
}

fn keep_valid<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// The roles an account may register itself with (LSMs and admins are created
/// by an admin).
pub const SELF_SERVICE_ROLES: [Role; 2] = [Role::Customer, Role::Provider];

/// Validates every field, reporting all problems at once.
fn validate(cmd: &RegisterCommand) -> Result<ValidRegistration, IdentityError> {
    let mut errors = Vec::new();
    let email = keep_valid(&mut errors, Email::parse(&cmd.email));
    let password = keep_valid(&mut errors, Password::parse(&cmd.password));
    let first_name = keep_valid(
        &mut errors,
        PersonName::parse("first_name", &cmd.first_name),
    );
    let last_name = keep_valid(&mut errors, PersonName::parse("last_name", &cmd.last_name));
    let role = keep_valid(
        &mut errors,
        SELF_SERVICE_ROLES
            .into_iter()
            .find(|r| r.as_str() == cmd.role)
            .ok_or_else(|| FieldError::new("role", "must be `customer` or `provider`")),
    );
    let phone = cmd
        .phone
        .as_deref()
        .map(|p| keep_valid(&mut errors, Phone::parse(p)));
    let zipcode = cmd.zipcode.as_deref().map(|z| {
        keep_valid(
            &mut errors,
            Zipcode::parse(z).map_err(|e| FieldError::new("zipcode", e.to_string())),
        )
    });
    match (email, password, first_name, last_name, role) {
        (Some(email), Some(password), Some(first_name), Some(last_name), Some(role))
            if errors.is_empty() =>
        {
            Ok(ValidRegistration {
                email,
                password,
                first_name,
                last_name,
                role,
                phone: phone.flatten(),
                zipcode: zipcode.flatten(),
            })
        }
        _ => Err(IdentityError::Validation(errors)),
    }
}

impl AccountService {
    /// Builds the service.
    pub fn new(ports: AccountPorts, policy: TokenPolicy) -> Self {
        let AccountPorts {
            users,
            tokens,
            hasher,
            issuer,
            regions,
            account_tokens,
            closure,
            closures,
            clock,
        } = ports;
        Self {
            users,
            tokens,
            hasher,
            issuer,
            regions,
            account_tokens,
            closure,
            closures,
            clock,
            policy,
            links: AccountLinks::new("http://localhost:8080"),
        }
    }

    /// Where e-mailed links point (`server.public_url`).
    pub fn with_links(mut self, links: AccountLinks) -> Self {
        self.links = links;
        self
    }

    /// A fresh token of `purpose` for `first_name`'s e-mail.
    fn pending(&self, purpose: TokenPurpose, first_name: &str) -> PendingToken {
        let now = self.clock.now();
        let secret = self.issuer.new_refresh_secret();
        PendingToken {
            purpose,
            token_hash: secret.hash,
            expires_at: now + purpose.ttl(),
            created_at: now,
            mail: self.links.mail(purpose, first_name, &secret.plain),
        }
    }

    /// Registers a customer or a provider and signs them in.
    pub async fn register(&self, cmd: RegisterCommand) -> Result<Session, IdentityError> {
        let valid = validate(&cmd)?;
        let password_hash = self
            .hasher
            .hash(valid.password.expose())
            .await
            .map_err(hashing)?;
        let customer = (valid.role == Role::Customer).then(|| CustomerProfile {
            region_code: valid
                .zipcode
                .as_ref()
                .and_then(|z| self.regions.region_for(z)),
            zipcode: valid.zipcode.clone(),
        });
        let verification = self.pending(TokenPurpose::VerifyEmail, valid.first_name.as_str());
        let user = self
            .users
            .create(NewUser {
                email: valid.email,
                password_hash,
                first_name: valid.first_name,
                last_name: valid.last_name,
                phone: valid.phone,
                roles: vec![valid.role],
                customer,
                verification: Some(verification),
                created_at: self.clock.now(),
            })
            .await
            .map_err(store)?;
        let family = self.issuer.new_family_id();
        self.open_session(user, family, cmd.user_agent).await
    }

    /// Checks credentials and signs in. Unknown e-mail and wrong password fail alike.
    pub async fn login(&self, cmd: LoginCommand) -> Result<Session, IdentityError> {
        let found = match Email::parse(&cmd.email) {
            Ok(email) => self.users.find_by_email(&email).await.map_err(store)?,
            Err(_) => None,
        };
        let hash = found.as_ref().map(|f| f.password_hash.clone());
        let verified = self
            .hasher
            .verify(&cmd.password, hash)
            .await
            .map_err(hashing)?;
        let user = match found {
            Some(found) if verified => found.user,
            _ => return Err(IdentityError::InvalidCredentials),
        };
        user.ensure_may_sign_in()?;
        let family = self.issuer.new_family_id();
        self.open_session(user, family, cmd.user_agent).await
    }

    /// Exchanges a refresh token for a new pair. A token used twice revokes its whole family.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        user_agent: Option<String>,
    ) -> Result<Session, IdentityError> {
        let now = self.clock.now();
        let hash = self.issuer.hash_refresh(refresh_token);
        let record = self.tokens.find_by_hash(&hash).await.map_err(store)?;
        let record = record.ok_or(IdentityError::InvalidRefreshToken)?;
        if record.revoked_at.is_some() {
            revoke_family(&*self.tokens, &record.family_id, now).await?;
            return Err(IdentityError::RefreshTokenReused);
        }
        if record.expires_at <= now {
            return Err(IdentityError::InvalidRefreshToken);
        }
        let user = self.users.find_by_id(record.user_id).await.map_err(store)?;
        let user = user.ok_or(IdentityError::InvalidRefreshToken)?;
        if let Err(e) = user.ensure_may_sign_in() {
            revoke_family(&*self.tokens, &record.family_id, now).await?;
            return Err(e);
        }
        let secret = self.issuer.new_refresh_secret();
        let next = NewRefreshToken {
            user_id: user.id,
            token_hash: secret.hash,
            family_id: record.family_id.clone(),
            expires_at: now + self.policy.refresh_ttl,
            created_at: now,
            user_agent,
        };
        if !self
            .tokens
            .rotate(record.id, next, now)
            .await
            .map_err(store)?
        {
            // Lost a race with another use of the same token: treat as reuse.
            revoke_family(&*self.tokens, &record.family_id, now).await?;
            return Err(IdentityError::RefreshTokenReused);
        }
        let access = self
            .issuer
            .issue_access(&user, &record.family_id)
            .map_err(internal)?;
        Ok(Session {
            user,
            access,
            refresh_token: secret.plain,
        })
    }

    /// Revokes the session a refresh token belongs to. Unknown tokens are ignored.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), IdentityError> {
        let hash = self.issuer.hash_refresh(refresh_token);
        if let Some(record) = self.tokens.find_by_hash(&hash).await.map_err(store)? {
            revoke_family(&*self.tokens, &record.family_id, self.clock.now()).await?;
        }
        Ok(())
    }

    /// The caller with their profiles.
    pub async fn me(&self, ctx: &Ctx) -> Result<Profile, IdentityError> {
        self.users
            .profile(ctx.user_id)
            .await
            .map_err(store)?
            .ok_or(IdentityError::UserNotFound)
    }

    /// The caller's account row alone (no roles or profiles joined), e.g. to
    /// throttle a password check by its e-mail.
    pub async fn account(&self, ctx: &Ctx) -> Result<User, IdentityError> {
        self.users
            .find_by_id(ctx.user_id)
            .await
            .map_err(store)?
            .ok_or(IdentityError::UserNotFound)
    }

    /// Makes sure an admin with this e-mail exists: creates one, or grants the
    /// role to an existing user (whose password is left alone). Returns the user id.
    pub async fn ensure_admin(&self, email: &str, password: &str) -> Result<UserId, IdentityError> {
        let email = Email::parse(email).map_err(|e| IdentityError::Validation(vec![e]))?;
        if let Some(existing) = self.users.find_by_email(&email).await.map_err(store)? {
            self.users
                .grant_role(existing.user.id, Role::Admin, self.clock.now())
                .await
                .map_err(store)?;
            return Ok(existing.user.id);
        }
        let password = Password::parse(password).map_err(|e| IdentityError::Validation(vec![e]))?;
        let password_hash = self.hasher.hash(password.expose()).await.map_err(hashing)?;
        let name =
            |s: &str| PersonName::parse("name", s).map_err(|e| IdentityError::Validation(vec![e]));
        let user = self
            .users
            .create(NewUser {
                email,
                password_hash,
                first_name: name("Platform")?,
                last_name: name("Admin")?,
                phone: None,
                roles: vec![Role::Admin],
                customer: None,
                verification: None,
                created_at: self.clock.now(),
            })
            .await
            .map_err(store)?;
        Ok(user.id)
    }

    async fn open_session(
        &self,
        user: User,
        family_id: String,
        user_agent: Option<String>,
    ) -> Result<Session, IdentityError> {
        let secret = self.issuer.new_refresh_secret();
        let access = self
            .issuer
            .issue_access(&user, &family_id)
            .map_err(internal)?;
        let record = NewRefreshToken {
            user_id: user.id,
            token_hash: secret.hash,
            family_id,
            expires_at: self.clock.now() + self.policy.refresh_ttl,
            created_at: self.clock.now(),
            user_agent,
        };
        self.tokens.insert(record).await.map_err(store)?;
        Ok(Session {
            user,
            access,
            refresh_token: secret.plain,
        })
    }
}

async fn revoke_family(
    tokens: &dyn RefreshTokenRepository,
    family_id: &str,
    now: kernel::Timestamp,
) -> Result<(), IdentityError> {
    tokens.revoke_family(family_id, now).await.map_err(store)
}

#[path = "account_cases.rs"]
mod account_cases;

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
