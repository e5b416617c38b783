//! Cancellation fees (issue 19).
//!
//! - `jobs.cancellation_policy`, `cancellation_window_hours`,
//!   `cancellation_fee_bps`: the provider's policy when the job was booked,
//!   which its cancels follow (a later change of policy does not reach back;
//!   jobs booked before policies existed have none and cost nothing).
//! - `marketplace_transactions.kind`: `sale` (recorded by a provider),
//!   `job_payment` (a job marked paid) or `cancellation_fee` (a customer's
//!   late cancel); existing rows with a job are job payments.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds the jobs' policy snapshot and the transactions' kind.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const BACKFILL: &str =
    "UPDATE marketplace_transactions SET kind = 'job_payment' WHERE job_id IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            varchar_null("cancellation_policy", 16),
            int_null("cancellation_window_hours"),
            int_null("cancellation_fee_bps"),
        ] {
            manager
                .alter_table(Table::alter().table("jobs").add_column(col).take())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("marketplace_transactions")
                    .add_column(state("kind", "sale"))
                    .take(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("marketplace_transactions")
                    .drop_column("kind")
                    .take(),
            )
            .await?;
        for col in [
            "cancellation_fee_bps",
            "cancellation_window_hours",
            "cancellation_policy",
        ] {
            manager
                .alter_table(Table::alter().table("jobs").drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
