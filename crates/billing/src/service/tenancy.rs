//! Creating a tenant and reading it (staff join by invitation: see `invitations`).

use kernel::{Ctx, StoreError};

use super::BillingService;
use crate::error::BillingError;
use crate::model::{Tenant, TenantRole, TenantScope};
use crate::values::{Fields, slug, text};

/// Slugs of the tenants created when a provider is approved (`provider-<id>`);
/// reserved, so nobody can take a future provider's slug first.
pub const PROVIDER_SLUG_PREFIX: &str = "provider-";

impl BillingService {
    /// Creates a tenant owned by the caller; a user belongs to at most one tenant.
    pub async fn create_tenant(
        &self,
        ctx: &Ctx,
        name: &str,
        slug_input: &str,
    ) -> Result<(Tenant, TenantScope), BillingError> {
        let mut fields = Fields::default();
        let name = fields.take(text("name", name, 200));
        let slug = fields.take(slug(slug_input).and_then(|s| {
            if s.starts_with(PROVIDER_SLUG_PREFIX) {
                Err(kernel::FieldError::new(
                    "slug",
                    format!("`{PROVIDER_SLUG_PREFIX}…` is reserved for providers' own tenants"),
                ))
            } else {
                Ok(s)
            }
        }));
        fields.finish()?;
        let (Some(name), Some(slug)) = (name, slug) else {
            return Err(BillingError::Validation(Vec::new()));
        };
        let tenant = self
            .tenants
            .create_with_owner(ctx.user_id, &name, &slug, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(kernel::Constraint::TenantSlug) => {
                    BillingError::Conflict("this slug is taken")
                }
                StoreError::Stale => BillingError::Conflict("you already belong to a tenant"),
                other => other.into(),
            })?;
        let scope = TenantScope {
            tenant_id: tenant.id,
            user_id: ctx.user_id,
            role: TenantRole::Owner,
        };
        Ok((tenant, scope))
    }

    /// The caller's tenant.
    pub async fn my_tenant(&self, ctx: &Ctx) -> Result<(Tenant, TenantScope), BillingError> {
        let scope = self.scope(ctx).await?;
        let tenant = self
            .tenants
            .find(scope.tenant_id)
            .await?
            .ok_or(BillingError::NotFound)?;
        Ok((tenant, scope))
    }
}
