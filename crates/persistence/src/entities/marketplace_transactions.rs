//! The `marketplace_transactions` table (the code's sales).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "marketplace_transactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider_tenant_id: i64,
    pub provider_user_id: i64,
    pub client_party_id: Option<i64>,
    pub client_user_id: Option<i64>,
    pub client_description: Option<String>,
    pub service_listing_id: Option<i64>,
    pub job_id: Option<i64>,
    pub service_description: String,
    pub amount_cents: i64,
    pub currency: String,
    pub platform_fee_cents: i64,
    pub net_payout_cents: i64,
    pub transaction_date: Date,
    pub status: String,
    /// `sale`, `job_payment` or `cancellation_fee`.
    pub kind: String,
    pub payment_method: Option<String>,
    pub stripe_invoice_id: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub notes: Option<String>,
    pub metadata: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
