//! Marketplace sales recorded by a provider's staff ([`SaleRepository`]):
//! the `marketplace_transactions` row and, in the same transaction, its
//! marketplace invoice — created issued, then paid, voided or its payment
//! refunded as the rule of each edge says. Every edge is a conditional
//! `UPDATE … WHERE status = <from>`: the loser of a race changes nothing.

use async_trait::async_trait;
use kernel::{Page, PageRequest, StoreError, TenantId, UserId};
use marketplace::sale::{InvoiceFollow, SaleRecord, SaleStatus};
use marketplace::sale_ports::{
    EffectsOf, Inserted, NewSale, SaleChange, SaleRepository, SaleViewer,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryResult};

use crate::billing::BillingDb;
use crate::effects::write_effects;
use crate::entities::platform_settings;
use crate::error::store_err;
use crate::marketplace_repo::{
    MarketplaceInvoice, insert_invoice, insert_payment, insert_returning_id,
};
use crate::sale_clients::{CLIENT_OF, allowance_used, rollback};
use crate::sql::{exec, stmt};

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

    async fn insert(&self, new: NewSale, effects_of: EffectsOf) -> Result<Inserted, StoreError> {
        let txn = self.billing.plain_write().await?;
        if let Some(allowance) = new.allowance
            && let Some(oldest) = allowance_used(&txn, new.tenant_id, allowance).await?
        {
            return rollback(txn, Inserted::AllowanceUsed { oldest }).await;
        }
        let mut record = pending(insert_row(&txn, &new).await?, &new);
        // Effects before the books: the billing role sees only billing tables.
        write_effects(&txn, &(effects_of.0)(&record), new.at).await?;
        let f = &new.fields;
        let invoice = MarketplaceInvoice {
            tenant: new.tenant_id,
            transaction_id: record.id,
            client_party_id: f.client_party_id,
            currency: &f.currency,
            amount_cents: f.amount_cents,
            description: &f.service_description,
            due_date: f.transaction_date,
            notes: Some(format!("Marketplace transaction #{}", record.id)),
            paid: false,
            at: new.at,
        };
        record.invoice_id = Some(insert_invoice(&txn, &self.billing, &invoice).await?);
        txn.commit().await.map_err(store_err)?;
        Ok(Inserted::Sale(Box::new(record)))
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

    async fn apply(&self, change: SaleChange) -> Result<(), StoreError> {
        let txn = self.billing.plain_write().await?;
        let moved = exec(
            &txn,
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
        if moved != 1 {
            // Another request moved it first; nothing was written.
            return Err(StoreError::Stale);
        }
        write_effects(&txn, &change.effects, change.at).await?;
        follow_invoice(&txn, &self.billing, &change).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(())
    }
}

/// The sale's marketplace invoice: id, amount, currency.
async fn the_invoice(
    txn: &DatabaseTransaction,
    change: &SaleChange,
) -> Result<(i64, i64, String), StoreError> {
    let row = txn
        .query_one_raw(stmt(
            txn,
            "SELECT id, amount_cents, currency FROM invoices \
             WHERE marketplace_transaction_id = ? AND tenant_id = ? ORDER BY id LIMIT 1",
            vec![change.id.into(), change.tenant_id.0.into()],
        ))
        .await
        .map_err(store_err)?
        .ok_or_else(|| StoreError::Conflict(kernel::Constraint::SaleInvoiceMoved))?;
    Ok((
        row.try_get("", "id").map_err(store_err)?,
        row.try_get("", "amount_cents").map_err(store_err)?,
        row.try_get("", "currency").map_err(store_err)?,
    ))
}

/// The invoice's part of an edge, as [`InvoiceFollow`] says, inside the
/// tenant's billing write. Each invoice update is guarded by the state the
/// rule expects, so an invoice that billing moved meanwhile (paid in part,
/// voided) refuses the edge with a conflict and the whole change rolls back.
async fn follow_invoice(
    txn: &DatabaseTransaction,
    billing: &BillingDb,
    change: &SaleChange,
) -> Result<(), StoreError> {
    let tenant = change.tenant_id;
    billing.enter_tenant(txn, tenant).await?;
    let (invoice, amount, currency) = the_invoice(txn, change).await?;
    let guarded = match &change.invoice {
        InvoiceFollow::PayInFull { method } => {
            let paid_with = (method.as_str(), None);
            insert_payment(
                txn,
                tenant,
                invoice,
                (amount, &currency),
                paid_with,
                change.at,
            )
            .await?;
            "UPDATE invoices SET status = 'paid', balance_cents = 0, version = version + 1, \
             updated_at = ? WHERE id = ? AND tenant_id = ? AND status = 'issued' \
             AND balance_cents = amount_cents"
        }
        InvoiceFollow::Void => {
            "UPDATE invoices SET status = 'void', version = version + 1, updated_at = ? \
             WHERE id = ? AND tenant_id = ? AND status = 'issued' AND balance_cents = amount_cents"
        }
        InvoiceFollow::RefundInFull => {
            exec(
                txn,
                "UPDATE payments SET refunded_cents = amount_cents, status = 'refunded' \
                 WHERE invoice_id = ? AND tenant_id = ? AND status IN ('succeeded', 'refunded')",
                vec![invoice.into(), tenant.0.into()],
            )
            .await?;
            "UPDATE invoices SET status = 'issued', balance_cents = amount_cents, \
             version = version + 1, updated_at = ? \
             WHERE id = ? AND tenant_id = ? AND status <> 'void'"
        }
    };
    let values = vec![change.at.into(), invoice.into(), tenant.0.into()];
    if exec(txn, guarded, values).await? != 1 {
        return Err(StoreError::Conflict(kernel::Constraint::SaleInvoiceMoved));
    }
    Ok(())
}

/// Inserts the `pending` row of a new sale; returns its id.
async fn insert_row(txn: &DatabaseTransaction, new: &NewSale) -> Result<i64, StoreError> {
    let f = &new.fields;
    insert_returning_id(
        txn,
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

/// The sale just inserted as `id`, as a read would return it (its invoice
/// id is filled in once the invoice exists).
fn pending(id: i64, new: &NewSale) -> SaleRecord {
    let f = &new.fields;
    SaleRecord {
        id,
        provider_tenant_id: new.tenant_id,
        provider_user_id: new.provider_user_id,
        client_party_id: f.client_party_id,
        client_user_id: f.client_user_id,
        service_listing_id: f.service_listing_id,
        job_id: None,
        service_description: f.service_description.clone(),
        amount_cents: f.amount_cents,
        currency: f.currency.clone(),
        platform_fee_cents: new.split.fee_cents,
        net_payout_cents: new.split.net_cents,
        transaction_date: f.transaction_date,
        status: SaleStatus::Pending,
        payment_method: f.payment_method.map(|m| m.as_str().to_owned()),
        notes: f.notes.clone(),
        invoice_id: None,
        created_at: new.at,
        updated_at: new.at,
    }
}
