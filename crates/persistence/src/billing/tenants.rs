//! Tenants and membership (the `tenants` and `users` tables carry no tenant rows to guard);
//! invitations and leaving live in `invitations`.

use async_trait::async_trait;
use billing::ports::{InvitationMail, TenantRepository};
use billing::{Invitation, ReceivedInvitation, Tenant, TenantRole};
use kernel::{StoreError, TenantId, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet,
    QueryFilter, TransactionTrait,
};

use super::{BillingDb, invitations};
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
        at: Timestamp,
    ) -> Result<Tenant, StoreError> {
        let now = at;
        let txn = self.db.conn().begin().await.map_err(store_err)?;
        match insert_owned_tenant(&txn, owner, name, slug, now).await {
            Ok(row) => {
                txn.commit().await.map_err(store_err)?;
                Ok(tenant(row))
            }
            Err(e) => {
                txn.rollback().await.map_err(store_err)?;
                Err(e)
            }
        }
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

    async fn invite(
        &self,
        invitation: Invitation,
        mail: InvitationMail,
    ) -> Result<Invitation, StoreError> {
        invitations::invite(&self.db, invitation, mail).await
    }

    async fn invitations(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Invitation>, StoreError> {
        invitations::list(&self.db, tenant, before, limit).await
    }

    async fn invitations_received(
        &self,
        user: UserId,
        now: Timestamp,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ReceivedInvitation>, StoreError> {
        invitations::received(&self.db, user, now, before, limit).await
    }

    async fn invitation_for(
        &self,
        user: UserId,
        id: i64,
    ) -> Result<Option<Invitation>, StoreError> {
        invitations::for_invitee(&self.db, user, id).await
    }

    async fn accept_invitation(
        &self,
        user: UserId,
        accepted: Invitation,
    ) -> Result<(), StoreError> {
        invitations::accept(&self.db, user, accepted).await
    }

    async fn close_invitation(&self, closed: Invitation) -> Result<(), StoreError> {
        invitations::close_one(&self.db, closed).await
    }

    async fn member_role(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<TenantRole>, StoreError> {
        invitations::member_role(&self.db, tenant, user).await
    }

    async fn owner_count(&self, tenant: TenantId) -> Result<u64, StoreError> {
        invitations::owner_count(&self.db, tenant).await
    }

    async fn remove_member(
        &self,
        tenant: TenantId,
        user: UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        invitations::remove(&self.db, tenant, user, now).await
    }

    async fn user_exists(&self, user: i64) -> Result<bool, StoreError> {
        Ok(users::Entity::find_by_id(user)
            .one(self.db.conn())
            .await
            .map_err(store_err)?
            .is_some())
    }
}

/// Inserts a tenant owned by `owner`, inside the caller's transaction. Only a
/// user without a tenant becomes an owner, checked in the same statement:
/// [`StoreError::Stale`] when the user joined one since the decision was made.
pub(crate) async fn insert_owned_tenant(
    db: &impl ConnectionTrait,
    owner: UserId,
    name: &str,
    slug: &str,
    now: Timestamp,
) -> Result<tenants::Model, StoreError> {
    let row = tenants::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        slug: Set(slug.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(store_err)?;
    let joined = users::Entity::update_many()
        .col_expr(users::Column::TenantId, Expr::value(row.id))
        .col_expr(
            users::Column::TenantRole,
            Expr::value(TenantRole::Owner.as_str()),
        )
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(owner.0))
        .filter(users::Column::TenantId.is_null())
        .exec(db)
        .await
        .map_err(store_err)?;
    if joined.rows_affected != 1 {
        return Err(StoreError::Stale);
    }
    Ok(row)
}
