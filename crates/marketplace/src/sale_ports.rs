//! What the sale use cases need from storage. Reads take the viewer, so scope
//! is in the query; writes store what the rules decided.

use async_trait::async_trait;
use effects::Effects;
use jobs::fees::FeeSplit;
use kernel::{Page, PageRequest, StoreError, TenantId, Timestamp, UserId};

use crate::sale::{InvoiceFollow, SaleFields, SaleRecord, SaleStatus};

/// Who is looking at sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaleViewer {
    /// The caller: sees the sales they are the client of.
    pub user_id: UserId,
    /// The tenant the caller is staff (or owner) of now: sees its sales.
    pub tenant_id: Option<TenantId>,
}

/// A sale to insert as `pending` (its issued invoice follows in the books).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSale {
    /// The provider's tenant (the caller's).
    pub tenant_id: TenantId,
    /// The provider's user.
    pub provider_user_id: UserId,
    /// Checked fields.
    pub fields: SaleFields,
    /// Fee and net payout, from `platform_fee_bps`.
    pub split: FeeSplit,
    /// The allowance the insert must fit in, when the sale names a client user.
    pub allowance: Option<NoticeAllowance>,
    pub at: Timestamp,
}

/// How many sales naming a client user the tenant may have recorded since
/// `since` (not counting those a paid job recorded). The insert counts them
/// after taking the tenant's write lock, so racing requests cannot both see
/// room for the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeAllowance {
    /// `sale_notices_per_hour`.
    pub max: u32,
    /// The start of the window (an hour before `at`).
    pub since: Timestamp,
}

impl NoticeAllowance {
    /// When the allowance is used up by `found` (the tenant's sales naming a
    /// client in the window), since when the oldest of them was recorded;
    /// `None` when one more fits.
    pub fn used_up(&self, found: crate::sale_unit_of_work::ClientSales) -> Option<Timestamp> {
        (found.count >= i64::from(self.max)).then(|| found.oldest.unwrap_or(self.since))
    }
}

impl NewSale {
    /// The sale just inserted as `id`, as a read returns it (its invoice is
    /// filled in once it exists).
    pub fn pending(&self, id: i64) -> SaleRecord {
        let f = &self.fields;
        SaleRecord {
            id,
            provider_tenant_id: self.tenant_id,
            provider_user_id: self.provider_user_id,
            client_party_id: f.client_party_id,
            client_user_id: f.client_user_id,
            service_listing_id: f.service_listing_id,
            job_id: None,
            kind: "sale".into(),
            service_description: f.service_description.clone(),
            amount_cents: f.amount_cents,
            currency: f.currency.clone(),
            platform_fee_cents: self.split.fee_cents,
            net_payout_cents: self.split.net_cents,
            transaction_date: f.transaction_date,
            status: crate::sale::SaleStatus::Pending,
            payment_method: f.payment_method.map(|m| m.as_str().to_owned()),
            notes: f.notes.clone(),
            invoice_id: None,
            created_at: self.at,
            updated_at: self.at,
        }
    }
}

/// A decided edge, applied only if the sale still has status `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleChange {
    /// The sale.
    pub id: i64,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The status the decision was made on.
    pub from: SaleStatus,
    /// The new status.
    pub to: SaleStatus,
    /// What its invoice does, in the same transaction.
    pub invoice: InvoiceFollow,
    /// Written in the same transaction (the client's notification).
    pub effects: Effects,
    pub at: Timestamp,
}

/// Storage of marketplace sales.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SaleRepository: Send + Sync {
    /// The tenant the user is owner or staff of now (not as their token says).
    async fn staff_tenant(&self, user: UserId) -> Result<Option<TenantId>, StoreError>;
    /// `platform_fee_bps`.
    async fn fee_bps(&self) -> Result<u32, StoreError>;
    /// `sale_notices_per_hour`.
    async fn sale_notices_per_hour(&self) -> Result<u32, StoreError>;
    /// Whose sales the tenant records: the provider whose back-office tenant
    /// it is, else its first owner.
    async fn seller_of(&self, tenant: TenantId) -> Result<Option<UserId>, StoreError>;
    /// Whether `party` is a live party of `tenant`.
    async fn party_in_tenant(&self, tenant: TenantId, party: i64) -> Result<bool, StoreError>;
    /// Whether `listing` belongs to `tenant` or to its provider `seller`.
    async fn listing_of(
        &self,
        tenant: TenantId,
        seller: UserId,
        listing: i64,
    ) -> Result<bool, StoreError>;
    /// Whether `user` is a client of the provider `seller` (of `tenant`): the
    /// customer of one of its jobs, or the buyer of an inquiry thread on one
    /// of its listings. An id that names no user is simply not a client.
    async fn is_client_of(
        &self,
        tenant: TenantId,
        seller: UserId,
        user: UserId,
    ) -> Result<bool, StoreError>;
    /// One sale if `viewer` may see it.
    async fn find_visible(
        &self,
        id: i64,
        viewer: SaleViewer,
    ) -> Result<Option<SaleRecord>, StoreError>;
    /// The viewer's sales, newest first.
    async fn list(
        &self,
        viewer: SaleViewer,
        page: PageRequest,
    ) -> Result<Page<SaleRecord>, StoreError>;
}
