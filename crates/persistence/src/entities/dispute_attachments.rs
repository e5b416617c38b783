//! The `dispute_attachments` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dispute_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dispute_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub attachment_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
