//! The `slot_holds` table: the ranges a job holds or has booked.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slot_holds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider_id: i64,
    pub job_id: i64,
    pub kind: String,
    pub slot_start: DateTimeUtc,
    pub start_at: DateTimeUtc,
    pub end_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub released_at: Option<DateTimeUtc>,
    pub proposed_by: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
