//! Closing an account as one unit of work: what it reads (the blockers,
//! whether the user applied as a provider) and what it writes, each a named
//! store call that the use case chooses; the stores decide nothing.

use async_trait::async_trait;
use kernel::{StoreError, TenantId, Timestamp, UserId};

use crate::account::{ClosureBlockers, placeholder_email};
use crate::error::IdentityError;

/// Opens units of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClosureUnits: Send + Sync {
    /// Begins one transaction.
    async fn begin(&self) -> Result<Box<dyn ClosureUnitOfWork>, StoreError>;
}

/// One open transaction; dropping it without [`commit`](Self::commit) rolls
/// everything back.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClosureUnitOfWork: Send {
    /// The account itself: its blockers, its fields, its sessions and mail.
    fn account(&mut self) -> Box<dyn ClosingAccountStore>;
    /// The provider profile the user applied with, if any, and its listings.
    fn provider(&mut self) -> Box<dyn LeavingProviderStore>;
    /// The user's back-office tenant.
    fn tenant(&mut self) -> Box<dyn LeavingTenantStore>;
    /// Makes every write of the unit visible at once.
    async fn commit(&mut self) -> Result<(), StoreError>;
}

/// The provider profile of a closing account, as closing treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderProfile {
    /// The user never applied.
    None,
    /// A rejected application: kept, so the re-application guard still
    /// recognises who applied, but only as keyed hashes.
    Rejected,
    /// Any other profile: it leaves search, booking and the LSM queue.
    Listed,
}

/// The account's own rows.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClosingAccountStore: Send + Sync {
    /// What stands in the way, read inside the unit.
    async fn blockers(&self, user: UserId) -> Result<ClosureBlockers, StoreError>;
    /// Mail not yet sent to the user's address is not sent any more.
    async fn cancel_pending_mail(&self, user: UserId) -> Result<(), StoreError>;
    /// Replaces the personal fields (the e-mail by `placeholder_email`, the
    /// names by "Deleted user", phone, avatar, payment ids and the customer's
    /// zipcode by nothing), disables the login and marks the account deleted.
    async fn anonymise(
        &self,
        user: UserId,
        placeholder_email: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Ends every session (announced to every instance as a closed account)
    /// and consumes every unused one-time token.
    async fn end_sessions(&self, user: UserId, at: Timestamp) -> Result<(), StoreError>;
}

/// The provider side of a closing account.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LeavingProviderStore: Send + Sync {
    /// Which profile the user has.
    async fn profile(&self, user: UserId) -> Result<ProviderProfile, StoreError>;
    /// Keeps a rejected application's e-mail and phone as keyed hashes only.
    async fn keep_applicant_hashes(&self, user: UserId, at: Timestamp) -> Result<(), StoreError>;
    /// Soft-deletes the profile (phone and bio wiped; the business name stays
    /// on the jobs and invoices that show it) and stops offering its listings.
    async fn withdraw(&self, user: UserId, at: Timestamp) -> Result<(), StoreError>;
}

/// The tenant side of a closing account.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LeavingTenantStore: Send + Sync {
    /// A member who leaves a tenant that lives on is no longer its member.
    async fn leave(&self, user: UserId) -> Result<(), StoreError>;
    /// Closes the tenant read-only; its pending invitations end with it.
    async fn close(&self, tenant: TenantId, at: Timestamp) -> Result<(), StoreError>;
}

/// The writes of a closure, in one unit: the blockers read inside it (so
/// nothing can start depending on the account meanwhile) and judged by
/// [`ClosureBlockers::check`]; a rejected application keeps only keyed
/// hashes, any other profile and its listings are withdrawn; pending mail
/// cancelled, the personal fields anonymised, every session and one-time
/// token ended; the user leaves their tenant, or closes it when they are its
/// only owner. The caller commits.
pub async fn write_closure(
    unit: &mut dyn ClosureUnitOfWork,
    user: UserId,
    at: Timestamp,
) -> Result<(), IdentityError> {
    let store = |e: StoreError| IdentityError::Store(e);
    let account = unit.account();
    let close_tenant = account.blockers(user).await.map_err(store)?.check()?;
    let provider = unit.provider();
    match provider.profile(user).await.map_err(store)? {
        ProviderProfile::Rejected => provider.keep_applicant_hashes(user, at).await,
        ProviderProfile::Listed => provider.withdraw(user, at).await,
        ProviderProfile::None => Ok(()),
    }
    .map_err(store)?;
    // Before the address is replaced: the pending mail is found by it.
    account.cancel_pending_mail(user).await.map_err(store)?;
    account
        .anonymise(user, &placeholder_email(user), at)
        .await
        .map_err(store)?;
    account.end_sessions(user, at).await.map_err(store)?;
    let tenant = unit.tenant();
    match close_tenant {
        Some(t) => tenant.close(t, at).await,
        None => tenant.leave(user).await,
    }
    .map_err(store)
}
