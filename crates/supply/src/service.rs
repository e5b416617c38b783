//! Provider use cases: applying, the own profile and offered services, public
//! profiles, and the LSM's and admin's decisions.

use std::collections::BTreeSet;
use std::sync::Arc;

use catalog::{Catalog, ServiceStatus};
use kernel::{Clock, Ctx, FieldError, ProviderId, Role, ServiceId};

use crate::effects::Effects;
use crate::error::SupplyError;
use crate::ports::{NewProvider, OfferedService, ProfilePatch, ProviderRepository, Scope};
use crate::provider::{Provider, ProviderStatus, check_reapply, normalise_phone};
use crate::templates;
use ::effects::settings::PlatformSettings;

/// `POST /providers` as received.
#[derive(Debug, Clone, Default)]
pub struct ApplyCommand {
    /// Business name.
    pub business_name: String,
    pub phone: String,
    pub zipcode: String,
    /// Offered services.
    pub service_ids: Vec<i64>,
    pub bio: Option<String>,
}

/// `PATCH /providers/me` as received.
#[derive(Debug, Clone, Default)]
pub struct UpdateProfileCommand {
    /// New business name.
    pub business_name: Option<String>,
    /// New phone.
    pub phone: Option<String>,
    /// New bio (`Some(None)` clears).
    pub bio: Option<Option<String>>,
}

/// The provider use cases.
#[derive(Clone)]
pub struct ProviderService {
    repo: Arc<dyn ProviderRepository>,
    clock: Arc<dyn Clock>,
    email: kernel::VerifiedEmailPolicy,
}

impl std::fmt::Debug for ProviderService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderService").finish_non_exhaustive()
    }
}

fn business_name(errors: &mut Vec<FieldError>, name: &str) -> String {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || kernel::check_text(name).is_err() {
        errors.push(FieldError::new(
            "business_name",
            "must be 1 to 200 printable characters",
        ));
    }
    name.to_owned()
}

fn bio(errors: &mut Vec<FieldError>, bio: Option<&str>) -> Option<String> {
    let bio = bio.map(str::trim).filter(|b| !b.is_empty())?;
    if bio.chars().count() > 2000 || kernel::check_text(bio).is_err() {
        errors.push(FieldError::new(
            "bio",
            "must be at most 2000 printable characters",
        ));
    }
    Some(bio.to_owned())
}

/// Checks offered service ids: at least one, no duplicates, approved catalog services.
pub fn check_services(catalog: &Catalog, ids: &[i64]) -> Result<Vec<ServiceId>, FieldError> {
    if ids.is_empty() {
        return Err(FieldError::new("service_ids", "name at least one service"));
    }
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    for id in &unique {
        let ok = catalog
            .service(ServiceId(*id))
            .is_some_and(|s| s.status == ServiceStatus::Approved);
        if !ok {
            return Err(FieldError::new(
                "service_ids",
                format!("{id} is not an approved catalog service"),
            ));
        }
    }
    Ok(unique.into_iter().map(ServiceId).collect())
}

impl ProviderService {
    /// The use cases over their ports.
    pub fn new(repo: Arc<dyn ProviderRepository>, clock: Arc<dyn Clock>) -> Self {
        Self {
            repo,
            clock,
            email: kernel::VerifiedEmailPolicy::off(),
        }
    }

    /// The verified-e-mail policy its applications follow (off by default).
    pub fn with_email_policy(mut self, policy: kernel::VerifiedEmailPolicy) -> Self {
        self.email = policy;
        self
    }

    /// Applies as a provider: validated, region resolved, guarded against
    /// recent rejections; the region's LSMs are told.
    pub async fn apply(
        &self,
        ctx: &Ctx,
        catalog: &Catalog,
        settings: &PlatformSettings,
        cmd: ApplyCommand,
    ) -> Result<Provider, SupplyError> {
        ctx.require_role(Role::Provider)
            .map_err(|_| SupplyError::Forbidden("this route needs the provider role"))?;
        if !self.email.admits(ctx.user_id).await? {
            return Err(SupplyError::EmailUnverified);
        }
        let mut errors = Vec::new();
        let name = business_name(&mut errors, &cmd.business_name);
        let phone = normalise_phone(&cmd.phone).map_err(|e| errors.push(e)).ok();
        let services = check_services(catalog, &cmd.service_ids)
            .map_err(|e| errors.push(e))
            .ok();
        let bio = bio(&mut errors, cmd.bio.as_deref());
        let region = match catalog.regions().resolve_input("zipcode", &cmd.zipcode) {
            Ok(region) => Some(region),
            Err(catalog::CatalogError::Validation(mut f)) => {
                errors.append(&mut f);
                None
            }
            Err(other) => return Err(other.into()),
        };
        let (Some(phone), Some(services), Some(region), true) =
            (phone, services, region, errors.is_empty())
        else {
            return Err(SupplyError::Validation(errors));
        };
        let (email, existing) = self
            .repo
            .applicant(ctx.user_id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        if existing.is_some_and(|p| p.status != ProviderStatus::Rejected) {
            return Err(SupplyError::AlreadyApplied);
        }
        let now = self.clock.now();
        let last = self.repo.last_rejection(&email, &phone).await?;
        check_reapply(last, settings.rejected_reapply_cooldown_days(), now)?;
        let zipcode = kernel::Zipcode::parse(&cmd.zipcode)
            .map(|z| z.to_string())
            .unwrap_or_default();
        let new = NewProvider {
            user_id: ctx.user_id,
            business_name: name,
            phone,
            zipcode,
            region_code: region.code.clone(),
            bio,
            service_ids: services,
        };
        let draft = draft_of(&new, now);
        let effects = Effects::none().message(templates::application_received(&draft));
        Ok(self.repo.create(new, effects, self.clock.now()).await?)
    }

    /// The caller's profile with its offered services.
    pub async fn me(&self, ctx: &Ctx) -> Result<(Provider, Vec<OfferedService>), SupplyError> {
        let p = self
            .repo
            .by_user(ctx.user_id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        let offered = self.repo.offered(p.id).await?;
        Ok((p, offered))
    }

    /// Changes the caller's profile fields.
    pub async fn update_me(
        &self,
        ctx: &Ctx,
        cmd: UpdateProfileCommand,
    ) -> Result<Provider, SupplyError> {
        let mut errors = Vec::new();
        let patch = ProfilePatch {
            business_name: cmd
                .business_name
                .as_deref()
                .map(|n| business_name(&mut errors, n)),
            phone: cmd
                .phone
                .as_deref()
                .and_then(|p| normalise_phone(p).map_err(|e| errors.push(e)).ok()),
            bio: cmd.bio.map(|b| bio(&mut errors, b.as_deref())),
        };
        if !errors.is_empty() {
            return Err(SupplyError::Validation(errors));
        }
        let p = self
            .repo
            .by_user(ctx.user_id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        p.ensure_editable()?;
        Ok(self
            .repo
            .update_profile(p.id, patch, self.clock.now())
            .await?)
    }

    /// Replaces the set of active offered services.
    pub async fn set_services(
        &self,
        ctx: &Ctx,
        catalog: &Catalog,
        ids: &[i64],
    ) -> Result<Vec<OfferedService>, SupplyError> {
        let services =
            check_services(catalog, ids).map_err(|e| SupplyError::Validation(vec![e]))?;
        let p = self
            .repo
            .by_user(ctx.user_id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        p.ensure_editable()?;
        Ok(self
            .repo
            .set_offered(p.id, services, self.clock.now())
            .await?)
    }

    /// Switches one offered service on or off.
    pub async fn toggle_service(
        &self,
        ctx: &Ctx,
        service: ServiceId,
        active: bool,
    ) -> Result<OfferedService, SupplyError> {
        let p = self
            .repo
            .by_user(ctx.user_id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        p.ensure_editable()?;
        Ok(self.repo.set_active(p.id, service, active).await?)
    }

    /// A live provider's ratings, newest first; anything else is not found.
    pub async fn reviews(
        &self,
        id: ProviderId,
        page: &kernel::PageRequest,
    ) -> Result<kernel::Page<crate::ports::Review>, SupplyError> {
        self.repo
            .find(&Scope::Live, id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        Ok(self.repo.reviews(id, page).await?)
    }

    /// A live (approved) provider's public profile; anything else is not found.
    pub async fn public(
        &self,
        id: ProviderId,
    ) -> Result<(Provider, Vec<OfferedService>), SupplyError> {
        let p = self
            .repo
            .find(&Scope::Live, id)
            .await?
            .ok_or(SupplyError::NotFound)?;
        let offered = self
            .repo
            .offered(p.id)
            .await?
            .into_iter()
            .filter(|o| o.is_active)
            .collect();
        Ok((p, offered))
    }
}

fn draft_of(new: &NewProvider, now: kernel::Timestamp) -> Provider {
    Provider {
        id: ProviderId(0),
        user_id: new.user_id,
        business_name: new.business_name.clone(),
        phone: new.phone.clone(),
        zipcode: new.zipcode.clone(),
        region_code: new.region_code.clone(),
        bio: new.bio.clone(),
        status: ProviderStatus::Pending,
        under_review: false,
        warnings: 0,
        rejection_reason: None,
        approved_at: None,
        is_deleted: false,
        deleted_at: None,
        tenant_id: None,
        created_at: now,
        updated_at: now,
    }
}

#[path = "service_decisions.rs"]
mod decisions;
pub use decisions::{Decision, decider_scope};

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
