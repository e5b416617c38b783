//! Applying a provider transition inside a caller's transaction.

use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use supply::ports::Transition;
use supply::{Provider, ProviderStatus};

use crate::entities::{service_providers as sp, users};
use crate::error::store_err;
use crate::sql::stmt;

pub(crate) async fn find_row(db: &impl ConnectionTrait, id: i64) -> Result<sp::Model, StoreError> {
    sp::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)
}

/// The provider's tenant: the user's existing one, or a new one it owns.
async fn ensure_tenant(
    db: &impl ConnectionTrait,
    p: &Provider,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let user = users::Entity::find_by_id(p.user_id.0)
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)?;
    // An owner keeps the books they already run; staff of someone else's
    // business cannot have that tenant become their provider's.
    match (user.tenant_id, user.tenant_role.as_deref()) {
        (Some(existing), Some("owner")) => return Ok(existing),
        (Some(_), _) => return Err(StoreError::Conflict("staff_elsewhere".into())),
        (None, _) => {}
    }
    // Raw SQL: the `tenants` table belongs to billing, which owns its entity.
    let row = db
        .query_one_raw(stmt(
            db,
            "INSERT INTO tenants (name, slug, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
            vec![
                p.business_name.clone().into(),
                format!("provider-{}", p.id.0).into(),
                now.into(),
                now.into(),
            ],
        ))
        .await
        .map_err(store_err)?;
    let tenant: i64 = row
        .ok_or_else(|| StoreError::Backend("no tenant id returned".into()))?
        .try_get("", "id")
        .map_err(store_err)?;
    // Only while the user still has no tenant: an invitation accepted between
    // the read above and this write wins, and the approval is refused.
    let joined = users::Entity::update_many()
        .col_expr(users::Column::TenantId, Expr::value(tenant))
        .col_expr(users::Column::TenantRole, Expr::value("owner"))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(p.user_id.0))
        .filter(users::Column::TenantId.is_null())
        .exec(db)
        .await
        .map_err(store_err)?;
    if joined.rows_affected != 1 {
        return Err(StoreError::Conflict("staff_elsewhere".into()));
    }
    Ok(tenant)
}

/// Applies a transition inside the caller's transaction: the conditional
/// update ([`StoreError::Stale`] when the row changed since it was read), the
/// tenant on approval, the user's ban with the provider's.
pub(crate) async fn apply_transition(
    db: &impl ConnectionTrait,
    change: &Transition,
    now: Timestamp,
) -> Result<sp::Model, StoreError> {
    let (before, after) = (&change.before, &change.after);
    // The conditional update comes first: it decides races, and as the first
    // statement of the transaction it takes SQLite's write lock (waiting on the
    // busy timeout) instead of failing on a stale read snapshot.
    let updated = sp::Entity::update_many()
        .col_expr(sp::Column::Status, Expr::value(after.status.as_str()))
        .col_expr(sp::Column::UnderReview, Expr::value(after.under_review))
        .col_expr(sp::Column::Warnings, Expr::value(after.warnings))
        .col_expr(
            sp::Column::RejectionReason,
            Expr::value(after.rejection_reason.clone()),
        )
        .col_expr(sp::Column::ApprovedAt, Expr::value(after.approved_at))
        .col_expr(sp::Column::IsDeleted, Expr::value(after.is_deleted))
        .col_expr(sp::Column::DeletedAt, Expr::value(after.deleted_at))
        .col_expr(
            sp::Column::TenantId,
            Expr::value(after.tenant_id.map(|t| t.0)),
        )
        .col_expr(sp::Column::UpdatedAt, Expr::value(now))
        .filter(sp::Column::Id.eq(before.id.0))
        .filter(sp::Column::Status.eq(before.status.as_str()))
        .filter(sp::Column::Warnings.eq(before.warnings))
        .filter(sp::Column::UnderReview.eq(before.under_review))
        .exec(db)
        .await
        .map_err(store_err)?;
    if updated.rows_affected != 1 {
        return Err(StoreError::Stale);
    }
    if change.create_tenant {
        let tenant = ensure_tenant(db, after, now).await?;
        sp::Entity::update_many()
            .col_expr(sp::Column::TenantId, Expr::value(tenant))
            .filter(sp::Column::Id.eq(before.id.0))
            .exec(db)
            .await
            .map_err(store_err)?;
    }
    if after.status == ProviderStatus::Banned {
        users::Entity::update_many()
            .col_expr(users::Column::Status, Expr::value("banned"))
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(after.user_id.0))
            .exec(db)
            .await
            .map_err(store_err)?;
    }
    find_row(db, before.id.0).await
}
