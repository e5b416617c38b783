//! The `service_providers` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_providers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub business_name: String,
    pub phone: String,
    pub zipcode: String,
    pub region_code: String,
    pub bio: Option<String>,
    pub status: String,
    pub under_review: bool,
    pub warnings: i32,
    pub rejection_reason: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    pub is_deleted: bool,
    pub deleted_at: Option<DateTimeUtc>,
    pub tenant_id: Option<i64>,
    pub rating_sum: i64,
    pub rating_count: i64,
    pub completed_jobs: i64,
    pub median_response_minutes: Option<i32>,
    pub response_rate: Option<f64>,
    pub stats_refreshed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub applicant_email_hash: Option<String>,
    pub applicant_phone_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
