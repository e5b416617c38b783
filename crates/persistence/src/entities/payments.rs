//! The `payments` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub invoice_id: i64,
    pub amount_cents: i64,
    pub refunded_cents: i64,
    pub refund_reason: Option<String>,
    pub currency: String,
    pub status: String,
    pub method: String,
    pub reference: Option<String>,
    pub received_at: DateTimeUtc,
    pub idempotency_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub request_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
