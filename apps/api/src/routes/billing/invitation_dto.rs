//! Wire types of tenant invitations and membership changes.

use billing::{Invitation, ReceivedInvitation, TenantRole};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// `POST /tenants/me/invitations`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// The invitee's e-mail (up to 254 characters); they need no account yet.
    #[schema(example = "helper@example.com", min_length = 1, max_length = 254)]
    #[validate(length(min = 1, max = 254))]
    pub email: String,
}

/// An invitation to join a tenant as staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub id: i64,
    /// The inviting tenant.
    pub tenant_id: i64,
    /// The invitee's e-mail.
    pub email: String,
    /// Always `staff`.
    #[schema(value_type = crate::routes::enums::TenantRole)]
    pub role: &'static str,
    /// `pending`, `accepted`, `declined`, `revoked` or `expired` (a pending one past
    /// `expires_at` shows as `expired`).
    #[schema(value_type = crate::routes::enums::InvitationStatus)]
    pub status: &'static str,
    /// Until when it can be accepted.
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// When it was answered or found expired.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<Invitation> for InvitationDto {
    fn from(i: Invitation) -> Self {
        Self {
            id: i.id,
            tenant_id: i.tenant_id.0,
            email: i.email,
            role: TenantRole::Staff.as_str(),
            status: i.status.as_str(),
            expires_at: i.expires_at,
            created_at: i.created_at,
            decided_at: i.decided_at,
        }
    }
}

/// An invitation addressed to the caller, with the tenant's name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivedInvitationDto {
    /// The invitation.
    #[serde(flatten)]
    pub invitation: InvitationDto,
    /// The inviting tenant's name.
    pub tenant_name: String,
}

impl From<ReceivedInvitation> for ReceivedInvitationDto {
    fn from(r: ReceivedInvitation) -> Self {
        Self {
            invitation: r.invitation.into(),
            tenant_name: r.tenant_name,
        }
    }
}

pub use crate::http::body::EmptyBody;
