//! Provider onboarding and standing: the state machine and the re-application guard.
//!
//! ```text
//!   pending ──approve──▶ approved ──suspend──▶ suspended
//!      │                   ▲  │ ◀──reinstate──┘   │
//!      └─reject─▶ rejected │  └──────ban──────────┴──▶ banned
//! ```
//! Warnings accumulate on approved providers; at the threshold the provider is
//! `under_review` until an LSM clears the warnings, suspends or asks for a ban.

use chrono::{Duration, NaiveDate};
use identity::model::UserStatus;
use kernel::{FieldError, ProviderId, TenantId, Timestamp, UserId};

use crate::error::SupplyError;

/// Onboarding and standing of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderStatus {
    /// Applied, waiting for the region's LSM.
    Pending,
    /// Visible in search, may take jobs.
    Approved,
    /// Refused, soft-deleted.
    Rejected,
    /// Temporarily hidden by an LSM.
    Suspended,
    /// Permanently removed by an admin.
    Banned,
}

impl ProviderStatus {
    /// Every status.
    pub const ALL: [ProviderStatus; 5] = [
        ProviderStatus::Pending,
        ProviderStatus::Approved,
        ProviderStatus::Rejected,
        ProviderStatus::Suspended,
        ProviderStatus::Banned,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderStatus::Pending => "pending",
            ProviderStatus::Approved => "approved",
            ProviderStatus::Rejected => "rejected",
            ProviderStatus::Suspended => "suspended",
            ProviderStatus::Banned => "banned",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// The one definition of a live provider: approved, not deleted, and its
/// account active. Only a live provider is found by search, counted by
/// popularity, booked, accepted for a job, and sells or lists on the
/// marketplace. Persistence states the same rule once in SQL
/// (`persistence::liveness::live_provider`), and a test checks that the two
/// agree on both backends for every combination.
pub fn is_live(status: ProviderStatus, is_deleted: bool, account: UserStatus) -> bool {
    status == ProviderStatus::Approved && !is_deleted && account == UserStatus::Active
}

/// A provider profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: ProviderId,
    /// The user who applied.
    pub user_id: UserId,
    /// Business name.
    pub business_name: String,
    /// Phone, normalised to its digits (with a leading `+` when given).
    pub phone: String,
    /// Business zipcode.
    pub zipcode: String,
    /// Region of that zipcode.
    pub region_code: String,
    /// Free text.
    pub bio: Option<String>,
    pub status: ProviderStatus,
    /// Flagged for the LSM's review queue.
    pub under_review: bool,
    /// Missed response deadlines since the last clearing.
    pub warnings: i32,
    /// Why the application was rejected.
    pub rejection_reason: Option<String>,
    /// When approved.
    pub approved_at: Option<Timestamp>,
    /// Soft-deleted (rejected applications).
    pub is_deleted: bool,
    /// When soft-deleted.
    pub deleted_at: Option<Timestamp>,
    /// The back-office tenant, created on approval.
    pub tenant_id: Option<TenantId>,
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

fn refuse(provider: &Provider, action: &str) -> SupplyError {
    SupplyError::InvalidTransition(format!(
        "cannot {action} a provider whose status is {}",
        provider.status.as_str()
    ))
}

/// A required free-text reason: trimmed, 1 to 2000 characters.
pub fn parse_reason(field: &str, reason: Option<&str>) -> Result<String, SupplyError> {
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(SupplyError::field(field, "is required"));
    }
    if reason.chars().count() > 2000 || kernel::check_text(reason).is_err() {
        return Err(SupplyError::field(
            field,
            "must be at most 2000 printable characters",
        ));
    }
    Ok(reason.to_owned())
}

impl Provider {
    /// A rejected or banned application is a closed record: its business name,
    /// phone and services stay as they were decided (the re-application guard
    /// compares phones against it).
    pub fn ensure_editable(&self) -> Result<(), SupplyError> {
        match self.status {
            ProviderStatus::Rejected | ProviderStatus::Banned => {
                Err(SupplyError::InvalidTransition(format!(
                    "a {} application can no longer be changed",
                    self.status.as_str()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Whether customers can find and book this provider while its account
    /// is `account`: see [`is_live`].
    pub fn is_live_with(&self, account: UserStatus) -> bool {
        is_live(self.status, self.is_deleted, account)
    }

    /// pending → approved. The caller creates the tenant in the same transaction.
    pub fn approve(&self, now: Timestamp) -> Result<Provider, SupplyError> {
        if self.status != ProviderStatus::Pending {
            return Err(refuse(self, "approve"));
        }
        Ok(Provider {
            status: ProviderStatus::Approved,
            approved_at: Some(now),
            updated_at: now,
            ..self.clone()
        })
    }

    /// pending → rejected, with a reason; the application is soft-deleted.
    pub fn reject(&self, reason: &str, now: Timestamp) -> Result<Provider, SupplyError> {
        if self.status != ProviderStatus::Pending {
            return Err(refuse(self, "reject"));
        }
        let reason = parse_reason("reason", Some(reason))?;
        Ok(Provider {
            status: ProviderStatus::Rejected,
            rejection_reason: Some(reason),
            is_deleted: true,
            deleted_at: Some(now),
            updated_at: now,
            ..self.clone()
        })
    }

    /// approved → suspended: hidden from search, no new jobs.
    pub fn suspend(&self, now: Timestamp) -> Result<Provider, SupplyError> {
        if self.status != ProviderStatus::Approved {
            return Err(refuse(self, "suspend"));
        }
        Ok(Provider {
            status: ProviderStatus::Suspended,
            updated_at: now,
            ..self.clone()
        })
    }

    /// suspended → approved, with a clean slate (warnings cleared, off the review queue).
    pub fn reinstate(&self, now: Timestamp) -> Result<Provider, SupplyError> {
        if self.status != ProviderStatus::Suspended {
            return Err(refuse(self, "reinstate"));
        }
        Ok(Provider {
            status: ProviderStatus::Approved,
            warnings: 0,
            under_review: false,
            updated_at: now,
            ..self.clone()
        })
    }

    /// Clears warnings and the review flag of an approved or suspended provider.
    pub fn clear_warnings(&self, now: Timestamp) -> Result<Provider, SupplyError> {
        if !matches!(
            self.status,
            ProviderStatus::Approved | ProviderStatus::Suspended
        ) {
            return Err(refuse(self, "clear the warnings of"));
        }
        Ok(Provider {
            warnings: 0,
            under_review: false,
            updated_at: now,
            ..self.clone()
        })
    }

    /// Checks a ban may be asked for (approved or suspended providers).
    pub fn ensure_bannable(&self) -> Result<(), SupplyError> {
        match self.status {
            ProviderStatus::Approved | ProviderStatus::Suspended => Ok(()),
            _ => Err(refuse(self, "ban")),
        }
    }

    /// approved or suspended → banned (an admin approved a ban request).
    pub fn ban(&self, now: Timestamp) -> Result<Provider, SupplyError> {
        self.ensure_bannable()?;
        Ok(Provider {
            status: ProviderStatus::Banned,
            under_review: false,
            updated_at: now,
            ..self.clone()
        })
    }

    /// One more missed deadline; at `threshold` the provider goes under review.
    pub fn add_warning(&self, threshold: i32, now: Timestamp) -> Provider {
        let warnings = self.warnings.saturating_add(1);
        Provider {
            warnings,
            under_review: self.under_review || warnings >= threshold,
            updated_at: now,
            ..self.clone()
        }
    }
}

/// Normalises a phone number to its digits (keeping a leading `+`); the rule
/// (7 to 15 digits with common separators) is `identity::Phone`'s.
pub fn normalise_phone(input: &str) -> Result<String, FieldError> {
    let phone = identity::Phone::parse(input)?;
    let plus = if phone.as_str().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = phone
        .as_str()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    Ok(format!("{plus}{digits}"))
}

/// The first day a new application is accepted after a rejection on `rejected_at`.
pub fn reapply_date(rejected_at: Timestamp, cooldown_days: i64) -> NaiveDate {
    (rejected_at + Duration::days(cooldown_days)).date_naive()
}

/// The re-application guard: refused (409) while the latest rejection with the
/// same e-mail or phone is younger than the cooldown, naming the date from which
/// a new application is accepted.
pub fn check_reapply(
    last_rejected_at: Option<Timestamp>,
    cooldown_days: i64,
    now: Timestamp,
) -> Result<(), SupplyError> {
    match last_rejected_at {
        Some(at) if now.date_naive() < reapply_date(at, cooldown_days) => {
            Err(SupplyError::ReapplyTooSoon(reapply_date(at, cooldown_days)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "provider_tests.rs"]
pub(crate) mod tests;
