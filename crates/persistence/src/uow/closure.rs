//! The stores of an account's closure: the account's rows, the provider
//! profile it applied with and its listings, its tenant.

use std::sync::Arc;

use async_trait::async_trait;
use identity::ClosureBlockers;
use identity::closure::{
    ClosingAccountStore, ClosureUnitOfWork, ClosureUnits, LeavingProviderStore, LeavingTenantStore,
};
use kernel::{StoreError, TenantId, Timestamp, UserId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QuerySelect, RelationTrait,
};

pub use super::closure_provider::SqlLeavingProvider;
pub use super::closure_tenant::SqlLeavingTenant;
use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::account_repo::revoke_all_sessions;
use crate::applicant_key::ApplicantKey;
use crate::entities::{
    account_tokens, customers, disputes as dispute_rows, jobs as job_rows, service_providers as sp,
    users,
};
use crate::error::store_err;

/// Jobs that are not finished: a party may not leave while one is open.
const OPEN_JOB_STATUSES: [&str; 3] = ["new", "in_progress", "completed"];

/// Opens the units that close accounts; `key` keys the applicant hashes (the
/// same key as [`crate::SqlProviderRepository::with_applicant_key`]).
#[derive(Debug, Clone)]
pub struct SqlClosures {
    units: SqlUnitsOfWork,
    key: ApplicantKey,
}

impl SqlClosures {
    /// Closures on this pool.
    pub fn new(db: DatabaseConnection, key: ApplicantKey) -> Self {
        Self {
            units: SqlUnitsOfWork::new(db),
            key,
        }
    }
}

/// One open closure: a unit of work and the applicant key.
#[derive(Debug)]
pub struct SqlClosure {
    unit: SqlUnitOfWork,
    key: ApplicantKey,
}

#[async_trait]
impl ClosureUnits for SqlClosures {
    async fn begin(&self) -> Result<Box<dyn ClosureUnitOfWork>, StoreError> {
        Ok(Box::new(SqlClosure {
            unit: self.units.open().await?,
            key: self.key.clone(),
        }))
    }
}

#[async_trait]
impl ClosureUnitOfWork for SqlClosure {
    fn account(&mut self) -> Box<dyn ClosingAccountStore> {
        Box::new(SqlClosingAccount {
            unit: self.unit.tx(),
        })
    }

    fn provider(&mut self) -> Box<dyn LeavingProviderStore> {
        Box::new(SqlLeavingProvider::new(self.unit.tx(), self.key.clone()))
    }

    fn tenant(&mut self) -> Box<dyn LeavingTenantStore> {
        Box::new(SqlLeavingTenant::new(self.unit.tx()))
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        self.unit.commit().await
    }
}

/// The closing account's own rows.
#[derive(Debug)]
pub struct SqlClosingAccount {
    unit: Arc<Tx>,
}

#[async_trait]
impl ClosingAccountStore for SqlClosingAccount {
    async fn blockers(&self, user: UserId) -> Result<ClosureBlockers, StoreError> {
        let db = self.unit.platform()?;
        let u = user.0;
        // A party of the job: its customer, or its provider's user.
        let party = || {
            Condition::any()
                .add(job_rows::Column::CustomerId.eq(u))
                .add(
                    job_rows::Column::ProviderId.in_subquery(
                        Query::select()
                            .column(sp::Column::Id)
                            .from(sp::Entity)
                            .and_where(sp::Column::UserId.eq(u))
                            .to_owned(),
                    ),
                )
        };
        let open_jobs = job_rows::Entity::find()
            .filter(job_rows::Column::Status.is_in(OPEN_JOB_STATUSES))
            .filter(party())
            .count(db)
            .await
            .map_err(store_err)?;
        let open_disputes = dispute_rows::Entity::find()
            .join(JoinType::InnerJoin, dispute_rows::Relation::Job.def())
            .filter(dispute_rows::Column::Status.eq("pending"))
            .filter(party())
            .count(db)
            .await
            .map_err(store_err)?;
        // The tenant the user owns with no other owner, and its other members.
        let owned = users::Entity::find_by_id(u)
            .select_only()
            .column(users::Column::TenantId)
            .filter(users::Column::TenantRole.eq("owner"))
            .filter(users::Column::TenantId.is_not_null())
            .into_tuple::<Option<i64>>()
            .one(db)
            .await
            .map_err(store_err)?
            .flatten();
        let (mut sole_owner_of, mut other_staff) = (None, 0);
        if let Some(tenant) = owned {
            let others = || {
                users::Entity::find()
                    .filter(users::Column::TenantId.eq(tenant))
                    .filter(users::Column::Id.ne(u))
                    .filter(users::Column::DeletedAt.is_null())
            };
            let other_owners = others()
                .filter(users::Column::TenantRole.eq("owner"))
                .count(db)
                .await
                .map_err(store_err)?;
            if other_owners == 0 {
                other_staff = others().count(db).await.map_err(store_err)?;
                sole_owner_of = Some(TenantId(tenant));
            }
        }
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(ClosureBlockers {
            open_jobs: count(open_jobs),
            open_disputes: count(open_disputes),
            other_staff: count(other_staff),
            sole_owner_of,
        })
    }

    async fn cancel_pending_mail(&self, user: UserId) -> Result<(), StoreError> {
        crate::effects::cancel_pending_mail(self.unit.platform()?, user, "account closed").await
    }

    async fn anonymise(
        &self,
        user: UserId,
        placeholder_email: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        let none = Option::<String>::None;
        users::Entity::update_many()
            .col_expr(users::Column::Email, Expr::value(placeholder_email))
            .col_expr(users::Column::EmailVerified, Expr::value(false))
            .col_expr(users::Column::PasswordHash, Expr::value("!"))
            .col_expr(users::Column::FirstName, Expr::value("Deleted"))
            .col_expr(users::Column::LastName, Expr::value("user"))
            .col_expr(users::Column::Phone, Expr::value(none.clone()))
            .col_expr(users::Column::AvatarUrl, Expr::value(none.clone()))
            .col_expr(users::Column::StripeCustomerId, Expr::value(none.clone()))
            .col_expr(users::Column::DeletedAt, Expr::value(at))
            .col_expr(users::Column::UpdatedAt, Expr::value(at))
            .filter(users::Column::Id.eq(user.0))
            .filter(users::Column::DeletedAt.is_null())
            .exec(db)
            .await
            .map_err(store_err)?;
        customers::Entity::update_many()
            .col_expr(customers::Column::Zipcode, Expr::value(none))
            .filter(customers::Column::UserId.eq(user.0))
            .exec(db)
            .await
            .map(|_| ())
            .map_err(store_err)
    }

    async fn end_sessions(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        revoke_all_sessions(db, user, None, at).await?;
        crate::revocation_repo::record_account(
            db,
            user,
            crate::revocation_repo::RevocationKind::Closed,
            at,
        )
        .await?;
        account_tokens::Entity::update_many()
            .col_expr(account_tokens::Column::UsedAt, Expr::value(at))
            .filter(account_tokens::Column::UserId.eq(user.0))
            .filter(account_tokens::Column::UsedAt.is_null())
            .exec(db)
            .await
            .map(|_| ())
            .map_err(store_err)
    }
}

/// A closing account leaves its tenant (the tenant store's first step; the
/// row is identity's).
pub(crate) async fn leave_tenant(
    db: &impl ConnectionTrait,
    user: UserId,
) -> Result<(), StoreError> {
    users::Entity::update_many()
        .col_expr(users::Column::TenantId, Expr::value(Option::<i64>::None))
        .col_expr(
            users::Column::TenantRole,
            Expr::value(Option::<String>::None),
        )
        .filter(users::Column::Id.eq(user.0))
        .exec(db)
        .await
        .map(|_| ())
        .map_err(store_err)
}
