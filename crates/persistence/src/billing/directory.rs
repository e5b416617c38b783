//! Parties and contacts, always filtered by tenant and liveness.

use async_trait::async_trait;
use billing::ports::{ContactFields, ContactRepository, NewParty, PartyRepository};
use billing::{Contact, Party};
use kernel::{StoreError, TenantId, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, NotSet,
    QueryFilter,
};

use super::{BillingDb, convert, newest_first};
use crate::entities::{contacts, parties};
use crate::error::store_err;

/// [`PartyRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlPartyRepository {
    db: BillingDb,
}

impl SqlPartyRepository {
    /// A repository on this billing storage.
    pub fn new(db: BillingDb) -> Self {
        Self { db }
    }
}

async fn live_party(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    id: i64,
) -> Result<Option<parties::Model>, StoreError> {
    parties::Entity::find_by_id(id)
        .filter(parties::Column::TenantId.eq(tenant.0))
        .filter(parties::Column::DeletedAt.is_null())
        .one(txn)
        .await
        .map_err(store_err)
}

#[async_trait]
impl PartyRepository for SqlPartyRepository {
    async fn create(
        &self,
        tenant: TenantId,
        party: NewParty,
        at: Timestamp,
    ) -> Result<Party, StoreError> {
        let now = at;
        let txn = self.db.scoped_write(tenant).await?;
        let row = parties::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant.0),
            kind: Set(party.kind.as_str().to_owned()),
            display_name: Set(party.display_name),
            email: Set(party.email),
            phone: Set(party.phone),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        txn.commit().await.map_err(store_err)?;
        convert::party(row)
    }

    async fn get(&self, tenant: TenantId, id: i64) -> Result<Option<Party>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let row = live_party(&txn, tenant, id).await?;
        txn.commit().await.map_err(store_err)?;
        row.map(convert::party).transpose()
    }

    async fn update(
        &self,
        tenant: TenantId,
        id: i64,
        party: NewParty,
        at: Timestamp,
    ) -> Result<Party, StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        let row = live_party(&txn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut row: parties::ActiveModel = row.into();
        row.kind = Set(party.kind.as_str().to_owned());
        row.display_name = Set(party.display_name);
        row.email = Set(party.email);
        row.phone = Set(party.phone);
        row.updated_at = Set(at);
        let row = row.update(&txn).await.map_err(store_err)?;
        txn.commit().await.map_err(store_err)?;
        convert::party(row)
    }

    async fn list(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Party>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let query = parties::Entity::find()
            .filter(parties::Column::TenantId.eq(tenant.0))
            .filter(parties::Column::DeletedAt.is_null());
        let rows = newest_first(query, parties::Column::Id, before, limit)
            .all(&txn)
            .await
            .map_err(store_err)?;
        txn.commit().await.map_err(store_err)?;
        rows.into_iter().map(convert::party).collect()
    }

    async fn soft_delete(
        &self,
        tenant: TenantId,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        let done = parties::Entity::update_many()
            .col_expr(parties::Column::DeletedAt, Expr::value(now))
            .filter(parties::Column::Id.eq(id))
            .filter(parties::Column::TenantId.eq(tenant.0))
            .filter(parties::Column::DeletedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        txn.commit().await.map_err(store_err)?;
        if done.rows_affected == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

/// [`ContactRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlContactRepository {
    db: BillingDb,
}

impl SqlContactRepository {
    /// A repository on this billing storage.
    pub fn new(db: BillingDb) -> Self {
        Self { db }
    }
}

async fn live_contact(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    id: i64,
) -> Result<Option<contacts::Model>, StoreError> {
    contacts::Entity::find_by_id(id)
        .filter(contacts::Column::TenantId.eq(tenant.0))
        .filter(contacts::Column::DeletedAt.is_null())
        .one(txn)
        .await
        .map_err(store_err)
}

async fn finish<T>(txn: DatabaseTransaction, value: T) -> Result<T, StoreError> {
    txn.commit().await.map_err(store_err)?;
    Ok(value)
}

#[async_trait]
impl ContactRepository for SqlContactRepository {
    async fn create(
        &self,
        tenant: TenantId,
        c: ContactFields,
        at: Timestamp,
    ) -> Result<Contact, StoreError> {
        let now = at;
        let txn = self.db.scoped_write(tenant).await?;
        let row = contacts::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant.0),
            party_id: Set(c.party_id),
            first_name: Set(c.first_name),
            last_name: Set(c.last_name),
            email: Set(c.email),
            phone: Set(c.phone),
            marketplace_user_id: Set(c.marketplace_user_id),
            portal_enabled: Set(false),
            portal_password_hash: Set(None),
            portal_last_login: Set(None),
            portal_credential_version: Set(0),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        finish(txn, convert::contact(row)).await
    }

    async fn get(&self, tenant: TenantId, id: i64) -> Result<Option<Contact>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let row = live_contact(&txn, tenant, id).await?;
        finish(txn, row.map(convert::contact)).await
    }

    async fn update(
        &self,
        tenant: TenantId,
        id: i64,
        c: ContactFields,
        at: Timestamp,
    ) -> Result<Contact, StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        let mut row: contacts::ActiveModel = live_contact(&txn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?
            .into();
        row.party_id = Set(c.party_id);
        row.first_name = Set(c.first_name);
        row.last_name = Set(c.last_name);
        row.email = Set(c.email);
        row.phone = Set(c.phone);
        row.marketplace_user_id = Set(c.marketplace_user_id);
        row.updated_at = Set(at);
        let row = row.update(&txn).await.map_err(store_err)?;
        finish(txn, convert::contact(row)).await
    }

    async fn list(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Contact>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let query = contacts::Entity::find()
            .filter(contacts::Column::TenantId.eq(tenant.0))
            .filter(contacts::Column::DeletedAt.is_null());
        let rows = newest_first(query, contacts::Column::Id, before, limit)
            .all(&txn)
            .await
            .map_err(store_err)?;
        finish(txn, rows.into_iter().map(convert::contact).collect()).await
    }

    async fn soft_delete(
        &self,
        tenant: TenantId,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        let done = contacts::Entity::update_many()
            .col_expr(contacts::Column::DeletedAt, Expr::value(now))
            .col_expr(contacts::Column::PortalEnabled, Expr::value(false))
            .filter(contacts::Column::Id.eq(id))
            .filter(contacts::Column::TenantId.eq(tenant.0))
            .filter(contacts::Column::DeletedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        finish(txn, ()).await?;
        if done.rows_affected == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn set_portal(
        &self,
        tenant: TenantId,
        id: i64,
        enabled: bool,
        hash: Option<String>,
        at: Timestamp,
    ) -> Result<Contact, StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        // The version moves in the statement itself, so two changes racing each
        // bump it and no token issued between them survives the second.
        let mut update = contacts::Entity::update_many()
            .col_expr(contacts::Column::PortalEnabled, Expr::value(enabled))
            .col_expr(
                contacts::Column::PortalCredentialVersion,
                Expr::col(contacts::Column::PortalCredentialVersion).add(1),
            )
            .col_expr(contacts::Column::UpdatedAt, Expr::value(at));
        if let Some(hash) = hash {
            update = update.col_expr(contacts::Column::PortalPasswordHash, Expr::value(hash));
        }
        let done = update
            .filter(contacts::Column::Id.eq(id))
            .filter(contacts::Column::TenantId.eq(tenant.0))
            .filter(contacts::Column::DeletedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if done.rows_affected != 1 {
            txn.rollback().await.map_err(store_err)?;
            return Err(StoreError::NotFound);
        }
        let row = live_contact(&txn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        finish(txn, convert::contact(row)).await
    }

    async fn portal_contact(
        &self,
        tenant: TenantId,
        id: i64,
        credential_version: i64,
    ) -> Result<Option<Contact>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let row = contacts::Entity::find_by_id(id)
            .filter(contacts::Column::TenantId.eq(tenant.0))
            .filter(contacts::Column::DeletedAt.is_null())
            .filter(contacts::Column::PortalEnabled.eq(true))
            .filter(contacts::Column::PortalCredentialVersion.eq(credential_version))
            .one(&txn)
            .await
            .map_err(store_err)?;
        finish(txn, row.map(convert::contact)).await
    }

    async fn portal_login(
        &self,
        tenant: TenantId,
        email: &str,
    ) -> Result<Option<(Contact, String)>, StoreError> {
        let txn = self.db.scoped(tenant).await?;
        let row = contacts::Entity::find()
            .filter(contacts::Column::TenantId.eq(tenant.0))
            .filter(contacts::Column::DeletedAt.is_null())
            .filter(contacts::Column::PortalEnabled.eq(true))
            .filter(contacts::Column::Email.eq(email))
            .one(&txn)
            .await
            .map_err(store_err)?;
        let found = row.and_then(|r| {
            let hash = r.portal_password_hash.clone()?;
            Some((convert::contact(r), hash))
        });
        finish(txn, found).await
    }

    async fn touch_portal_login(
        &self,
        tenant: TenantId,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.scoped_write(tenant).await?;
        contacts::Entity::update_many()
            .col_expr(contacts::Column::PortalLastLogin, Expr::value(now))
            .filter(contacts::Column::Id.eq(id))
            .filter(contacts::Column::TenantId.eq(tenant.0))
            .exec(&txn)
            .await
            .map_err(store_err)?;
        finish(txn, ()).await
    }
}
