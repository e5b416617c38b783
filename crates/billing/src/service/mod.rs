//! The billing use cases. Each takes the caller's [`Ctx`] (or a portal
//! principal), resolves the tenant scope from storage, and calls the pure
//! rules of [`crate::invoice`].

mod directory;
mod invitations;
mod invoices;
mod payments;
mod portal;
mod tenancy;

use std::sync::Arc;

use identity::ports::PasswordHasher;
use kernel::{Clock, Ctx, Page, PageRequest, StoreError, TenantId};

use crate::error::BillingError;
use crate::model::TenantScope;
use crate::ports::{
    ContactRepository, InvoiceRepository, PartyRepository, PortalTokens, TenantRepository,
};

pub use directory::{ContactInput, PartyInput, PortalAccess};
pub use invoices::{InvoiceInput, InvoiceListQuery};
pub use payments::{PaymentInput, PaymentOutcome, RefundInput};

/// The ports the billing use cases run on.
#[allow(missing_debug_implementations)]
pub struct BillingPorts {
    /// Tenants and membership.
    pub tenants: Arc<dyn TenantRepository>,
    pub parties: Arc<dyn PartyRepository>,
    pub contacts: Arc<dyn ContactRepository>,
    /// Invoices and payments.
    pub invoices: Arc<dyn InvoiceRepository>,
    /// Portal password hashing (argon2id).
    pub hasher: Arc<dyn PasswordHasher>,
    /// Portal token signing.
    pub portal_tokens: Arc<dyn PortalTokens>,
    pub clock: Arc<dyn Clock>,
}

/// The billing use cases.
#[derive(Clone)]
pub struct BillingService {
    tenants: Arc<dyn TenantRepository>,
    parties: Arc<dyn PartyRepository>,
    contacts: Arc<dyn ContactRepository>,
    invoices: Arc<dyn InvoiceRepository>,
    hasher: Arc<dyn PasswordHasher>,
    portal_tokens: Arc<dyn PortalTokens>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for BillingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillingService").finish_non_exhaustive()
    }
}

impl BillingService {
    /// Builds the service.
    pub fn new(ports: BillingPorts) -> Self {
        let BillingPorts {
            tenants,
            parties,
            contacts,
            invoices,
            hasher,
            portal_tokens,
            clock,
        } = ports;
        Self {
            tenants,
            parties,
            contacts,
            invoices,
            hasher,
            portal_tokens,
            clock,
        }
    }

    /// The caller's tenant scope, read from storage (never from the request).
    pub async fn scope(&self, ctx: &Ctx) -> Result<TenantScope, BillingError> {
        let (tenant_id, role) = self
            .tenants
            .membership(ctx.user_id)
            .await?
            .ok_or(BillingError::NoTenant)?;
        Ok(TenantScope {
            tenant_id,
            user_id: ctx.user_id,
            role,
        })
    }
}

/// Where a page starts: the cursor carries its tenant, and another tenant's cursor is not found.
fn page_start(tenant: TenantId, page: &PageRequest) -> Result<Option<i64>, BillingError> {
    let Some(cursor) = &page.cursor else {
        return Ok(None);
    };
    let (cursor_tenant, before): (i64, i64) = cursor
        .decode()
        .map_err(|e| BillingError::Validation(vec![e]))?;
    if cursor_tenant == tenant.0 {
        Ok(Some(before))
    } else {
        Err(BillingError::NotFound)
    }
}

/// Cuts a fetch of `page.fetch()` rows into a page through the one keyset
/// helper; the cursor binds the tenant, so another tenant's cursor is not found.
fn into_page<T>(
    tenant: TenantId,
    rows: Vec<T>,
    page: &PageRequest,
    id: impl Fn(&T) -> i64,
) -> Page<T> {
    Page::from_rows(rows, page, |r| (tenant.0, id(r)))
}

/// Maps a storage conflict on a named constraint to a domain error.
fn conflict_on(e: StoreError, constraint: kernel::Constraint, err: BillingError) -> BillingError {
    match e {
        StoreError::Conflict(c) if c == constraint => err,
        other => other.into(),
    }
}

#[cfg(test)]
mod invitation_tests;
#[cfg(test)]
mod tests;
