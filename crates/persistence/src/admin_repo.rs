//! Settings, LSM accounts, catalog edits, the audit log and ban requests.

use async_trait::async_trait;
use catalog::{Region, ServiceDefinition, ServiceStatus};
use kernel::{Page, PageRequest, Role, ServiceId, StoreError, Timestamp, UserId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use supply::AuditEntry;
use supply::ports::{AdminRepository, AuditRecord, Lsm, NewLsm};

use crate::effects::write_audit;
use crate::entities::{
    audit_log, local_service_managers, platform_settings, regions, services, user_roles, users,
};
use crate::error::store_err;
use crate::keyset;

/// [`AdminRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlAdminRepository {
    db: DatabaseConnection,
}

impl SqlAdminRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Backend(kernel::Fault::new(e))
}

#[async_trait]
impl AdminRepository for SqlAdminRepository {
    async fn settings(&self) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        let rows = platform_settings::Entity::find()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows.into_iter().map(|r| (r.key, r.value)).collect())
    }

    async fn save_settings(
        &self,
        changes: Vec<(String, i64)>,
        by: UserId,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        for (key, value) in changes {
            let row = platform_settings::ActiveModel {
                key: Set(key),
                value: Set(serde_json::json!(value)),
                updated_by: Set(Some(by.0)),
                updated_at: Set(now),
            };
            platform_settings::Entity::insert(row)
                .on_conflict(
                    OnConflict::column(platform_settings::Column::Key)
                        .update_columns([
                            platform_settings::Column::Value,
                            platform_settings::Column::UpdatedBy,
                            platform_settings::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(store_err)?;
        }
        write_audit(&txn, &audit, now).await?;
        txn.commit().await.map_err(store_err)
    }

    async fn create_lsm(
        &self,
        lsm: NewLsm,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<Lsm, StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let user = users::ActiveModel {
            id: NotSet,
            email: Set(lsm.email.clone()),
            email_verified: Set(false),
            password_hash: Set(lsm.password_hash),
            first_name: Set(lsm.first_name.clone()),
            last_name: Set(lsm.last_name.clone()),
            phone: Set(None),
            avatar_url: Set(None),
            status: Set("active".into()),
            tenant_id: Set(None),
            tenant_role: Set(None),
            tenant_verified: Set(false),
            stripe_customer_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        user_roles::ActiveModel {
            id: NotSet,
            user_id: Set(user.id),
            role: Set(Role::Lsm.as_str().into()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        let row = local_service_managers::ActiveModel {
            id: NotSet,
            user_id: Set(user.id),
            region_code: Set(lsm.region.clone()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        let audit = AuditEntry {
            entity_type: "lsm".into(),
            entity_id: row.id.to_string(),
            ..audit
        };
        write_audit(&txn, &audit, now).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(Lsm {
            id: row.id,
            user_id: UserId(user.id),
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            region: row.region_code,
            created_at: row.created_at,
        })
    }

    async fn lsms(&self, page: &PageRequest) -> Result<Page<Lsm>, StoreError> {
        let after = keyset::after::<i64>(page)?.unwrap_or(0);
        let rows = local_service_managers::Entity::find()
            .filter(local_service_managers::Column::Id.gt(after))
            .order_by_asc(local_service_managers::Column::Id)
            .limit(keyset::fetch(page))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
        let people = users::Entity::find()
            .filter(users::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let items = rows
            .into_iter()
            .filter_map(|r| {
                let u = people.iter().find(|u| u.id == r.user_id)?;
                Some(Lsm {
                    id: r.id,
                    user_id: UserId(u.id),
                    email: u.email.clone(),
                    first_name: u.first_name.clone(),
                    last_name: u.last_name.clone(),
                    region: r.region_code,
                    created_at: r.created_at,
                })
            })
            .collect();
        Ok(keyset::page_of(items, page, |l: &Lsm| l.id))
    }

    async fn audit_log(&self, page: &PageRequest) -> Result<Page<AuditRecord>, StoreError> {
        let mut query = audit_log::Entity::find();
        if let Some(before) = keyset::after::<i64>(page)? {
            query = query.filter(audit_log::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(audit_log::Column::Id)
            .limit(keyset::fetch(page))
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let items = rows
            .into_iter()
            .map(|r| AuditRecord {
                id: r.id,
                entry: AuditEntry {
                    actor: UserId(r.actor_user_id.unwrap_or_default()),
                    actor_role: r
                        .actor_role
                        .as_deref()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(Role::Admin),
                    action: r.action,
                    entity_type: r.entity_type,
                    entity_id: r.entity_id,
                    data: r.data.unwrap_or_default(),
                },
                created_at: r.created_at,
            })
            .collect();
        Ok(keyset::page_of(items, page, |a: &AuditRecord| a.id))
    }

    async fn create_service(
        &self,
        def: ServiceDefinition,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<ServiceId, StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let row = services::ActiveModel {
            id: NotSet,
            name: Set(def.name),
            slug: Set(def.slug),
            description: Set(Some(def.description)),
            category: Set(def.category.as_str().into()),
            keywords: Set(serde_json::to_value(&def.keywords).map_err(json_err)?),
            questions_json: Set(serde_json::to_value(&def.questions).map_err(json_err)?),
            status: Set(ServiceStatus::Approved.as_str().into()),
            is_popular: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        let audit = AuditEntry {
            entity_id: row.id.to_string(),
            ..audit
        };
        write_audit(&txn, &audit, now).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(ServiceId(row.id))
    }

    async fn update_service(
        &self,
        id: ServiceId,
        def: ServiceDefinition,
        status: ServiceStatus,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let updated = services::Entity::update_many()
            .col_expr(services::Column::Name, Expr::value(def.name))
            .col_expr(services::Column::Slug, Expr::value(def.slug))
            .col_expr(services::Column::Description, Expr::value(def.description))
            .col_expr(
                services::Column::Category,
                Expr::value(def.category.as_str()),
            )
            .col_expr(
                services::Column::Keywords,
                Expr::value(serde_json::to_value(&def.keywords).map_err(json_err)?),
            )
            .col_expr(
                services::Column::QuestionsJson,
                Expr::value(serde_json::to_value(&def.questions).map_err(json_err)?),
            )
            .col_expr(services::Column::Status, Expr::value(status.as_str()))
            .col_expr(services::Column::UpdatedAt, Expr::value(now))
            .filter(services::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if updated.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        write_audit(&txn, &audit, now).await?;
        txn.commit().await.map_err(store_err)
    }

    async fn create_region(
        &self,
        region: Region,
        audit: AuditEntry,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let now = at;
        let txn = self.db.begin().await.map_err(store_err)?;
        // Region creations serialise (PostgreSQL: a self-conflicting table lock;
        // SQLite: the insert below is the first statement and takes the write
        // lock), so the prefix check below sees every committed region and two
        // admins cannot claim one prefix at the same time.
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_unprepared("LOCK TABLE regions IN SHARE ROW EXCLUSIVE MODE")
                .await
                .map_err(store_err)?;
        }
        regions::ActiveModel {
            code: Set(region.code),
            name: Set(region.name),
            time_zone: Set(region.time_zone),
            zip_prefixes: Set(serde_json::json!(region.zip_prefixes)),
            created_at: Set(now),
            demand_digest_sent_at: sea_orm::NotSet,
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        let stored = regions::Entity::find().all(&txn).await.map_err(store_err)?;
        let all: Vec<Region> = stored
            .into_iter()
            .map(|r| {
                let zip_prefixes = serde_json::from_value(r.zip_prefixes).unwrap_or_default();
                Region {
                    code: r.code,
                    name: r.name,
                    time_zone: r.time_zone,
                    zip_prefixes,
                }
            })
            .collect();
        // The rule is the catalog's (the use case checked it on its snapshot);
        // this re-check under the lock only catches a region committed since.
        if catalog::RegionDirectory::new(all).is_err() {
            txn.rollback().await.map_err(store_err)?;
            return Err(StoreError::Stale);
        }
        write_audit(&txn, &audit, now).await?;
        txn.commit().await.map_err(store_err)
    }
}
