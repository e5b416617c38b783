//! The `provider_schedules` table: a provider's own zone and cancellation policy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: i64,
    pub time_zone: Option<String>,
    pub cancellation_policy: String,
    pub cancellation_window_hours: Option<i32>,
    pub cancellation_fee_bps: Option<i32>,
    pub calendar_token_hash: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
