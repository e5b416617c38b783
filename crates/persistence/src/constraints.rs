//! The one table from the database's constraint names to the constraints a
//! use case turns into its own refusal. PostgreSQL reports a constraint's
//! name; SQLite reports the columns, which `error::violated_constraint` turns
//! into the same `uq_<table>_<columns>` name — except for partial indexes,
//! whose SQLite form is listed beside the PostgreSQL one.

use kernel::Constraint;

/// Name → constraint. A test checks every name but those of
/// [`NOT_IN_POSTGRES`] against the migrated PostgreSQL schema
/// (`tests/constraints.rs`).
pub const NAMED: &[(&str, Constraint)] = &[
    ("uq_users_email", Constraint::UserEmail),
    ("uq_service_providers_user_id", Constraint::ProviderOfUser),
    (
        "uq_ban_requests_provider_id",
        Constraint::BanRequestOfProvider,
    ),
    ("uq_tenants_slug", Constraint::TenantSlug),
    ("uq_services_slug", Constraint::ServiceSlug),
    ("uq_services_name", Constraint::ServiceName),
    (
        "uq_tenant_invitations_tenant_id_email",
        Constraint::PendingInvitation,
    ),
    (
        "uq_contacts_marketplace_user_id_tenant_id",
        Constraint::ContactOfMarketplaceUser,
    ),
    ("uq_contacts_tenant_id_email", Constraint::ContactEmail),
    (
        "uq_payments_tenant_id_idempotency_key",
        Constraint::PaymentIdempotencyKey,
    ),
    ("uq_disputes_job_id", Constraint::DisputeOfJob),
    (
        "uq_dispute_attachments_attachment_id",
        Constraint::DisputeOfAttachment,
    ),
    ("uq_job_events_job_id_kind_once", Constraint::JobEventOnce),
    // SQLite's name for the same partial index.
    ("uq_job_events_job_id_kind", Constraint::JobEventOnce),
    ("uq_ratings_feedback_job_id", Constraint::RatingOfJob),
    ("fk_service_listings_service_id", Constraint::ListingService),
    ("ex_slot_holds_overlap", Constraint::SlotTaken),
    (
        "uq_slot_holds_job_id_proposal",
        Constraint::ReschedulePending,
    ),
    // SQLite's name for the same partial index.
    ("uq_slot_holds_job_id", Constraint::ReschedulePending),
];

/// Names the table holds that are no PostgreSQL object: SQLite's form of a
/// partial index, and a refusal the listing store reports itself because
/// SQLite names no foreign key.
pub const NOT_IN_POSTGRES: &[&str] = &[
    "uq_job_events_job_id_kind",
    "uq_slot_holds_job_id",
    "fk_service_listings_service_id",
];

/// The constraint a database name stands for.
pub fn named(name: &str) -> Constraint {
    NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| Constraint::Other(name.to_owned()), |(_, c)| c.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_their_constraint_and_others_keep_their_name() {
        assert_eq!(named("uq_users_email"), Constraint::UserEmail);
        assert_eq!(
            named("uq_job_events_job_id_kind"),
            named("uq_job_events_job_id_kind_once")
        );
        assert_eq!(named("uq_x"), Constraint::Other("uq_x".into()));
    }
}
