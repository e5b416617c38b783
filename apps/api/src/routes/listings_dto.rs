//! Wire types of marketplace listings.

use chrono::{DateTime, Utc};
use marketplace::{Listing, ListingInput};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Array, RefOr};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::billing::formats::{MAX_IMAGE, MAX_IMAGES, MAX_TAG, MAX_TAGS};

/// The listing request bodies: one field list, two strictnesses.
macro_rules! listing_request {
    ($(#[$doc:meta])* $name:ident, $core:ty, $price_type:ty, $given:expr) => {
        $(#[$doc])*
        #[derive(Debug, Default, Deserialize, ToSchema, Validate)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
    /// Up to 255 characters (may be blank on a draft, but not absent on create; required to publish).
    #[schema(max_length = 255)]
    #[validate(length(max = 255))]
    pub title: $core,
    /// Up to 5000 characters (may be blank on a draft, but not absent on create; required to publish).
    #[schema(max_length = 5000)]
    #[validate(length(max = 5000))]
    pub description: $core,
    /// Free text, up to 100 characters (may be blank on a draft, but not absent on create; required to publish).
    #[schema(max_length = 100)]
    #[validate(length(max = 100))]
    pub category: $core,
    /// `fixed`, `hourly`, `daily`, `per_session` or `quote`.
    #[schema(value_type = $price_type)]
    #[validate(custom(function = "known_price_type"))]
    pub price_type: $core,
    /// 0 – 1 000 000 000 minor units of `currency` (cents of USD, yen of
    /// JPY); required to publish unless `quote`.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    #[validate(range(min = 0, max = 1_000_000_000))]
    pub price_cents: Option<i64>,
    /// ISO 4217 code of a currency with minor units, either case (stored
    /// upper-case), default `USD`; `XYZ`, `XXX`, `XTS`, `XAU` and other codes
    /// without minor units are refused. Amounts (`*_cents`) are in its minor unit.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    #[validate(custom(function = "super::billing::formats::currency"))]
    pub currency: Option<String>,
    /// Up to 100 characters; blank means none.
    #[schema(max_length = 100)]
    #[validate(length(max = 100))]
    pub city: Option<String>,
    /// Up to 64 characters; blank means none.
    #[schema(max_length = 64)]
    #[validate(length(max = 64))]
    pub state: Option<String>,
    /// A US ZIP code, `12345` or `12345-6789` (ZIP+4 is cut to 5 digits).
    #[schema(pattern = "^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "crate::http::rules::zipcode"))]
    pub zip_code: Option<String>,
    /// 0–500.
    #[schema(minimum = 0, maximum = 500)]
    #[validate(range(min = 0, max = 500))]
    pub service_area_miles: Option<i32>,
    /// An optional catalog service.
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub service_id: Option<i64>,
    /// Up to 20 tags of 1 to 50 characters (duplicates dropped).
    #[schema(schema_with = tags_schema)]
    #[validate(
        length(max = 20, message = "at most 20 tags"),
        custom(function = "super::billing::formats::tags")
    )]
    pub tags: Option<Vec<String>>,
    /// Up to 10 image references (URLs or attachment ids, 1 to 500 characters).
    #[schema(schema_with = images_schema)]
    #[validate(
        length(max = 10, message = "at most 10 images"),
        custom(function = "super::billing::formats::images")
    )]
    pub images: Option<Vec<serde_json::Value>>,
}

        impl From<$name> for ListingInput {
            fn from(r: $name) -> Self {
                Self {
                    title: $given(r.title),
                    description: $given(r.description),
                    category: $given(r.category),
                    price_type: $given(r.price_type),
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
    };
}

listing_request!(
    /// `POST /listings`: a draft. `title`, `description`, `category` and
    /// `price_type` are required (the text ones may be blank on a draft).
    NewListingRequest,
    String,
    super::enums::PriceType,
    Some
);

listing_request!(
    /// `PATCH /listings/{id}`: every field is optional, and an absent or `null`
    /// one is left as it is.
    ListingRequest,
    Option<String>,
    Option<super::enums::PriceType>,
    std::convert::identity
);

/// An optional array of `max_items` strings of 1 to `max_length` characters.
fn bounded_strings(description: &str, max_items: usize, max_length: usize) -> Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .description(Some(description))
        .max_items(Some(max_items))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(max_length)),
        )
        .build()
}

fn tags_schema() -> impl Into<RefOr<Schema>> {
    bounded_strings(
        "Up to 20 tags of 1 to 50 characters (duplicates dropped).",
        MAX_TAGS,
        MAX_TAG,
    )
}

fn images_schema() -> impl Into<RefOr<Schema>> {
    bounded_strings(
        "Up to 10 image references (URLs or attachment ids, 1 to 500 characters).",
        MAX_IMAGES,
        MAX_IMAGE,
    )
}

/// `POST /listings/{id}/suspend` · `/reinstate` (optional).
#[derive(Debug, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    /// Why (up to 2000 characters; blank means none), kept in the audit log.
    #[schema(max_length = 2000)]
    #[validate(length(max = 2000))]
    pub reason: Option<String>,
}

/// One listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingDto {
    pub id: i64,
    /// The provider's user.
    pub provider_user_id: i64,
    /// The provider's tenant, if any.
    pub tenant_id: Option<i64>,
    /// The provider's region.
    pub region_code: String,
    /// Catalog service.
    pub service_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub category: String,
    /// Price in minor units of `currency`.
    pub price_cents: Option<i64>,
    /// Price type.
    #[schema(value_type = super::enums::PriceType)]
    pub price_type: String,
    /// ISO 4217.
    pub currency: String,
    pub city: Option<String>,
    pub state: Option<String>,
    /// ZIP code.
    pub zip_code: Option<String>,
    /// Service area.
    pub service_area_miles: Option<i32>,
    /// `draft`, `active`, `inactive`, `suspended`.
    #[schema(value_type = super::enums::ListingStatus)]
    pub status: String,
    /// Image references.
    pub images: Vec<String>,
    pub tags: Vec<String>,
    /// First publication.
    pub published_at: Option<DateTime<Utc>>,
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

/// `GET /listings` query: every filter optional, combined with AND; an empty
/// text filter is no filter. The handler checks the declared bounds.
#[derive(Debug, Deserialize, IntoParams, Validate)]
pub struct ListingQuery {
    /// Exact category (up to 100 characters).
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
    pub category: Option<String>,
    /// Text in title, description or tags (case-insensitive, up to 100 characters).
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
    pub q: Option<String>,
    /// Exact state (up to 64 characters).
    #[param(max_length = 64)]
    #[validate(length(max = 64))]
    pub state: Option<String>,
    /// Exact ZIP code, `12345` or `12345-6789` (empty: no filter).
    #[param(pattern = "^$|^[0-9]{5}(-[0-9]{4})?$")]
    #[validate(custom(function = "super::billing::formats::blank_or_zipcode"))]
    pub zip_code: Option<String>,
    /// Lowest price in minor units, inclusive (listings without a price are left out).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub min_price: Option<String>,
    /// Highest price in minor units, inclusive (listings without a price are left out).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000)]
    pub max_price: Option<String>,
    /// Exact price type.
    #[param(value_type = Option<super::enums::PriceType>)]
    #[validate(custom(function = "known_price_type"))]
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
    /// The message: 1–4000 characters (rules of `POST /threads/{id}/messages`).
    #[schema(min_length = 1, max_length = 4000)]
    #[validate(length(min = 1, max = 4000))]
    pub body: String,
    /// Subject of a new thread (up to 255 characters; blank means none); a later
    /// inquiry keeps the thread's.
    #[schema(max_length = 255)]
    #[validate(length(max = 255))]
    pub subject: Option<String>,
}

/// A price type field: required on create, optional on edit.
trait PriceTypeField {
    fn given(&self) -> Option<&str>;
}

impl PriceTypeField for String {
    fn given(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: PriceTypeField> PriceTypeField for &T {
    fn given(&self) -> Option<&str> {
        (**self).given()
    }
}

impl PriceTypeField for Option<String> {
    fn given(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// One of the price types, exactly as the document lists them (absent passes).
fn known_price_type<F: PriceTypeField>(field: &F) -> Result<(), ValidationError> {
    field.given().map_or(Ok(()), super::enums::PriceType::check)
}

#[cfg(test)]
mod tests {
    use super::super::billing::formats::{BLANK_OR_ZIPCODE, CURRENCY};
    use super::*;
    use crate::http::rules::testing::property;

    #[test]
    fn the_documented_rules_are_the_checked_ones() {
        assert_eq!(property::<ListingRequest>("currency")["pattern"], CURRENCY);
        assert_eq!(
            property::<ListingRequest>("zip_code")["pattern"],
            crate::http::rules::ZIPCODE
        );
        let tags = property::<ListingRequest>("tags");
        assert_eq!(tags["maxItems"], MAX_TAGS);
        assert_eq!(tags["items"]["maxLength"], MAX_TAG);
        let images = property::<ListingRequest>("images");
        assert_eq!(images["maxItems"], MAX_IMAGES);
        assert_eq!(images["items"]["maxLength"], MAX_IMAGE);
        let params = ListingQuery::into_params(|| None);
        let zip = params
            .iter()
            .find(|p| p.name == "zip_code")
            .map(|p| serde_json::to_value(&p.schema).unwrap_or_default());
        assert_eq!(zip.unwrap_or_default()["pattern"], BLANK_OR_ZIPCODE);
    }

    #[test]
    fn the_listing_limits_are_the_domains() {
        assert_eq!(marketplace::listing::MAX_PRICE_CENTS, 1_000_000_000);
        assert_eq!(marketplace::listing::MAX_AREA_MILES, 500);
        assert_eq!(marketplace::listing::MAX_TITLE, 255);
        assert_eq!(marketplace::listing::MAX_DESCRIPTION, 5000);
        assert_eq!(marketplace::listing::MAX_CATEGORY, 100);
        assert_eq!(marketplace::filter::MAX_Q, 100);
    }
}
