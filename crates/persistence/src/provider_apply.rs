//! A provider's application: a new profile, or a rejected applicant's own
//! row re-used after the cooldown, with its offered services and effects.

use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, TransactionTrait,
};
use supply::ports::NewProvider;
use supply::{Effects, Provider, ProviderStatus};

use crate::effects::write_effects;
use crate::entities::service_providers as sp;
use crate::error::store_err;
use crate::provider_repo::{to_provider, upsert_offered};

/// Inserts or re-applies in one transaction. The write comes first (see
/// `transition`): a rejected applicant past the cooldown re-applies on its
/// own row; anyone else gets a new row, and a live application makes the
/// insert hit `uq_service_providers_user_id`.
pub(crate) async fn create(
    db: &DatabaseConnection,
    new: NewProvider,
    effects: Effects,
    at: Timestamp,
) -> Result<Provider, StoreError> {
    let now = at;
    let txn = db.begin().await.map_err(store_err)?;
    // Writes first (see `transition`): a rejected applicant past the
    // cooldown re-applies on its own row; anyone else gets a new row, and a
    // live application makes the insert hit `uq_service_providers_user_id`.
    let reapplied = sp::Entity::update_many()
        .col_expr(
            sp::Column::BusinessName,
            Expr::value(new.business_name.clone()),
        )
        .col_expr(sp::Column::Phone, Expr::value(new.phone.clone()))
        .col_expr(sp::Column::Zipcode, Expr::value(new.zipcode.clone()))
        .col_expr(sp::Column::RegionCode, Expr::value(new.region_code.clone()))
        .col_expr(sp::Column::Bio, Expr::value(new.bio.clone()))
        .col_expr(
            sp::Column::Status,
            Expr::value(ProviderStatus::Pending.as_str()),
        )
        .col_expr(sp::Column::UnderReview, Expr::value(false))
        .col_expr(sp::Column::Warnings, Expr::value(0))
        .col_expr(
            sp::Column::RejectionReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            sp::Column::ApprovedAt,
            Expr::value(Option::<Timestamp>::None),
        )
        .col_expr(sp::Column::IsDeleted, Expr::value(false))
        .col_expr(
            sp::Column::DeletedAt,
            Expr::value(Option::<Timestamp>::None),
        )
        .col_expr(sp::Column::CreatedAt, Expr::value(now))
        .col_expr(sp::Column::UpdatedAt, Expr::value(now))
        .filter(sp::Column::UserId.eq(new.user_id.0))
        .filter(sp::Column::Status.eq(ProviderStatus::Rejected.as_str()))
        .exec(&txn)
        .await
        .map_err(store_err)?;
    let saved = if reapplied.rows_affected == 1 {
        sp::Entity::find()
            .filter(sp::Column::UserId.eq(new.user_id.0))
            .one(&txn)
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?
    } else {
        sp::ActiveModel {
            id: NotSet,
            user_id: Set(new.user_id.0),
            business_name: Set(new.business_name),
            phone: Set(new.phone),
            zipcode: Set(new.zipcode),
            region_code: Set(new.region_code),
            bio: Set(new.bio),
            status: Set(ProviderStatus::Pending.as_str().to_owned()),
            under_review: Set(false),
            warnings: Set(0),
            rejection_reason: Set(None),
            approved_at: Set(None),
            is_deleted: Set(false),
            deleted_at: Set(None),
            tenant_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(store_err)?
    };
    upsert_offered(&txn, saved.id, &new.service_ids, now).await?;
    // Messages drafted before the row existed learn its id here.
    let mut effects = effects;
    for m in &mut effects.messages {
        if let Some(slot) = m.data.get_mut("provider_id").filter(|v| v.is_null()) {
            *slot = serde_json::json!(saved.id);
        }
    }
    write_effects(&txn, &effects, now).await?;
    txn.commit().await.map_err(store_err)?;
    to_provider(saved)
}
