//! The listing lifecycle as data: every edge, the status it leaves from, the
//! status it reaches and who may take it. Nothing else moves a listing.

use crate::error::ListingError;

/// Where a listing is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingStatus {
    /// Being written by its provider; not public.
    Draft,
    /// Public and searchable.
    Active,
    /// Taken down by its provider; may be published again.
    Inactive,
    /// Taken down by moderation; only moderation brings it back.
    Suspended,
}

impl ListingStatus {
    /// Every status.
    pub const ALL: [ListingStatus; 4] =
        [Self::Draft, Self::Active, Self::Inactive, Self::Suspended];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Suspended => "suspended",
        }
    }

    /// The status of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Who the caller is to a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The provider's user the listing belongs to.
    Owner,
    /// An LSM of the listing's region, or an admin.
    Moderator,
}

/// Something done to a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingAction {
    /// Change its fields (status unchanged).
    Edit,
    /// Make it public.
    Publish,
    /// Take it down (provider).
    Unpublish,
    /// Take it down (moderation).
    Suspend,
    /// Bring a suspended listing back (moderation).
    Reinstate,
}

impl ListingAction {
    /// Every action.
    pub const ALL: [ListingAction; 5] = [
        Self::Edit,
        Self::Publish,
        Self::Unpublish,
        Self::Suspend,
        Self::Reinstate,
    ];

    /// The verb, for messages and audit rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::Publish => "publish",
            Self::Unpublish => "unpublish",
            Self::Suspend => "suspend",
            Self::Reinstate => "reinstate",
        }
    }

    /// Who may take this action at all.
    pub fn actor(self) -> Actor {
        match self {
            Self::Edit | Self::Publish | Self::Unpublish => Actor::Owner,
            Self::Suspend | Self::Reinstate => Actor::Moderator,
        }
    }
}

use ListingAction as A;
use ListingStatus as S;

/// Every allowed edge: (action, from, to). Editing keeps the status; a
/// suspended listing has no owner edge at all (neither edit nor republish).
/// Publishing an active listing again is allowed and changes nothing, so a
/// retried request is harmless. Drafts are not public, so moderation has
/// nothing to suspend there (and reinstating must never skip the publish rules).
pub const EDGES: &[(ListingAction, ListingStatus, ListingStatus)] = &[
    (A::Edit, S::Draft, S::Draft),
    (A::Edit, S::Active, S::Active),
    (A::Edit, S::Inactive, S::Inactive),
    (A::Publish, S::Draft, S::Active),
    (A::Publish, S::Inactive, S::Active),
    (A::Publish, S::Active, S::Active),
    (A::Unpublish, S::Active, S::Inactive),
    (A::Unpublish, S::Inactive, S::Inactive),
    (A::Suspend, S::Active, S::Suspended),
    (A::Suspend, S::Inactive, S::Suspended),
    (A::Reinstate, S::Suspended, S::Active),
];

/// The status `action` by `actor` leads to from `from`, or why not.
pub fn transition(
    from: ListingStatus,
    action: ListingAction,
    actor: Actor,
) -> Result<ListingStatus, ListingError> {
    if action.actor() != actor {
        return Err(ListingError::Forbidden(match action.actor() {
            Actor::Owner => "only the listing's provider may do this",
            Actor::Moderator => "only the region's LSMs and admins moderate listings",
        }));
    }
    EDGES
        .iter()
        .find(|(a, f, _)| *a == action && *f == from)
        .map(|(_, _, to)| *to)
        .ok_or(ListingError::InvalidTransition {
            action: action.as_str(),
            status: from.as_str(),
        })
}
