//! The provider profile of a closing account, in supply's store: what it
//! keeps of a rejected application, and the withdrawal of a listed one.

use std::sync::Arc;

use async_trait::async_trait;
use identity::closure::{LeavingProviderStore, ProviderProfile};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::Tx;
use crate::applicant_key::ApplicantKey;
use crate::entities::{service_providers as sp, users};
use crate::error::store_err;

/// The provider profile of a closing account.
#[derive(Debug)]
pub struct SqlLeavingProvider {
    unit: Arc<Tx>,
    key: ApplicantKey,
}

impl SqlLeavingProvider {
    pub(super) fn new(unit: Arc<Tx>, key: ApplicantKey) -> Self {
        Self { unit, key }
    }
}

#[async_trait]
impl LeavingProviderStore for SqlLeavingProvider {
    async fn profile(&self, user: UserId) -> Result<ProviderProfile, StoreError> {
        let status = sp::Entity::find()
            .select_only()
            .column(sp::Column::Status)
            .filter(sp::Column::UserId.eq(user.0))
            .into_tuple::<String>()
            .one(self.unit.platform()?)
            .await
            .map_err(store_err)?;
        let Some(status) = status else {
            return Ok(ProviderProfile::None);
        };
        Ok(match supply::ProviderStatus::parse(&status) {
            Some(supply::ProviderStatus::Rejected) => ProviderProfile::Rejected,
            Some(_) => ProviderProfile::Listed,
            None => {
                return Err(StoreError::backend(format!(
                    "unknown provider status {status}"
                )));
            }
        })
    }

    async fn keep_applicant_hashes(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        let email = users::Entity::find_by_id(user.0)
            .select_only()
            .column(users::Column::Email)
            .into_tuple::<String>()
            .one(db)
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        let phone = sp::Entity::find()
            .select_only()
            .column(sp::Column::Phone)
            .filter(sp::Column::UserId.eq(user.0))
            .into_tuple::<String>()
            .one(db)
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        sp::Entity::update_many()
            .col_expr(
                sp::Column::ApplicantEmailHash,
                Expr::value(self.key.hash(&email)),
            )
            .col_expr(
                sp::Column::ApplicantPhoneHash,
                Expr::value(self.key.hash(&phone)),
            )
            .col_expr(sp::Column::Phone, Expr::value(""))
            .col_expr(sp::Column::UpdatedAt, Expr::value(at))
            .filter(sp::Column::UserId.eq(user.0))
            .exec(db)
            .await
            .map(|_| ())
            .map_err(store_err)
    }

    async fn withdraw(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        sp::Entity::update_many()
            .col_expr(sp::Column::IsDeleted, Expr::value(true))
            .col_expr(sp::Column::DeletedAt, Expr::value(at))
            .col_expr(sp::Column::Phone, Expr::value(""))
            .col_expr(sp::Column::Bio, Expr::value(Option::<String>::None))
            .col_expr(sp::Column::UpdatedAt, Expr::value(at))
            .filter(sp::Column::UserId.eq(user.0))
            .exec(db)
            .await
            .map_err(store_err)?;
        crate::listing_repo::withdraw_all(db, user, at).await
    }
}
