//! A listing, its price types, and the checks of its fields.

use kernel::{Currency, FieldError, TenantId, Timestamp, UserId, Zipcode};
use serde_json::Value;

use crate::listing_checks::{images, optional, price, required, tags};
use crate::status::ListingStatus;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 255;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 5000;
/// Longest category, in characters.
pub const MAX_CATEGORY: usize = 100;
/// Most tags on a listing.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG: usize = 50;
/// Most images on a listing.
pub const MAX_IMAGES: usize = 10;
/// Longest image reference (a URL or attachment id), in characters.
pub const MAX_IMAGE: usize = 500;
/// Highest price, in cents (ten million units): bounds sums and typos.
pub const MAX_PRICE_CENTS: i64 = 1_000_000_000;
/// Largest service area, in miles.
pub const MAX_AREA_MILES: i32 = 500;

/// How a listing is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceType {
    /// One price for the job.
    Fixed,
    /// Per hour.
    Hourly,
    /// Per day.
    Daily,
    /// Per session.
    PerSession,
    /// Price on request; no price needed.
    Quote,
}

impl PriceType {
    /// Every price type.
    pub const ALL: [PriceType; 5] = [
        Self::Fixed,
        Self::Hourly,
        Self::Daily,
        Self::PerSession,
        Self::Quote,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
            Self::PerSession => "per_session",
            Self::Quote => "quote",
        }
    }

    /// The type of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A named field error when `s` is not a price type.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::parse(s).ok_or_else(|| {
            FieldError::new(
                field,
                "must be one of fixed, hourly, daily, per_session, quote",
            )
        })
    }
}

/// The editable fields of a listing, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingFields {
    pub title: String,
    pub description: String,
    /// Free category name.
    pub category: String,
    /// Price in cents (`None` allowed while a draft, and for quotes).
    pub price_cents: Option<i64>,
    /// How it is priced.
    pub price_type: PriceType,
    /// ISO 4217.
    pub currency: String,
    pub city: Option<String>,
    /// US state (or other subdivision).
    pub state: Option<String>,
    /// ZIP code.
    pub zip_code: Option<String>,
    /// Service area.
    pub service_area_miles: Option<i32>,
    /// Optional catalog service.
    pub service_id: Option<i64>,
    /// Search tags.
    pub tags: Vec<String>,
    /// Image references.
    pub images: Vec<String>,
}

/// A stored listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub id: i64,
    /// The provider's user.
    pub provider_user_id: UserId,
    /// The provider's back-office tenant, if any.
    pub tenant_id: Option<TenantId>,
    /// The provider's region (moderation scope).
    pub region_code: String,
    /// The fields.
    pub fields: ListingFields,
    /// Lifecycle status.
    pub status: ListingStatus,
    /// First publication.
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Last change (also the compare-and-set token of a write).
    pub updated_at: Timestamp,
}

/// What a client sends to create a listing (raw, unchecked).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListingInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// Price type name.
    pub price_type: Option<String>,
    /// Price in cents.
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    /// ZIP code.
    pub zip_code: Option<String>,
    /// Service area.
    pub service_area_miles: Option<i32>,
    /// Catalog service.
    pub service_id: Option<i64>,
    pub tags: Option<Vec<String>>,
    /// Images (strings; anything else is refused).
    pub images: Option<Vec<Value>>,
}

impl ListingInput {
    /// Applies this input over `base` (a create starts from nothing, an edit
    /// from the stored fields) and checks every field, naming each bad one.
    pub fn apply(self, base: Option<&ListingFields>) -> Result<ListingFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let title = required(
            &mut e,
            "title",
            self.title.clone(),
            base.map(|b| &b.title),
            MAX_TITLE,
        );
        let description = required(
            &mut e,
            "description",
            self.description.clone(),
            base.map(|b| &b.description),
            MAX_DESCRIPTION,
        );
        let category = required(
            &mut e,
            "category",
            self.category.clone(),
            base.map(|b| &b.category),
            MAX_CATEGORY,
        );
        let price_type = match (self.price_type.as_deref(), base) {
            (Some(s), _) => PriceType::parse_field("price_type", s)
                .map_err(|f| e.push(f))
                .ok(),
            (None, Some(b)) => Some(b.price_type),
            (None, None) => {
                e.push(FieldError::new("price_type", "is required"));
                None
            }
        };
        let price_cents = price(
            &mut e,
            self.price_cents.or(base.and_then(|b| b.price_cents)),
        );
        let currency = match self.currency.as_deref() {
            Some(c) => Currency::parse(c)
                .map(|c| c.as_str().to_owned())
                .map_err(|_| {
                    e.push(FieldError::new(
                        "currency",
                        "must be an ISO 4217 code such as USD",
                    ))
                })
                .ok(),
            None => Some(base.map_or_else(
                || Currency::default().as_str().to_owned(),
                |b| b.currency.clone(),
            )),
        };
        let rest = self.rest(&mut e, base);
        match (title, description, category, price_type, currency) {
            (Some(title), Some(description), Some(category), Some(price_type), Some(currency))
                if e.is_empty() =>
            {
                Ok(ListingFields {
                    title,
                    description,
                    category,
                    price_cents,
                    price_type,
                    currency,
                    ..rest
                })
            }
            _ => Err(e),
        }
    }

    /// The place, links, tags and images, over a placeholder for the rest.
    fn rest(self, e: &mut Vec<FieldError>, base: Option<&ListingFields>) -> ListingFields {
        let zip_code = match self.zip_code {
            Some(z) => Zipcode::parse(&z)
                .map(|z| z.as_str().to_owned())
                .map_err(|_| e.push(FieldError::new("zip_code", "must be a 5-digit US ZIP code")))
                .ok(),
            None => base.and_then(|b| b.zip_code.clone()),
        };
        let service_area_miles = self
            .service_area_miles
            .or(base.and_then(|b| b.service_area_miles));
        if service_area_miles.is_some_and(|m| !(0..=MAX_AREA_MILES).contains(&m)) {
            e.push(FieldError::new(
                "service_area_miles",
                format!("must be between 0 and {MAX_AREA_MILES}"),
            ));
        }
        let service_id = self.service_id.or(base.and_then(|b| b.service_id));
        if service_id.is_some_and(|s| s < 1) {
            e.push(FieldError::new("service_id", "must be a service id"));
        }
        ListingFields {
            title: String::new(),
            description: String::new(),
            category: String::new(),
            price_cents: None,
            price_type: PriceType::Quote,
            currency: String::new(),
            city: optional(e, "city", self.city, base.map(|b| &b.city), 100),
            state: optional(e, "state", self.state, base.map(|b| &b.state), 64),
            zip_code,
            service_area_miles,
            service_id,
            tags: match self.tags {
                Some(t) => tags(e, &t),
                None => base.map(|b| b.tags.clone()).unwrap_or_default(),
            },
            images: match self.images {
                Some(i) => images(e, &i),
                None => base.map(|b| b.images.clone()).unwrap_or_default(),
            },
        }
    }
}

impl ListingFields {
    /// What publishing needs (SPEC §4): a title, a description, a category,
    /// and a price unless the price type is `quote`.
    pub fn publishable(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Vec::new();
        for (field, v) in [
            ("title", &self.title),
            ("description", &self.description),
            ("category", &self.category),
        ] {
            if v.is_empty() {
                e.push(FieldError::new(field, "is required to publish"));
            }
        }
        if self.price_type != PriceType::Quote && self.price_cents.is_none() {
            e.push(FieldError::new(
                "price_cents",
                "is required to publish unless price_type is quote",
            ));
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}
