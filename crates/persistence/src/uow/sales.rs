//! The sale stores of a unit of work: the `marketplace_transactions` rows
//! (the wire's "transactions", the code's sales) and the tenant's books.

use std::sync::Arc;

use async_trait::async_trait;
use billing::books::BooksStore;
use effects::Effects;
use kernel::{StoreError, TenantId, Timestamp};
use marketplace::sale_ports::{NewSale, SaleChange};
use marketplace::sale_unit_of_work::{ClientSales, SaleStore, SaleUnitOfWork, SaleUnits};
use sea_orm::{ConnectionTrait, DbBackend};

use super::books::SqlBooksStore;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::error::store_err;
use crate::marketplace_repo::insert_returning_id;
use crate::sql::{exec, stmt};

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
            exec(
                db,
                "SELECT id FROM tenants WHERE id = ? FOR UPDATE",
                vec![tenant.0.into()],
            )
            .await?;
        }
        let row = db
            .query_one_raw(stmt(
                db,
                "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM marketplace_transactions \
                 WHERE provider_tenant_id = ? AND client_user_id IS NOT NULL AND job_id IS NULL \
                 AND created_at > ?",
                vec![tenant.0.into(), since.into()],
            ))
            .await
            .map_err(store_err)?
            .ok_or_else(|| StoreError::backend("a count returned no row"))?;
        Ok(ClientSales {
            count: row.try_get("", "n").map_err(store_err)?,
            oldest: row.try_get("", "oldest").map_err(store_err)?,
        })
    }

    async fn insert(&self, new: &NewSale) -> Result<i64, StoreError> {
        let f = &new.fields;
        insert_returning_id(
            self.tx.platform()?,
            "INSERT INTO marketplace_transactions (provider_tenant_id, provider_user_id, \
             client_party_id, client_user_id, service_listing_id, service_description, amount_cents, \
             currency, platform_fee_cents, net_payout_cents, transaction_date, status, \
             payment_method, notes, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            vec![
                new.tenant_id.0.into(),
                new.provider_user_id.0.into(),
                f.client_party_id.into(),
                f.client_user_id.map(|u| u.0).into(),
                f.service_listing_id.into(),
                f.service_description.clone().into(),
                f.amount_cents.into(),
                f.currency.clone().into(),
                new.split.fee_cents.into(),
                new.split.net_cents.into(),
                f.transaction_date.into(),
                f.payment_method.map(|m| m.as_str().to_owned()).into(),
                f.notes.clone().into(),
                new.at.into(),
                new.at.into(),
            ],
        )
        .await
    }

    async fn move_status(&self, change: &SaleChange) -> Result<(), StoreError> {
        let moved = exec(
            self.tx.platform()?,
            "UPDATE marketplace_transactions SET status = ?, updated_at = ? \
             WHERE id = ? AND provider_tenant_id = ? AND status = ?",
            vec![
                change.to.as_str().into(),
                change.at.into(),
                change.id.into(),
                change.tenant_id.0.into(),
                change.from.as_str().into(),
            ],
        )
        .await?;
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
