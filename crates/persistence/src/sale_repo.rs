//! Marketplace sales ([`SaleRepository`]): the reads, with the viewer's scope
//! in the query, and what recording one checks first. Recording and moving
//! a sale are written through a unit of work (`uow/sales.rs`), its invoice
//! by billing's rules.

use async_trait::async_trait;
use kernel::{Page, PageRequest, StoreError, TenantId, UserId};
use marketplace::sale::{SaleRecord, SaleStatus};
use marketplace::sale_ports::{SaleRepository, SaleViewer};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use crate::billing::BillingDb;
use crate::entities::{
    invoices, marketplace_transactions as sales, parties, platform_settings, service_listings,
    service_providers as sp, users,
};
use crate::error::store_err;

/// A sale row with the id of the invoice that follows it, if any.
#[derive(Debug, FromQueryResult)]
struct SaleRow {
    #[sea_orm(nested)]
    sale: sales::Model,
    invoice_id: Option<i64>,
}

/// Sales with their invoice's id (the tenant's first invoice naming the sale).
fn select_sales() -> Select<sales::Entity> {
    let invoice = Query::select()
        .expr(Func::min(Expr::col((
            invoices::Entity,
            invoices::Column::Id,
        ))))
        .from(invoices::Entity)
        .and_where(
            Expr::col((invoices::Entity, invoices::Column::MarketplaceTransactionId))
                .equals((sales::Entity, sales::Column::Id)),
        )
        .and_where(
            Expr::col((invoices::Entity, invoices::Column::TenantId))
                .equals((sales::Entity, sales::Column::ProviderTenantId)),
        )
        .to_owned();
    sales::Entity::find().column_as(Expr::SubQuery(None, Box::new(invoice.into())), "invoice_id")
}

/// Who may see a row: the viewer's tenant's sales, and those they are the
/// client of.
fn visible(viewer: SaleViewer) -> Condition {
    let mut who = Condition::any().add(sales::Column::ClientUserId.eq(viewer.user_id.0));
    if let Some(tenant) = viewer.tenant_id {
        who = who.add(sales::Column::ProviderTenantId.eq(tenant.0));
    }
    who
}

fn sale(row: SaleRow) -> Result<SaleRecord, StoreError> {
    let t = row.sale;
    Ok(SaleRecord {
        id: t.id,
        provider_tenant_id: TenantId(t.provider_tenant_id),
        provider_user_id: UserId(t.provider_user_id),
        client_party_id: t.client_party_id,
        client_user_id: t.client_user_id.map(UserId),
        service_listing_id: t.service_listing_id,
        job_id: t.job_id,
        service_description: t.service_description,
        amount_cents: t.amount_cents,
        currency: t.currency,
        platform_fee_cents: t.platform_fee_cents,
        net_payout_cents: t.net_payout_cents,
        transaction_date: t.transaction_date,
        status: SaleStatus::parse(&t.status).ok_or_else(|| {
            StoreError::backend(format!("unknown transaction status {}", t.status))
        })?,
        kind: t.kind,
        payment_method: t.payment_method,
        notes: t.notes,
        invoice_id: row.invoice_id,
        created_at: t.created_at,
        updated_at: t.updated_at,
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
}

#[async_trait]
impl SaleRepository for SqlSaleRepository {
    async fn staff_tenant(&self, user: UserId) -> Result<Option<TenantId>, StoreError> {
        let tenant = users::Entity::find_by_id(user.0)
            .select_only()
            .column(users::Column::TenantId)
            .filter(users::Column::TenantRole.is_not_null())
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(tenant.flatten().map(TenantId))
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
        // Only a provider's back-office tenant sells: a tenant made by anyone
        // else has no seller (403), so no user can send a "sale" notice to
        // another by naming them its client.
        let seller = sp::Entity::find()
            .select_only()
            .column_as(sp::Column::UserId.min(), "seller")
            .filter(sp::Column::TenantId.eq(tenant.0))
            .filter(crate::liveness::live_provider_expr())
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(seller.flatten().map(UserId))
    }

    async fn party_in_tenant(&self, tenant: TenantId, party: i64) -> Result<bool, StoreError> {
        // A billing read: scoped to the tenant like every other one.
        let txn = self.billing.scoped(tenant).await?;
        let found = parties::Entity::find_by_id(party)
            .select_only()
            .column(parties::Column::Id)
            .filter(parties::Column::TenantId.eq(tenant.0))
            .filter(parties::Column::DeletedAt.is_null())
            .into_tuple::<i64>()
            .one(&txn)
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
        let found = service_listings::Entity::find_by_id(listing)
            .select_only()
            .column(service_listings::Column::Id)
            .filter(
                Condition::any()
                    .add(service_listings::Column::TenantId.eq(tenant.0))
                    .add(service_listings::Column::ProviderUserId.eq(seller.0)),
            )
            .into_tuple::<i64>()
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(found.is_some())
    }

    async fn is_client_of(
        &self,
        tenant: TenantId,
        seller: UserId,
        user: UserId,
    ) -> Result<bool, StoreError> {
        crate::sale_clients::is_client_of(&self.db, tenant, seller, user).await
    }

    async fn find_visible(
        &self,
        id: i64,
        viewer: SaleViewer,
    ) -> Result<Option<SaleRecord>, StoreError> {
        select_sales()
            .filter(sales::Column::Id.eq(id))
            .filter(visible(viewer))
            .into_model::<SaleRow>()
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(sale)
            .transpose()
    }

    async fn list(
        &self,
        viewer: SaleViewer,
        page: PageRequest,
    ) -> Result<Page<SaleRecord>, StoreError> {
        let mut query = select_sales().filter(visible(viewer));
        if let Some(before) = crate::keyset::after::<i64>(&page)? {
            query = query.filter(sales::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(sales::Column::Id)
            .limit(crate::keyset::fetch(&page))
            .into_model::<SaleRow>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let items = rows.into_iter().map(sale).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::keyset::page_of(items, &page, |r| r.id))
    }
}
