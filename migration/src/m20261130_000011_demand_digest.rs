//! Abuse resistance of demand (issue 7 items 2 and 3):
//! - `service_search_logs.searcher_key` and `searched_on` (the UTC day), so
//!   popularity counts distinct searchers per day; rows logged before this
//!   migration get the key `''` (one searcher per service, region and day:
//!   the old rows cannot tell people apart) and their day from `searched_at`;
//! - one covering index for the popularity aggregate, replacing the plain
//!   `searched_at` index;
//! - `regions.demand_digest_sent_at`, claimed by the missing-service digest;
//! - a partial index on undigested `service_requests` per region and keyword.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::util::{Idx, index};

/// Adds the searcher key, the search day, the digest claim and their indexes.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The indexes this migration creates.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        // The aggregate scans a window of `searched_at` and needs only these
        // columns: answered from the index alone.
        index(
            "service_search_logs",
            &[
                "searched_at",
                "region",
                "service_id",
                "searched_on",
                "searcher_key",
            ],
        )
        .named("idx_service_search_logs_window_searchers"),
        index("service_requests", &["region", "keyword"]).when("email_sent = FALSE"),
    ]
}

const OLD_WINDOW_INDEX: &str = "idx_service_search_logs_searched_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let logs = Table::alter()
            .table("service_search_logs")
            .add_column(
                ColumnDef::new("searcher_key")
                    .string_len(80)
                    .not_null()
                    .default(""),
            )
            .take();
        manager.alter_table(logs).await?;
        // SQLite adds one column per ALTER.
        let day = Table::alter()
            .table("service_search_logs")
            .add_column(
                ColumnDef::new("searched_on")
                    .date()
                    .not_null()
                    .default("1970-01-01"),
            )
            .take();
        manager.alter_table(day).await?;
        let regions = Table::alter()
            .table("regions")
            .add_column(
                ColumnDef::new("demand_digest_sent_at")
                    .timestamp_with_time_zone()
                    .null(),
            )
            .take();
        manager.alter_table(regions).await?;
        let db = manager.get_connection();
        let backfill = if manager.get_database_backend() == DbBackend::Postgres {
            "UPDATE service_search_logs SET searched_on = CAST(searched_at AT TIME ZONE 'UTC' AS date)"
        } else {
            // Timestamps are stored as RFC 3339 text in UTC: the day is the first ten characters.
            "UPDATE service_search_logs SET searched_on = substr(searched_at, 1, 10)"
        };
        db.execute_unprepared(backfill).await?;
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS \"{OLD_WINDOW_INDEX}\""))
            .await?;
        for idx in indexes() {
            db.execute_unprepared(&idx.to_sql()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for idx in indexes() {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS \"{}\"", idx.name()))
                .await?;
        }
        db.execute_unprepared(&index("service_search_logs", &["searched_at"]).to_sql())
            .await?;
        for (table, column) in [
            ("regions", "demand_digest_sent_at"),
            ("service_search_logs", "searched_on"),
            ("service_search_logs", "searcher_key"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}
