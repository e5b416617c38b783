//! Marketplace sales ([`SaleRepository`]): the reads, with the viewer's scope
//! in the query, and what recording one checks first. Recording and moving
//! a sale are written through a unit of work (`uow/sales.rs`), its invoice
//! by billing's rules.

use async_trait::async_trait;
use kernel::{Page, PageRequest, StoreError, TenantId, UserId};
use marketplace::sale::{SaleRecord, SaleStatus};
use marketplace::sale_ports::{SaleRepository, SaleViewer};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryResult};

use crate::billing::BillingDb;
use crate::entities::platform_settings;
use crate::error::store_err;
use crate::sale_clients::CLIENT_OF;
use crate::sql::stmt;

const COLUMNS: &str = "t.id, t.provider_tenant_id, t.provider_user_id, t.client_party_id, \
     t.client_user_id, t.service_listing_id, t.job_id, t.service_description, t.amount_cents, \
     t.currency, t.platform_fee_cents, t.net_payout_cents, t.transaction_date, t.status, \
     t.payment_method, t.notes, t.created_at, t.updated_at, \
     (SELECT MIN(i.id) FROM invoices i WHERE i.marketplace_transaction_id = t.id \
      AND i.tenant_id = t.provider_tenant_id) AS invoice_id";

/// Who may see a row: the viewer's tenant's sales, and those they are the
/// client of. The unused side is NULL and never matches.
const VISIBLE: &str = "(t.provider_tenant_id = ? OR t.client_user_id = ?)";

fn visible_values(viewer: SaleViewer) -> Vec<sea_orm::Value> {
    vec![
        viewer.tenant_id.map(|t| t.0).into(),
        viewer.user_id.0.into(),
    ]
}

fn sale(row: &QueryResult) -> Result<SaleRecord, StoreError> {
    let g = |c: &str| row.try_get::<i64>("", c).map_err(store_err);
    let opt = |c: &str| row.try_get::<Option<i64>>("", c).map_err(store_err);
    let status: String = row.try_get("", "status").map_err(store_err)?;
    Ok(SaleRecord {
        id: g("id")?,
        provider_tenant_id: TenantId(g("provider_tenant_id")?),
        provider_user_id: UserId(g("provider_user_id")?),
        client_party_id: opt("client_party_id")?,
        client_user_id: opt("client_user_id")?.map(UserId),
        service_listing_id: opt("service_listing_id")?,
        job_id: opt("job_id")?,
        service_description: row.try_get("", "service_description").map_err(store_err)?,
        amount_cents: g("amount_cents")?,
        currency: row.try_get("", "currency").map_err(store_err)?,
        platform_fee_cents: g("platform_fee_cents")?,
        net_payout_cents: g("net_payout_cents")?,
        transaction_date: row.try_get("", "transaction_date").map_err(store_err)?,
        status: SaleStatus::parse(&status)
            .ok_or_else(|| StoreError::backend(format!("unknown transaction status {status}")))?,
        payment_method: row.try_get("", "payment_method").map_err(store_err)?,
        notes: row.try_get("", "notes").map_err(store_err)?,
        invoice_id: opt("invoice_id")?,
        created_at: row.try_get("", "created_at").map_err(store_err)?,
        updated_at: row.try_get("", "updated_at").map_err(store_err)?,
    })
}

/// [`SaleRepository`] in SQL.
#[derive(Debug, Clone)]
pub struct SqlSaleRepository {
    db: DatabaseConnection,
    billing: BillingDb,
}

impl SqlSaleRepository {
    /// The repository on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            billing: BillingDb::new(db.clone()),
            db,
        }
    }

    /// The pool, for units of work over the same database.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    async fn settings(&self) -> Result<supply::PlatformSettings, StoreError> {
        let rows: Vec<(String, serde_json::Value)> = platform_settings::Entity::find()
            .all(&self.db)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|r| (r.key, r.value))
            .collect();
        Ok(supply::PlatformSettings::from_stored(&rows))
    }

    async fn exists(&self, sql: &str, values: Vec<sea_orm::Value>) -> Result<bool, StoreError> {
        Ok(self
            .db
            .query_one_raw(stmt(&self.db, sql, values))
            .await
            .map_err(store_err)?
            .is_some())
    }

    async fn one_id(
        &self,
        sql: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<Option<i64>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(&self.db, sql, values))
            .await
            .map_err(store_err)?;
        Ok(row
            .map(|r| r.try_get_by_index::<Option<i64>>(0))
            .transpose()
            .map_err(store_err)?
            .flatten())
    }
}

#[async_trait]
impl SaleRepository for SqlSaleRepository {
    async fn staff_tenant(&self, user: UserId) -> Result<Option<TenantId>, StoreError> {
        Ok(self
            .one_id(
                "SELECT tenant_id FROM users WHERE id = ? AND tenant_role IS NOT NULL",
                vec![user.0.into()],
            )
            .await?
            .map(TenantId))
    }

    async fn fee_bps(&self) -> Result<u32, StoreError> {
        let s = self.settings().await?;
        Ok(u32::try_from(s.platform_fee_bps()).unwrap_or(0))
    }

    async fn sale_notices_per_hour(&self) -> Result<u32, StoreError> {
        let s = self.settings().await?;
        Ok(u32::try_from(s.sale_notices_per_hour()).unwrap_or(u32::MAX))
    }

    async fn seller_of(&self, tenant: TenantId) -> Result<Option<UserId>, StoreError> {
        Ok(self
            .one_id(
                // Only a provider's back-office tenant sells: a tenant made
                // by anyone else has no seller (403), so no user can send a
                // "sale" notice to another by naming them its client.
                &format!(
                    "SELECT MIN(p.user_id) FROM service_providers p WHERE p.tenant_id = ? AND {}",
                    crate::liveness::live_provider("p")
                ),
                vec![tenant.0.into()],
            )
            .await?
            .map(UserId))
    }

    async fn party_in_tenant(&self, tenant: TenantId, party: i64) -> Result<bool, StoreError> {
        // A billing read: scoped to the tenant like every other one.
        let txn = self.billing.scoped(tenant).await?;
        let found = txn
            .query_one_raw(stmt(
                &txn,
                "SELECT id FROM parties WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL",
                vec![party.into(), tenant.0.into()],
            ))
            .await
            .map_err(store_err)?
            .is_some();
        txn.commit().await.map_err(store_err)?;
        Ok(found)
    }

    async fn listing_of(
        &self,
        tenant: TenantId,
        seller: UserId,
        listing: i64,
    ) -> Result<bool, StoreError> {
        self.exists(
            "SELECT id FROM service_listings WHERE id = ? AND (tenant_id = ? OR provider_user_id = ?)",
            vec![listing.into(), tenant.0.into(), seller.0.into()],
        )
        .await
    }

    async fn is_client_of(
        &self,
        tenant: TenantId,
        seller: UserId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        self.exists(
            CLIENT_OF,
            vec![
                user.0.into(),
                seller.0.into(),
                tenant.0.into(),
                seller.0.into(),
            ],
        )
        .await
    }

    async fn find_visible(
        &self,
        id: i64,
        viewer: SaleViewer,
    ) -> Result<Option<SaleRecord>, StoreError> {
        let mut values = vec![id.into()];
        values.extend(visible_values(viewer));
        self.db
            .query_one_raw(stmt(
                &self.db,
                &format!(
                    "SELECT {COLUMNS} FROM marketplace_transactions t WHERE t.id = ? AND {VISIBLE}"
                ),
                values,
            ))
            .await
            .map_err(store_err)?
            .as_ref()
            .map(sale)
            .transpose()
    }

    async fn list(
        &self,
        viewer: SaleViewer,
        page: PageRequest,
    ) -> Result<Page<SaleRecord>, StoreError> {
        let before = crate::keyset::after::<i64>(&page)?.unwrap_or(i64::MAX);
        let mut values = visible_values(viewer);
        values.push(before.into());
        values.push(
            i64::try_from(crate::keyset::fetch(&page))
                .unwrap_or(i64::MAX)
                .into(),
        );
        let rows = self
            .db
            .query_all_raw(stmt(
                &self.db,
                &format!(
                    "SELECT {COLUMNS} FROM marketplace_transactions t WHERE {VISIBLE} AND t.id < ? \
                     ORDER BY t.id DESC LIMIT ?"
                ),
                values,
            ))
            .await
            .map_err(store_err)?;
        let items = rows.iter().map(sale).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::keyset::page_of(items, &page, |r| r.id))
    }
}
