//! Wire types of marketplace listings.

use chrono::{DateTime, Utc};
use marketplace::{Listing, ListingInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// `POST /listings` and `PATCH /listings/{id}` (where every field is optional
/// and an absent or `null` one is left as it is).
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ListingRequest {
    /// 1–255 characters (may be blank on a draft; required to publish).
    pub title: Option<String>,
    /// Up to 5000 characters.
    pub description: Option<String>,
    /// Up to 100 characters.
    pub category: Option<String>,
    /// `fixed`, `hourly`, `daily`, `per_session` or `quote`.
    #[schema(value_type = Option<super::enums::PriceType>)]
    pub price_type: Option<String>,
    /// 0 – 1 000 000 000 cents; required to publish unless `quote`.
    pub price_cents: Option<i64>,
    /// ISO 4217, default `USD`.
    pub currency: Option<String>,
    /// Up to 100 characters.
    pub city: Option<String>,
    /// Up to 64 characters.
    pub state: Option<String>,
    /// A US ZIP code (ZIP+4 is cut to 5 digits).
    pub zip_code: Option<String>,
    /// 0–500.
    pub service_area_miles: Option<i32>,
    /// An optional catalog service.
    pub service_id: Option<i64>,
    /// Up to 20 tags of up to 50 characters (duplicates dropped).
    pub tags: Option<Vec<String>>,
    /// Up to 10 image references (URLs or attachment ids, up to 500 characters).
    #[schema(value_type = Option<Vec<String>>)]
    pub images: Option<Vec<serde_json::Value>>,
}

impl From<ListingRequest> for ListingInput {
    fn from(r: ListingRequest) -> Self {
        Self {
            title: r.title,
            description: r.description,
            category: r.category,
            price_type: r.price_type,
            price_cents: r.price_cents,
            currency: r.currency,
            city: r.city,
            state: r.state,
            zip_code: r.zip_code,
            service_area_miles: r.service_area_miles,
            service_id: r.service_id,
            tags: r.tags,
            images: r.images,
        }
    }
}

/// `POST /listings/{id}/suspend` · `/reinstate` (optional).
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    /// Why (up to 2000 characters), kept in the audit log.
    pub reason: Option<String>,
}

/// One listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingDto {
    /// Id.
    pub id: i64,
    /// The provider's user.
    pub provider_user_id: i64,
    /// The provider's tenant, if any.
    pub tenant_id: Option<i64>,
    /// The provider's region.
    pub region_code: String,
    /// Catalog service.
    pub service_id: Option<i64>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: String,
    /// Price in cents.
    pub price_cents: Option<i64>,
    /// Price type.
    pub price_type: String,
    /// ISO 4217.
    pub currency: String,
    /// City.
    pub city: Option<String>,
    /// State.
    pub state: Option<String>,
    /// ZIP code.
    pub zip_code: Option<String>,
    /// Service area.
    pub service_area_miles: Option<i32>,
    /// `draft`, `active`, `inactive`, `suspended`.
    pub status: String,
    /// Image references.
    pub images: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// First publication.
    pub published_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Listing> for ListingDto {
    fn from(l: Listing) -> Self {
        let f = l.fields;
        Self {
            id: l.id,
            provider_user_id: l.provider_user_id.0,
            tenant_id: l.tenant_id.map(|t| t.0),
            region_code: l.region_code,
            service_id: f.service_id,
            title: f.title,
            description: f.description,
            category: f.category,
            price_cents: f.price_cents,
            price_type: f.price_type.as_str().to_owned(),
            currency: f.currency,
            city: f.city,
            state: f.state,
            zip_code: f.zip_code,
            service_area_miles: f.service_area_miles,
            status: l.status.as_str().to_owned(),
            images: f.images,
            tags: f.tags,
            published_at: l.published_at,
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }
}

/// A page of listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingPage {
    /// Newest first.
    pub items: Vec<ListingDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// `GET /listings` query: every filter optional, combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListingQuery {
    /// Exact category.
    pub category: Option<String>,
    /// Text in title, description or tags (case-insensitive, 1–100 characters).
    pub q: Option<String>,
    /// Exact state.
    pub state: Option<String>,
    /// Exact ZIP code.
    pub zip_code: Option<String>,
    /// Lowest price in cents, inclusive (listings without a price are left out).
    #[param(value_type = Option<i64>)]
    pub min_price: Option<String>,
    /// Highest price in cents, inclusive (listings without a price are left out).
    #[param(value_type = Option<i64>)]
    pub max_price: Option<String>,
    /// Exact price type.
    pub price_type: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// `POST /listings/{id}/threads`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InquiryRequest {
    /// The message (rules of `POST /threads/{id}/messages`).
    pub body: String,
    /// Subject of a new thread (up to 255 characters); a later inquiry keeps the thread's.
    pub subject: Option<String>,
}
