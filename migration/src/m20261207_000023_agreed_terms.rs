//! A job's agreed terms (SPEC §4 Jobs, negotiation).
//!
//! `jobs.agreed_terms` holds the terms in force (`{price_cents, scheduled_at,
//! description}`) while the provider's proposal is pending; it is NULL when no
//! proposal is pending, the row's own terms then being the agreed ones.
//!
//! Backfill: a job pending at upgrade time gets the `before` of its first
//! `edited` event since the customer last approved or declined, which are the
//! terms the customer last agreed to.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::util::*;

/// Adds `jobs.agreed_terms` and fills it for jobs with a pending proposal.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const FIRST_PENDING_EDIT: &str = "FROM job_events e WHERE e.job_id = jobs.id AND e.kind = 'edited' \
     AND e.id > COALESCE((SELECT MAX(d.id) FROM job_events d WHERE d.job_id = jobs.id \
     AND d.kind IN ('changes_approved', 'changes_declined')), 0) ORDER BY e.id LIMIT 1";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("jobs")
                    .add_column(json_null("agreed_terms"))
                    .take(),
            )
            .await?;
        let before = if manager.get_database_backend() == DbBackend::Postgres {
            "e.data -> 'before'"
        } else {
            "json_extract(e.data, '$.before')"
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE jobs SET agreed_terms = (SELECT {before} {FIRST_PENDING_EDIT}) \
                 WHERE pending_approval"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("jobs")
                    .drop_column("agreed_terms")
                    .take(),
            )
            .await
    }
}
