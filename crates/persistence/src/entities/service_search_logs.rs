//! The `service_search_logs` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_search_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub region: Option<String>,
    pub zipcode: Option<String>,
    pub searched_at: DateTimeUtc,
    /// `u:<user id>` or `a:<salted hash of the address and day>`; `''` on
    /// rows logged before searchers were counted.
    pub searcher_key: String,
    /// The UTC day of `searched_at`: the bucket distinct searchers are counted in.
    pub searched_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
