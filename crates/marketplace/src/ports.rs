//! What the listing use cases need from storage. Reads take the viewer, so
//! scope is in the query; writes store what the rules decided.

use async_trait::async_trait;
use effects::Effects;
use kernel::{StoreError, TenantId, Timestamp, UserId};

use crate::listing::{Listing, ListingFields, PriceType};
use crate::status::ListingStatus;

/// The provider a new listing belongs to (an approved, live profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    /// The provider's user.
    pub user_id: UserId,
    /// Its back-office tenant, if any.
    pub tenant_id: Option<TenantId>,
    /// Its region.
    pub region_code: String,
}

/// Who is looking, as the visibility rule needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingViewer {
    /// The caller, if signed in.
    pub user_id: Option<UserId>,
    /// Admins see every listing.
    pub is_admin: bool,
    /// An LSM sees every listing of this region.
    pub lsm_region: Option<String>,
}

/// A listing to insert as a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListing {
    /// Its provider.
    pub seller: Seller,
    /// Checked fields.
    pub fields: ListingFields,
    pub at: Timestamp,
}

/// A decided change: the listing as it must become, applied only if the
/// stored one still has `expected` status and `updated_at` (compare-and-set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingChange {
    /// The new state (fields, status, `published_at`, `updated_at`).
    pub listing: Listing,
    /// The status and `updated_at` the decision was made on.
    pub expected: (ListingStatus, Timestamp),
    /// Written in the same transaction (the moderation audit row).
    pub effects: Effects,
}

/// The public search's filters, all optional and combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingFilter {
    /// Exact category.
    pub category: Option<String>,
    /// Text in title, description or tags (case-insensitive, literal).
    pub q: Option<String>,
    /// Exact state.
    pub state: Option<String>,
    /// Exact ZIP code.
    pub zip_code: Option<String>,
    /// Lowest price in cents, inclusive.
    pub min_price: Option<i64>,
    /// Highest price in cents, inclusive.
    pub max_price: Option<i64>,
    /// Exact price type.
    pub price_type: Option<PriceType>,
}

/// Storage of listings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ListingRepository: Send + Sync {
    /// The caller's provider profile if it is approved and not deleted.
    async fn approved_seller(&self, user: UserId) -> Result<Option<Seller>, StoreError>;
    /// Inserts a draft.
    async fn insert(&self, new: NewListing) -> Result<Listing, StoreError>;
    /// One listing if `viewer` may see it: active ones to anyone, others to
    /// their owner, the LSMs of their region and admins.
    async fn find_visible(
        &self,
        id: i64,
        viewer: &ListingViewer,
    ) -> Result<Option<Listing>, StoreError>;
    /// Stores the change and its effects in one transaction;
    /// [`StoreError::Stale`] when the listing changed since it was read.
    async fn save(&self, change: ListingChange) -> Result<(), StoreError>;
    /// Active listings matching `filter`, newest id first, ids below `before`.
    async fn search(
        &self,
        filter: &ListingFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Listing>, StoreError>;
}
