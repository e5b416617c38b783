//! The `service_requests` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub keyword: String,
    pub zipcode: Option<String>,
    pub region: Option<String>,
    pub customer_id: Option<i64>,
    pub email_sent: bool,
    pub reviewed: bool,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
