//! Listing inquiries (SPEC §4 Marketplace): one inquiry thread per buyer and
//! listing, so two racing first inquiries meet in the same thread whatever
//! the application does.

use sea_orm_migration::prelude::*;

use crate::util::*;

/// Adds the one-thread-per-buyer-and-listing index.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The indexes of this migration.
pub(crate) fn indexes() -> Vec<Idx> {
    vec![
        unique("message_threads", &["listing_id", "buyer_user_id"])
            .when("kind = 'listing' AND listing_id IS NOT NULL"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
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
        Ok(())
    }
}
