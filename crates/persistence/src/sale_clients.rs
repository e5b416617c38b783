//! Who a sale may name as its client: the scoped query behind
//! `SaleRepository::is_client_of`.

use kernel::{StoreError, TenantId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{
    jobs as job_rows, message_threads as threads, service_listings as listings,
    service_providers as sp, users,
};
use crate::error::store_err;

/// Whether `user` is the customer of one of the seller's jobs, or the buyer
/// of an inquiry thread on one of its listings (the tenant's or the seller's own).
pub(crate) async fn is_client_of(
    db: &impl ConnectionTrait,
    tenant: TenantId,
    seller: UserId,
    user: UserId,
) -> Result<bool, StoreError> {
    let customer = Query::select()
        .expr(Expr::val(1))
        .from(job_rows::Entity)
        .inner_join(
            sp::Entity,
            Expr::col((sp::Entity, sp::Column::Id))
                .equals((job_rows::Entity, job_rows::Column::ProviderId)),
        )
        .and_where(
            Expr::col((job_rows::Entity, job_rows::Column::CustomerId))
                .equals((users::Entity, users::Column::Id)),
        )
        .and_where(sp::Column::UserId.eq(seller.0))
        .to_owned();
    let inquirer = Query::select()
        .expr(Expr::val(1))
        .from(threads::Entity)
        .inner_join(
            listings::Entity,
            Expr::col((listings::Entity, listings::Column::Id))
                .equals((threads::Entity, threads::Column::ListingId)),
        )
        .and_where(threads::Column::Kind.eq("listing"))
        .and_where(
            Expr::col((threads::Entity, threads::Column::BuyerUserId))
                .equals((users::Entity, users::Column::Id)),
        )
        .cond_where(
            Condition::any()
                .add(listings::Column::TenantId.eq(tenant.0))
                .add(listings::Column::ProviderUserId.eq(seller.0)),
        )
        .to_owned();
    let found = users::Entity::find_by_id(user.0)
        .select_only()
        .column(users::Column::Id)
        .filter(
            Condition::any()
                .add(Expr::exists(customer))
                .add(Expr::exists(inquirer)),
        )
        .into_tuple::<i64>()
        .one(db)
        .await
        .map_err(store_err)?;
    Ok(found.is_some())
}
