//! The tenant of a closing account, in billing's store: its member leaves,
//! and a tenant left without an owner closes with its pending invitations.

use std::sync::Arc;

use async_trait::async_trait;
use identity::closure::LeavingTenantStore;
use kernel::{StoreError, TenantId, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::Tx;
use crate::entities::{tenant_invitations as invitations, tenants};
use crate::error::store_err;

/// The tenant of a closing account.
#[derive(Debug)]
pub struct SqlLeavingTenant {
    unit: Arc<Tx>,
}

impl SqlLeavingTenant {
    pub(super) fn new(unit: Arc<Tx>) -> Self {
        Self { unit }
    }
}

#[async_trait]
impl LeavingTenantStore for SqlLeavingTenant {
    async fn leave(&self, user: UserId) -> Result<(), StoreError> {
        super::closure::leave_tenant(self.unit.platform()?, user).await
    }

    async fn close(&self, tenant: TenantId, at: Timestamp) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        tenants::Entity::update_many()
            .col_expr(tenants::Column::ClosedAt, Expr::value(at))
            .col_expr(tenants::Column::UpdatedAt, Expr::value(at))
            .filter(tenants::Column::Id.eq(tenant.0))
            .filter(tenants::Column::ClosedAt.is_null())
            .exec(db)
            .await
            .map_err(store_err)?;
        invitations::Entity::update_many()
            .col_expr(invitations::Column::Status, Expr::value("revoked"))
            .col_expr(invitations::Column::DecidedAt, Expr::value(at))
            .filter(invitations::Column::TenantId.eq(tenant.0))
            .filter(invitations::Column::Status.eq("pending"))
            .exec(db)
            .await
            .map(|_| ())
            .map_err(store_err)
    }
}
