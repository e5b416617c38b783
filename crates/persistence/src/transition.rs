//! Applying a provider transition inside a caller's transaction.

use billing::provider_tenant::ProviderTenant;
use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use supply::Provider;
use supply::ports::Transition;

use crate::entities::{service_providers as sp, users};
use crate::error::store_err;

pub(crate) async fn find_row(db: &impl ConnectionTrait, id: i64) -> Result<sp::Model, StoreError> {
    sp::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(store_err)?
        .ok_or(StoreError::NotFound)
}

/// Writes the tenant billing decided: the user's existing one, or a new one it owns.
async fn apply_tenant(
    db: &impl ConnectionTrait,
    p: &Provider,
    plan: &ProviderTenant,
    now: Timestamp,
) -> Result<i64, StoreError> {
    match plan {
        ProviderTenant::Existing(tenant) => Ok(tenant.0),
        ProviderTenant::Create { name, slug } => {
            crate::billing::insert_owned_tenant(db, p.user_id, name, slug, now)
                .await
                .map(|row| row.id)
        }
    }
}

/// Applies a transition inside the caller's transaction: the conditional
/// update ([`StoreError::Stale`] when the row changed since it was read), the
/// tenant billing decided on approval, the user's ban the rule decided.
pub(crate) async fn apply_transition(
    db: &impl ConnectionTrait,
    change: &Transition,
) -> Result<sp::Model, StoreError> {
    let now = change.at;
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
    if let Some(plan) = &change.tenant {
        let tenant = apply_tenant(db, after, plan, now).await?;
        sp::Entity::update_many()
            .col_expr(sp::Column::TenantId, Expr::value(tenant))
            .filter(sp::Column::Id.eq(before.id.0))
            .exec(db)
            .await
            .map_err(store_err)?;
    }
    if let Some(user) = change.ban_user {
        crate::revocation_repo::record_account(
            db,
            user,
            crate::revocation_repo::RevocationKind::Disabled,
            now,
        )
        .await?;
        users::Entity::update_many()
            .col_expr(users::Column::Status, Expr::value("banned"))
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(user.0))
            .exec(db)
            .await
            .map_err(store_err)?;
        // A banned provider's time is nobody's to book: its holds and
        // bookings are released with the ban.
        crate::job_holds::release_provider(db, before.id, now).await?;
    }
    find_row(db, before.id.0).await
}
