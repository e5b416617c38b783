//! The one STM schema (SPEC §3), as sea-orm-migration migrations that run
//! unchanged on SQLite and PostgreSQL.
//!
//! Conventions, applied by the builders in `util`:
//! - integer ids are BIGINT auto-increment primary keys (`INTEGER PRIMARY KEY
//!   AUTOINCREMENT` on SQLite); `message_threads` and `attachments` use UUIDs;
//! - money is BIGINT `*_cents` plus `currency varchar(3) DEFAULT 'USD'`;
//! - timestamps are `timestamp with time zone`, JSON is `jsonb`;
//! - enum-like columns are strings with a CHECK listing the allowed values;
//! - every constraint and index is named `pk_<table>`, `fk_<table>_<col>`,
//!   `ck_<table>_<col>`, `uq_<table>_<cols>` or `idx_<table>_<cols>`, because
//!   the application maps violations to HTTP errors by constraint name.
//!
//! Migrations run in foreign-key order: SQLite cannot add a foreign key to an
//! existing table, so every referenced table exists before its referrers.

pub use sea_orm_migration;

use sea_orm_migration::prelude::*;

mod m20261122_000001_identity;
mod m20261122_000002_catalog;
mod m20261122_000003_jobs;
mod m20261122_000004_parties;
mod m20261122_000005_marketplace;
mod m20261122_000006_invoices;
mod m20261122_000007_messaging;
mod m20261122_000008_disputes;
mod m20261122_000009_operations;
mod m20261122_000010_billing_guard;
mod m20261130_000011_demand_digest;
mod m20261130_000012_invitations;
mod m20261130_000013_refunds_counters;
mod m20261130_000014_jobs_messaging;
mod m20261130_000018_listings;
mod m20261130_000019_dispute_attachments;
mod m20261130_000020_accounts;
mod m20261207_000022_quotas;
mod m20261207_000023_agreed_terms;
mod m20261207_000024_revoked_sessions;
mod m20261207_000025_provider_account;
mod m20261207_000026_region_time_zone;
mod m20261207_000027_scheduling;
mod m20261207_000028_cancellation_fees;
mod m20261207_000029_reschedule_events;
mod m20261207_000030_job_reminders;
mod util;

/// Applies and reverts the STM schema: `Migrator::up(&db, None)`.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_identity::Migration),
            Box::new(m20261122_000002_catalog::Migration),
            Box::new(m20261122_000003_jobs::Migration),
            Box::new(m20261122_000004_parties::Migration),
            Box::new(m20261122_000005_marketplace::Migration),
            Box::new(m20261122_000006_invoices::Migration),
            Box::new(m20261122_000007_messaging::Migration),
            Box::new(m20261122_000008_disputes::Migration),
            Box::new(m20261122_000009_operations::Migration),
            Box::new(m20261122_000010_billing_guard::Migration),
            Box::new(m20261130_000011_demand_digest::Migration),
            Box::new(m20261130_000012_invitations::Migration),
            Box::new(m20261130_000013_refunds_counters::Migration),
            Box::new(m20261130_000014_jobs_messaging::Migration),
            Box::new(m20261130_000018_listings::Migration),
            Box::new(m20261130_000019_dispute_attachments::Migration),
            Box::new(m20261130_000020_accounts::Migration),
            Box::new(m20261207_000022_quotas::Migration),
            Box::new(m20261207_000023_agreed_terms::Migration),
            Box::new(m20261207_000024_revoked_sessions::Migration),
            Box::new(m20261207_000025_provider_account::Migration),
            Box::new(m20261207_000026_region_time_zone::Migration),
            Box::new(m20261207_000027_scheduling::Migration),
            Box::new(m20261207_000028_cancellation_fees::Migration),
            Box::new(m20261207_000029_reschedule_events::Migration),
            Box::new(m20261207_000030_job_reminders::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::util::Idx;

    /// PostgreSQL silently truncates longer identifiers, SQLite does not.
    const MAX_NAME_LEN: usize = 63;

    fn all_tables() -> Vec<TableCreateStatement> {
        [
            m20261122_000001_identity::tables(),
            m20261122_000002_catalog::tables(),
            m20261122_000003_jobs::tables(),
            m20261122_000004_parties::tables(),
            m20261122_000005_marketplace::tables(),
            m20261122_000006_invoices::tables(),
            m20261122_000007_messaging::tables(),
            m20261122_000008_disputes::tables(),
            m20261122_000009_operations::tables(),
            m20261130_000014_jobs_messaging::tables(),
            m20261130_000019_dispute_attachments::tables(),
            m20261130_000020_accounts::tables(),
            m20261207_000022_quotas::tables(),
            m20261207_000024_revoked_sessions::tables(),
            m20261207_000027_scheduling::tables(),
            m20261207_000030_job_reminders::tables(),
        ]
        .concat()
    }

    fn all_indexes() -> Vec<Idx> {
        [
            m20261122_000001_identity::indexes(),
            m20261122_000002_catalog::indexes(),
            m20261122_000003_jobs::indexes(),
            m20261122_000004_parties::indexes(),
            m20261122_000005_marketplace::indexes(),
            m20261122_000006_invoices::indexes(),
            m20261122_000007_messaging::indexes(),
            m20261122_000008_disputes::indexes(),
            m20261122_000009_operations::indexes(),
            m20261130_000011_demand_digest::indexes(),
            m20261130_000014_jobs_messaging::indexes(),
            m20261130_000018_listings::indexes(),
            m20261130_000019_dispute_attachments::indexes(),
            m20261130_000020_accounts::indexes(),
            m20261207_000022_quotas::indexes(),
            m20261207_000024_revoked_sessions::indexes(),
            m20261207_000027_scheduling::indexes(),
            m20261207_000030_job_reminders::indexes(),
        ]
        .concat()
    }

    #[test]
    fn index_names_are_unique_and_fit_postgres() {
        let mut seen = HashSet::new();
        for idx in all_indexes() {
            let name = idx.name();
            assert!(name.len() <= MAX_NAME_LEN, "{name} is too long");
            assert!(seen.insert(name.clone()), "{name} is used twice");
        }
    }

    #[test]
    fn foreign_key_names_follow_the_convention() {
        for table in all_tables() {
            for fk in table.get_foreign_key_create_stmts() {
                let key = fk.get_foreign_key();
                let name = key.get_name().unwrap_or_default();
                let Some(TableRef::Table(from, _)) = key.get_table() else {
                    panic!("foreign key {name} has no table");
                };
                let expected = format!("fk_{}_{}", from.1, key.get_columns().join("_"));
                assert_eq!(name, expected);
                assert!(name.len() <= MAX_NAME_LEN, "{name} is too long");
            }
        }
    }

    #[test]
    fn index_sql_quotes_columns_and_keeps_filters() {
        let idx = util::unique("contacts", &["tenant_id", "lower(email)"])
            .when("portal_enabled AND deleted_at IS NULL");
        assert_eq!(
            idx.to_sql(),
            "CREATE UNIQUE INDEX \"uq_contacts_tenant_id_email\" ON \"contacts\" \
             (\"tenant_id\", lower(email)) WHERE portal_enabled AND deleted_at IS NULL"
        );
        let idx = util::index("messages", &["thread_id", "created_at DESC"]);
        assert_eq!(
            idx.to_sql(),
            "CREATE INDEX \"idx_messages_thread_id_created_at\" ON \"messages\" \
             (\"thread_id\", \"created_at\" DESC)"
        );
    }
}
