//! The `jobs` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub provider_id: i64,
    pub service_id: i64,
    pub thread_id: Option<Uuid>,
    pub status: String,
    pub description: String,
    pub answers_json: Json,
    pub price_cents: Option<i64>,
    pub currency: String,
    pub scheduled_at: Option<DateTimeUtc>,
    pub zipcode: String,
    pub region_code: String,
    pub address: Option<String>,
    pub pending_approval: bool,
    pub agreed_terms: Option<Json>,
    pub response_deadline: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    pub rejection_reason: Option<String>,
    pub cancellation_reason: Option<String>,
    pub completed_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub deadline_warning_issued: bool,
    pub version: i64,
    /// The provider's cancellation policy when the job was booked.
    pub cancellation_policy: Option<String>,
    pub cancellation_window_hours: Option<i32>,
    pub cancellation_fee_bps: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::service_providers::Entity",
        from = "Column::ProviderId",
        to = "super::service_providers::Column::Id"
    )]
    Provider,
}

impl Related<super::service_providers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Provider.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
