//! The `service_region_popularity` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_region_popularity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    pub search_count: i64,
    pub window_start: Option<DateTimeUtc>,
    pub window_end: Option<DateTimeUtc>,
    pub is_popular: bool,
    #[sea_orm(column_name = "override")]
    pub admin_override: Option<bool>,
    pub computed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
