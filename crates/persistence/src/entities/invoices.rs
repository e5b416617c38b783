//! The `invoices` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub number: String,
    pub client_party_id: Option<i64>,
    pub status: String,
    pub currency: String,
    pub amount_cents: i64,
    pub deposit_cents: i64,
    pub balance_cents: i64,
    pub due_date: Option<Date>,
    pub issued_at: Option<DateTimeUtc>,
    pub notes: Option<String>,
    pub deleted_at: Option<DateTimeUtc>,
    pub marketplace_transaction_id: Option<i64>,
    pub is_marketplace_invoice: bool,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
