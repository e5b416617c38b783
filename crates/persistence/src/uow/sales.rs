//! The sale stores of a unit of work: the `marketplace_transactions` rows
//! (the wire's "transactions", the code's sales) and the tenant's books.

use std::sync::Arc;

use async_trait::async_trait;
use billing::books::BooksStore;
use effects::Effects;
use kernel::{StoreError, TenantId, Timestamp};
use marketplace::sale_ports::{NewSale, SaleChange};
use marketplace::sale_unit_of_work::{ClientSales, SaleStore, SaleUnitOfWork, SaleUnits};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};

use super::books::SqlBooksStore;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::entities::{marketplace_transactions as sales, tenants};
use crate::error::store_err;
use crate::marketplace_repo::insert_row;

#[async_trait]
impl SaleUnits for SqlUnitsOfWork {
    async fn begin(&self) -> Result<Box<dyn SaleUnitOfWork>, StoreError> {
        Ok(Box::new(self.open().await?))
    }
}

#[async_trait]
impl SaleUnitOfWork for SqlUnitOfWork {
    fn sales(&mut self) -> Box<dyn SaleStore> {
        Box::new(SqlSaleStore { tx: self.tx() })
    }

    fn books(&mut self, tenant: TenantId) -> Box<dyn BooksStore> {
        Box::new(SqlBooksStore {
            tx: self.tx(),
            tenant,
        })
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        SqlUnitOfWork::commit(self).await
    }
}

/// The sale rows of one unit of work.
#[derive(Debug)]
pub struct SqlSaleStore {
    tx: Arc<Tx>,
}

#[async_trait]
impl SaleStore for SqlSaleStore {
    /// SQLite's unit already holds the write lock from `BEGIN IMMEDIATE`; on
    /// PostgreSQL the tenant's row is locked first.
    async fn client_sales_since(
        &self,
        tenant: TenantId,
        since: Timestamp,
    ) -> Result<ClientSales, StoreError> {
        let db = self.tx.platform()?;
        if db.get_database_backend() == DbBackend::Postgres {
            tenants::Entity::find_by_id(tenant.0)
                .select_only()
                .column(tenants::Column::Id)
                .lock_exclusive()
                .into_tuple::<i64>()
                .one(db)
                .await
                .map_err(store_err)?;
        }
        let (count, oldest) = sales::Entity::find()
            .select_only()
            .column_as(sales::Column::Id.count(), "n")
            .column_as(sales::Column::CreatedAt.min(), "oldest")
            .filter(sales::Column::ProviderTenantId.eq(tenant.0))
            .filter(sales::Column::ClientUserId.is_not_null())
            .filter(sales::Column::JobId.is_null())
            .filter(sales::Column::CreatedAt.gt(since))
            .into_tuple::<(i64, Option<Timestamp>)>()
            .one(db)
            .await
            .map_err(store_err)?
            .ok_or_else(|| StoreError::backend("a count returned no row"))?;
        Ok(ClientSales { count, oldest })
    }

    async fn insert(&self, new: &NewSale) -> Result<i64, StoreError> {
        let f = &new.fields;
        let row = sales::ActiveModel {
            id: NotSet,
            provider_tenant_id: Set(new.tenant_id.0),
            provider_user_id: Set(new.provider_user_id.0),
            client_party_id: Set(f.client_party_id),
            client_user_id: Set(f.client_user_id.map(|u| u.0)),
            client_description: Set(None),
            service_listing_id: Set(f.service_listing_id),
            job_id: Set(None),
            service_description: Set(f.service_description.clone()),
            amount_cents: Set(f.amount_cents),
            currency: Set(f.currency.clone()),
            platform_fee_cents: Set(new.split.fee_cents),
            net_payout_cents: Set(new.split.net_cents),
            transaction_date: Set(f.transaction_date),
            status: Set("pending".into()),
            kind: Set("sale".into()),
            payment_method: Set(f.payment_method.map(|m| m.as_str().to_owned())),
            stripe_invoice_id: Set(None),
            stripe_payment_intent_id: Set(None),
            notes: Set(f.notes.clone()),
            metadata: Set(None),
            created_at: Set(new.at),
            updated_at: Set(new.at),
        };
        insert_row(self.tx.platform()?, row).await
    }

    async fn move_status(&self, change: &SaleChange) -> Result<(), StoreError> {
        let moved = sales::Entity::update_many()
            .col_expr(sales::Column::Status, Expr::value(change.to.as_str()))
            .col_expr(sales::Column::UpdatedAt, Expr::value(change.at))
            .filter(sales::Column::Id.eq(change.id))
            .filter(sales::Column::ProviderTenantId.eq(change.tenant_id.0))
            .filter(sales::Column::Status.eq(change.from.as_str()))
            .exec(self.tx.platform()?)
            .await
            .map_err(store_err)?
            .rows_affected;
        if moved == 1 {
            Ok(())
        } else {
            Err(StoreError::Stale)
        }
    }

    async fn effects(&self, effects: &Effects, at: Timestamp) -> Result<(), StoreError> {
        crate::effects::write_effects(self.tx.platform()?, effects, at).await
    }
}
