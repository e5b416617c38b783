//! Marketplace transactions outside the sale stores: the `completed` row a
//! paid job records (inside the job's unit of work), and the provider's
//! tenant that its books live in. The invoice of either comes from billing's
//! rules through `billing::books::BooksStore`.

use jobs::Sale;
use kernel::{StoreError, TenantId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};

use crate::entities::{marketplace_transactions as sales, service_providers as sp};
use crate::error::store_err;

/// Inserts a sale row and returns its id.
pub(crate) async fn insert_row(
    db: &impl ConnectionTrait,
    row: sales::ActiveModel,
) -> Result<i64, StoreError> {
    sales::Entity::insert(row)
        .exec(db)
        .await
        .map(|done| done.last_insert_id)
        .map_err(store_err)
}

/// Inserts the `completed` marketplace transaction a paid job records;
/// returns its id.
pub(crate) async fn insert_sale(db: &impl ConnectionTrait, sale: &Sale) -> Result<i64, StoreError> {
    let row = sales::ActiveModel {
        id: NotSet,
        provider_tenant_id: Set(sale.tenant_id.0),
        provider_user_id: Set(sale.provider_user_id.0),
        client_party_id: Set(None),
        client_user_id: Set(Some(sale.client_user_id.0)),
        client_description: Set(None),
        service_listing_id: Set(None),
        job_id: Set(Some(sale.job_id)),
        service_description: Set(sale.service_description.clone()),
        amount_cents: Set(sale.amount_cents),
        currency: Set(sale.currency.clone()),
        platform_fee_cents: Set(sale.split.fee_cents),
        net_payout_cents: Set(sale.split.net_cents),
        transaction_date: Set(sale.transaction_date),
        status: Set(sale.kind.status().into()),
        kind: Set(sale.kind.as_str().into()),
        payment_method: Set((sale.kind == jobs::payment::SaleKind::JobPayment)
            .then(|| sale.paid_with.method.as_str().into())),
        stripe_invoice_id: Set(None),
        stripe_payment_intent_id: Set(None),
        notes: Set(sale.paid_with.reference.clone()),
        metadata: Set(None),
        created_at: Set(sale.at),
        updated_at: Set(sale.at),
    };
    insert_row(db, row).await
}

/// The provider's back-office tenant, if it has one.
pub(crate) async fn provider_tenant(
    db: &impl ConnectionTrait,
    provider: kernel::ProviderId,
) -> Result<Option<TenantId>, StoreError> {
    let tenant = sp::Entity::find_by_id(provider.0)
        .select_only()
        .column(sp::Column::TenantId)
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map_err(store_err)?;
    Ok(tenant.flatten().map(TenantId))
}
