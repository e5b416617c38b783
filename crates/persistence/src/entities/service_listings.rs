//! The `service_listings` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_listings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider_user_id: i64,
    pub tenant_id: Option<i64>,
    pub service_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub price_cents: Option<i64>,
    pub price_type: String,
    pub currency: String,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub service_area_miles: Option<i32>,
    pub status: String,
    pub images: Json,
    pub tags: Json,
    pub category_metadata: Json,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::service_providers::Entity",
        from = "Column::ProviderUserId",
        to = "super::service_providers::Column::UserId"
    )]
    Provider,
}

impl ActiveModelBehavior for ActiveModel {}
