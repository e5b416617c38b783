//! Services and regions.

use async_trait::async_trait;
use catalog::model::{Region, Service, ServiceDefinition, ServiceStatus};
use catalog::ports::CatalogRepository;
use catalog::{Category, SeedReport};
use kernel::{ServiceId, StoreError, Timestamp};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, EntityTrait, NotSet, QueryOrder, TransactionTrait,
};

use crate::entities::{regions, services};
use crate::error::store_err;

/// [`CatalogRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlCatalogRepository {
    db: DatabaseConnection,
}

impl SqlCatalogRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn corrupt(what: &str, id: impl std::fmt::Display) -> StoreError {
    StoreError::backend(format!("stored {what} {id} does not parse"))
}

fn to_service(row: services::Model) -> Result<Service, StoreError> {
    let definition = ServiceDefinition {
        name: row.name,
        slug: row.slug,
        description: row.description.unwrap_or_default(),
        category: Category::parse(&row.category)
            .ok_or_else(|| corrupt("service category of", row.id))?,
        keywords: serde_json::from_value(row.keywords)
            .map_err(|_| corrupt("keywords of service", row.id))?,
        questions: serde_json::from_value(row.questions_json)
            .map_err(|_| corrupt("questions of service", row.id))?,
    };
    Ok(Service {
        id: ServiceId(row.id),
        definition,
        status: ServiceStatus::parse(&row.status)
            .ok_or_else(|| corrupt("status of service", row.id))?,
        is_popular: row.is_popular,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn service_row(
    def: &ServiceDefinition,
    now: kernel::Timestamp,
) -> Result<services::ActiveModel, StoreError> {
    let json = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| StoreError::Backend(kernel::Fault::new(e)))
    };
    Ok(services::ActiveModel {
        id: NotSet,
        name: Set(def.name.clone()),
        slug: Set(def.slug.clone()),
        description: Set(Some(def.description.clone())),
        category: Set(def.category.as_str().to_owned()),
        keywords: Set(json(serde_json::to_value(&def.keywords))?),
        questions_json: Set(json(serde_json::to_value(&def.questions))?),
        status: Set(ServiceStatus::Approved.as_str().to_owned()),
        is_popular: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

#[async_trait]
impl CatalogRepository for SqlCatalogRepository {
    async fn services(&self) -> Result<Vec<Service>, StoreError> {
        let rows = services::Entity::find()
            .order_by_asc(services::Column::Id)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        rows.into_iter().map(to_service).collect()
    }

    async fn regions(&self) -> Result<Vec<Region>, StoreError> {
        let rows = regions::Entity::find()
            .order_by_asc(regions::Column::Code)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                let zip_prefixes = serde_json::from_value(r.zip_prefixes)
                    .map_err(|_| corrupt("region", &r.code))?;
                Ok(Region {
                    code: r.code,
                    name: r.name,
                    time_zone: r.time_zone,
                    zip_prefixes,
                })
            })
            .collect()
    }

    async fn insert_missing(
        &self,
        defs: &[ServiceDefinition],
        regs: &[Region],
        at: Timestamp,
    ) -> Result<SeedReport, StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let mut report = SeedReport::default();
        for region in regs {
            let row = regions::ActiveModel {
                code: Set(region.code.clone()),
                name: Set(region.name.clone()),
                time_zone: Set(region.time_zone.clone()),
                zip_prefixes: Set(serde_json::json!(region.zip_prefixes)),
                created_at: Set(now),
                demand_digest_sent_at: sea_orm::NotSet,
            };
            let added = regions::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(regions::Column::Code)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(store_err)?;
            report.regions_added += added as usize;
        }
        for def in defs {
            let added = services::Entity::insert(service_row(def, now)?)
                .on_conflict(
                    OnConflict::column(services::Column::Slug)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(store_err)?;
            report.services_added += added as usize;
        }
        txn.commit().await.map_err(store_err)?;
        Ok(report)
    }
}

/// Claims the region's demand digest for the period: one winner per region,
/// `false` when another run claimed it after `cutoff`. The first write of the
/// digest's transaction (the region's row lock, or SQLite's write lock).
pub(crate) async fn claim_digest(
    db: &impl sea_orm::ConnectionTrait,
    region: &str,
    now: kernel::Timestamp,
    cutoff: kernel::Timestamp,
) -> Result<bool, kernel::StoreError> {
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
    let claimed = crate::entities::regions::Entity::update_many()
        .col_expr(
            crate::entities::regions::Column::DemandDigestSentAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(crate::entities::regions::Column::Code.eq(region))
        .filter(
            Condition::any()
                .add(crate::entities::regions::Column::DemandDigestSentAt.is_null())
                .add(crate::entities::regions::Column::DemandDigestSentAt.lte(cutoff)),
        )
        .exec(db)
        .await
        .map_err(crate::error::store_err)?
        .rows_affected;
    Ok(claimed == 1)
}
