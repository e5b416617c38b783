//! Wire types of the back office and the client portal.

use billing::{Contact, Party, Tenant, TenantScope};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
pub(super) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `POST /tenants`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TenantRequest {
    /// Business name, 1 to 200 characters (no control or invisible characters).
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    /// Unique URL name (3–50 lowercase letters and digits in words joined by single
    /// dashes); the portal logs in with it.
    #[schema(
        example = "acme-plumbing",
        min_length = 3,
        max_length = 50,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    #[validate(custom(function = "crate::http::rules::slug"))]
    pub slug: String,
}

/// A tenant and the caller's role in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantDto {
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// `owner` or `staff`.
    #[schema(value_type = crate::routes::enums::TenantRole)]
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl TenantDto {
    /// From the tenant and the caller's scope.
    pub fn new(t: Tenant, scope: TenantScope) -> Self {
        Self {
            id: t.id.0,
            name: t.name,
            slug: t.slug,
            role: scope.role.as_str().to_owned(),
            created_at: t.created_at,
        }
    }
}

/// `POST /billing/parties` (all fields) and `PATCH` (any field; `null` clears e-mail or phone).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PartyRequest {
    /// `person` or `organization` (required on create).
    #[schema(value_type = Option<crate::routes::enums::PartyKind>)]
    pub kind: Option<String>,
    /// Name shown on invoices, 1 to 200 characters (required on create).
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    pub display_name: Option<String>,
    /// E-mail, up to 254 characters; blank or `null` means none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254)]
    #[validate(length(max = 254))]
    pub email: Option<Option<String>>,
    /// Phone (7 to 15 digits, an optional leading `+`, spaces, dashes, dots and
    /// parentheses; at most 32 characters); blank or `null` means none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 32, pattern = "^$|^\\+?[ ().-]*([0-9][ ().-]*){7,15}$")]
    #[validate(custom(function = "super::formats::blank_or_phone"))]
    pub phone: Option<Option<String>>,
}

/// A party.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyDto {
    pub id: i64,
    #[schema(value_type = crate::routes::enums::PartyKind)]
    pub kind: String,
    pub display_name: String,
    /// E-mail.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Party> for PartyDto {
    fn from(p: Party) -> Self {
        Self {
            id: p.id,
            kind: p.kind.as_str().to_owned(),
            display_name: p.display_name,
            email: p.email,
            phone: p.phone,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// `POST /billing/contacts` and `PATCH` (`null` clears optional fields).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    /// First name, 1 to 100 characters (required on create).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub first_name: Option<String>,
    /// Last name, 1 to 100 characters (required on create).
    #[schema(min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub last_name: Option<String>,
    /// E-mail (portal login name), up to 254 characters; blank or `null` means none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254)]
    #[validate(length(max = 254))]
    pub email: Option<Option<String>>,
    /// Phone (as on parties); blank or `null` means none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 32, pattern = "^$|^\\+?[ ().-]*([0-9][ ().-]*){7,15}$")]
    #[validate(custom(function = "super::formats::blank_or_phone"))]
    pub phone: Option<Option<String>>,
    /// Party of this tenant.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub party_id: Option<Option<i64>>,
    /// Linked marketplace user.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub marketplace_user_id: Option<Option<i64>>,
}

/// A contact (never with its portal password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    pub id: i64,
    pub party_id: Option<i64>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Linked marketplace user.
    pub marketplace_user_id: Option<i64>,
    /// Portal access on.
    pub portal_enabled: bool,
    /// A portal password is set (re-enabling needs no new one).
    pub portal_password_set: bool,
    /// Last portal login.
    pub portal_last_login: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Contact> for ContactDto {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id,
            party_id: c.party_id,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            marketplace_user_id: c.marketplace_user_id,
            portal_enabled: c.portal_enabled,
            portal_password_set: c.portal_password_set,
            portal_last_login: c.portal_last_login,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// `PUT /billing/contacts/{id}/portal`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PortalAccessRequest {
    /// Allow portal login.
    pub enabled: bool,
    /// New portal password, 10–128 characters (required the first time).
    #[schema(min_length = 10, max_length = 128)]
    #[validate(length(min = 10, max = 128))]
    pub password: Option<String>,
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

impl<T> ListPage<T> {
    /// From a domain page.
    pub fn from_page<U>(page: kernel::Page<U>, f: impl FnMut(U) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(f).collect(),
            next_cursor: page.next_cursor.map(|c| c.as_str().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::formats::BLANK_OR_PHONE;
    use super::*;
    use crate::http::rules::testing::property;

    #[test]
    fn the_documented_patterns_are_the_checked_ones() {
        assert_eq!(
            property::<TenantRequest>("slug")["pattern"],
            crate::http::rules::SLUG
        );
        assert_eq!(property::<PartyRequest>("phone")["pattern"], BLANK_OR_PHONE);
        assert_eq!(
            property::<ContactRequest>("phone")["pattern"],
            BLANK_OR_PHONE
        );
    }
}
