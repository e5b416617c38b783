//! What the supply use cases need from storage and the outside world.
//!
//! Methods that change state take the [`Effects`] they cause and write them in
//! the same transaction. Methods reading another region's rows take the
//! [`Scope`] and put it in the `WHERE` clause: out of scope is "not found".

use async_trait::async_trait;
use kernel::{Page, PageRequest, ProviderId, ServiceId, StoreError, Timestamp, UserId};

use crate::effects::Effects;
use crate::provider::{Provider, ProviderStatus};

/// Whose rows a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One region: the LSM's, from the token (`Ctx::lsm_region`).
    Region(String),
    /// Every region (admins).
    All,
    /// Live providers only ([`crate::is_live`]), in every region: what the
    /// public may see.
    Live,
}

/// A new application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProvider {
    pub user_id: UserId,
    /// Business name.
    pub business_name: String,
    /// Normalised phone.
    pub phone: String,
    pub zipcode: String,
    /// Its region.
    pub region_code: String,
    pub bio: Option<String>,
    /// Offered services (approved catalog services).
    pub service_ids: Vec<ServiceId>,
}

/// Fields a provider may change on its profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    /// New business name.
    pub business_name: Option<String>,
    /// New normalised phone.
    pub phone: Option<String>,
    /// New bio (`Some(None)` clears it).
    pub bio: Option<Option<String>>,
}

/// A state change of a provider, applied only if the row still is `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The provider as read.
    pub before: Provider,
    /// The provider as it must become.
    pub after: Provider,
    /// The provider's books, as billing decided them (on approval).
    pub tenant: Option<billing::provider_tenant::ProviderTenant>,
    /// The user account banned with the provider (decided by
    /// [`Transition::new`]); the provider's held and booked slots are
    /// released with it.
    pub ban_user: Option<UserId>,
    /// When, from the use case's clock.
    pub at: Timestamp,
}

impl Transition {
    /// A transition; a provider that becomes banned takes its user account with it.
    pub fn new(before: Provider, after: Provider, at: Timestamp) -> Self {
        let ban_user = (after.status == ProviderStatus::Banned
            && before.status != ProviderStatus::Banned)
            .then_some(after.user_id);
        Self {
            before,
            after,
            tenant: None,
            ban_user,
            at,
        }
    }

    /// With the tenant billing decided.
    pub fn with_tenant(mut self, tenant: billing::provider_tenant::ProviderTenant) -> Self {
        self.tenant = Some(tenant);
        self
    }
}

/// A service a provider offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedService {
    pub service_id: ServiceId,
    /// Switched on.
    pub is_active: bool,
    pub created_at: Timestamp,
}

/// Provider profiles and their offered services.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProviderRepository: Send + Sync {
    /// The applicant's e-mail and existing provider profile, if any.
    async fn applicant(
        &self,
        user_id: UserId,
    ) -> Result<Option<(String, Option<Provider>)>, StoreError>;
    /// When the latest rejected application with this e-mail or phone was rejected.
    async fn last_rejection(
        &self,
        email: &str,
        phone: &str,
    ) -> Result<Option<Timestamp>, StoreError>;
    /// Stores an application (replacing the user's own rejected one) with its services.
    async fn create(
        &self,
        new: NewProvider,
        effects: Effects,
        at: Timestamp,
    ) -> Result<Provider, StoreError>;
    /// A provider in scope, deleted ones included.
    async fn find(&self, scope: &Scope, id: ProviderId) -> Result<Option<Provider>, StoreError>;
    /// The caller's own profile.
    async fn by_user(&self, user_id: UserId) -> Result<Option<Provider>, StoreError>;
    /// Providers in scope, optionally by status and review flag, oldest first.
    async fn list(
        &self,
        scope: &Scope,
        status: Option<ProviderStatus>,
        under_review: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<Provider>, StoreError>;
    /// Changes profile fields.
    async fn update_profile(
        &self,
        id: ProviderId,
        patch: ProfilePatch,
        at: Timestamp,
    ) -> Result<Provider, StoreError>;
    /// The user's back-office membership, for billing's tenant decision.
    async fn tenant_membership(
        &self,
        user: UserId,
    ) -> Result<Option<(kernel::TenantId, billing::TenantRole)>, StoreError>;
    /// Applies a transition if the row is unchanged since read (else [`StoreError::Stale`]).
    async fn transition(
        &self,
        change: Transition,
        effects: Effects,
    ) -> Result<Provider, StoreError>;
    /// The offered services, active or not.
    async fn offered(&self, id: ProviderId) -> Result<Vec<OfferedService>, StoreError>;
    /// Makes exactly `services` active; others are switched off, never deleted.
    async fn set_offered(
        &self,
        id: ProviderId,
        services: Vec<ServiceId>,
        at: Timestamp,
    ) -> Result<Vec<OfferedService>, StoreError>;
    /// Switches one offered service on or off (`NotFound` if not offered).
    async fn set_active(
        &self,
        id: ProviderId,
        service: ServiceId,
        active: bool,
    ) -> Result<OfferedService, StoreError>;
    /// The provider's ratings, newest first.
    async fn reviews(&self, id: ProviderId, page: &PageRequest)
    -> Result<Page<Review>, StoreError>;
}

/// A customer's rating of a job, as shown on a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    /// Overall, 1–5.
    pub rating: i32,
    /// Punctuality, 1–5.
    pub punctuality_rating: i32,
    /// Response time, 1–5.
    pub response_time: i32,
    pub feedback: Option<String>,
    pub created_at: Timestamp,
}

mod admin;
mod demand;

pub use admin::*;
pub use demand::*;
