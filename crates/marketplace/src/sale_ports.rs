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

/// A sale to insert as `pending`, with its issued invoice.
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
    /// When.
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

/// What an insert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// The sale, with its invoice.
    Sale(Box<SaleRecord>),
    /// Nothing: the allowance was used up; the oldest counted sale was
    /// recorded at `oldest`.
    AllowanceUsed {
        /// When the oldest sale of the window was recorded.
        oldest: Timestamp,
    },
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
    /// When.
    pub at: Timestamp,
}

/// The effects of a change that only the stored row completes (its id): a
/// rule of the domain that persistence calls inside the writing transaction.
#[derive(Clone, Copy)]
pub struct EffectsOf(pub fn(&SaleRecord) -> Effects);

impl std::fmt::Debug for EffectsOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EffectsOf")
    }
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
    /// Inserts the pending sale and its issued invoice, and the effects
    /// `effects_of` gives for the inserted sale, in one transaction — unless
    /// `new.allowance` is used up, when nothing is written.
    async fn insert(&self, new: NewSale, effects_of: EffectsOf) -> Result<Inserted, StoreError>;
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
    /// Applies the edge, its invoice's follow-up and its effects in one
    /// transaction; [`StoreError::Stale`] when the sale is no longer `from`.
    async fn apply(&self, change: SaleChange) -> Result<(), StoreError>;
}
