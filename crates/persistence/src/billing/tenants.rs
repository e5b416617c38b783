//! Tenants and membership (the `tenants` and `users` tables carry no tenant rows to guard).

use async_trait::async_trait;
use billing::ports::TenantRepository;
use billing::{Tenant, TenantRole};
use kernel::{StoreError, TenantId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, NotSet, QueryFilter,
    TransactionTrait,
};

use super::BillingDb;
use crate::entities::{tenants, users};
use crate::error::store_err;

/// [`TenantRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlTenantRepository {
    db: BillingDb,
}

impl SqlTenantRepository {
    /// A repository on this billing storage.
    pub fn new(db: BillingDb) -> Self {
        Self { db }
    }
}

fn tenant(row: tenants::Model) -> Tenant {
    Tenant {
        id: TenantId(row.id),
        name: row.name,
        slug: row.slug,
        created_at: row.created_at,
    }
}

#[async_trait]
impl TenantRepository for SqlTenantRepository {
    async fn membership(&self, user: UserId) -> Result<Option<(TenantId, TenantRole)>, StoreError> {
        let row = users::Entity::find_by_id(user.0)
            .one(self.db.conn())
            .await
            .map_err(store_err)?;
        Ok(row.and_then(|u| {
            Some((
                TenantId(u.tenant_id?),
                TenantRole::parse(u.tenant_role.as_deref()?)?,
            ))
        }))
    }

    async fn create_with_owner(
        &self,
        owner: UserId,
        name: &str,
        slug: &str,
    ) -> Result<Tenant, StoreError> {
        let now = chrono::Utc::now();
        let txn = self.db.conn().begin().await.map_err(store_err)?;
        let row = tenants::ActiveModel {
            id: NotSet,
            name: Set(name.to_owned()),
            slug: Set(slug.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        // Only a user without a tenant becomes an owner; checked in the same statement.
        let joined = users::Entity::update_many()
            .col_expr(users::Column::TenantId, Expr::value(row.id))
            .col_expr(
                users::Column::TenantRole,
                Expr::value(TenantRole::Owner.as_str()),
            )
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(owner.0))
            .filter(users::Column::TenantId.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if joined.rows_affected != 1 {
            txn.rollback().await.map_err(store_err)?;
            return Err(StoreError::Conflict("member".into()));
        }
        txn.commit().await.map_err(store_err)?;
        Ok(tenant(row))
    }

    async fn find(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        let row = tenants::Entity::find_by_id(id.0)
            .one(self.db.conn())
            .await
            .map_err(store_err)?;
        Ok(row.map(tenant))
    }

    async fn find_by_slug(&self, slug: &str) -> Result<Option<Tenant>, StoreError> {
        let row = tenants::Entity::find()
            .filter(tenants::Column::Slug.eq(slug))
            .one(self.db.conn())
            .await
            .map_err(store_err)?;
        Ok(row.map(tenant))
    }

    async fn add_staff(&self, tenant: TenantId, email: &str) -> Result<UserId, StoreError> {
        let user = users::Entity::find()
            .filter(users::Column::Email.eq(email))
            .one(self.db.conn())
            .await
            .map_err(store_err)?;
        let user = user.ok_or(StoreError::NotFound)?;
        let joined = users::Entity::update_many()
            .col_expr(users::Column::TenantId, Expr::value(tenant.0))
            .col_expr(
                users::Column::TenantRole,
                Expr::value(TenantRole::Staff.as_str()),
            )
            .col_expr(users::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::TenantId.is_null())
            .exec(self.db.conn())
            .await
            .map_err(store_err)?;
        if joined.rows_affected == 1 {
            Ok(UserId(user.id))
        } else {
            Err(StoreError::Conflict("member".into()))
        }
    }

    async fn user_exists(&self, user: i64) -> Result<bool, StoreError> {
        Ok(users::Entity::find_by_id(user)
            .one(self.db.conn())
            .await
            .map_err(store_err)?
            .is_some())
    }
}
