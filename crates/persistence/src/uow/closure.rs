//! The stores of an account's closure: the account's rows, the provider
//! profile it applied with and its listings, its tenant.

use std::sync::Arc;

use async_trait::async_trait;
use identity::ClosureBlockers;
use identity::closure::{
    ClosingAccountStore, ClosureUnitOfWork, ClosureUnits, LeavingProviderStore, LeavingTenantStore,
    ProviderProfile,
};
use kernel::{StoreError, TenantId, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{SqlUnitOfWork, SqlUnitsOfWork, Tx};
use crate::account_export::count;
use crate::account_repo::{OPEN_JOB_STATUSES, revoke_all_sessions};
use crate::applicant_key::ApplicantKey;
use crate::error::store_err;
use crate::sql::{exec, stmt};

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
        Box::new(SqlLeavingProvider {
            unit: self.unit.tx(),
            key: self.key.clone(),
        })
    }

    fn tenant(&mut self) -> Box<dyn LeavingTenantStore> {
        Box::new(SqlLeavingTenant {
            unit: self.unit.tx(),
        })
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
        let open_jobs = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM jobs j \
                  WHERE j.status IN {OPEN_JOB_STATUSES} \
                    AND (j.customer_id = ? OR j.provider_id IN \
                         (SELECT sp.id FROM service_providers sp WHERE sp.user_id = ?))"
            ),
            vec![user.0.into(), user.0.into()],
        )
        .await?;
        let open_disputes = count(
            db,
            "SELECT COUNT(*) FROM disputes d JOIN jobs j ON j.id = d.job_id \
              WHERE d.status = 'pending' \
                AND (j.customer_id = ? OR j.provider_id IN \
                     (SELECT sp.id FROM service_providers sp WHERE sp.user_id = ?))",
            vec![user.0.into(), user.0.into()],
        )
        .await?;
        // The tenant the user owns with no other owner, and its other members.
        let owned = db
            .query_one_raw(stmt(
                db,
                "SELECT u.tenant_id, \
                        (SELECT COUNT(*) FROM users o WHERE o.tenant_id = u.tenant_id \
                            AND o.id <> u.id AND o.tenant_role = 'owner' \
                            AND o.deleted_at IS NULL), \
                        (SELECT COUNT(*) FROM users o WHERE o.tenant_id = u.tenant_id \
                            AND o.id <> u.id AND o.deleted_at IS NULL) \
                   FROM users u WHERE u.id = ? AND u.tenant_role = 'owner' \
                    AND u.tenant_id IS NOT NULL",
                vec![user.0.into()],
            ))
            .await
            .map_err(store_err)?;
        let (mut sole_owner_of, mut other_staff) = (None, 0);
        if let Some(r) = owned {
            let tenant: i64 = r.try_get_by_index(0).map_err(store_err)?;
            let other_owners: i64 = r.try_get_by_index(1).map_err(store_err)?;
            if other_owners == 0 {
                other_staff = r.try_get_by_index(2).map_err(store_err)?;
                sole_owner_of = Some(TenantId(tenant));
            }
        }
        Ok(ClosureBlockers {
            open_jobs,
            open_disputes,
            other_staff,
            sole_owner_of,
        })
    }

    async fn cancel_pending_mail(&self, user: UserId) -> Result<(), StoreError> {
        exec(
            self.unit.platform()?,
            "UPDATE email_outbox SET status = 'failed', last_error = 'account closed' \
              WHERE status = 'pending' AND to_email = (SELECT email FROM users WHERE id = ?)",
            vec![user.0.into()],
        )
        .await
        .map(|_| ())
    }

    async fn anonymise(
        &self,
        user: UserId,
        placeholder_email: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        exec(
            db,
            "UPDATE users SET email = ?, email_verified = ?, password_hash = '!', \
                    first_name = 'Deleted', last_name = 'user', phone = NULL, avatar_url = NULL, \
                    stripe_customer_id = NULL, deleted_at = ?, updated_at = ? \
              WHERE id = ? AND deleted_at IS NULL",
            vec![
                placeholder_email.to_owned().into(),
                false.into(),
                at.into(),
                at.into(),
                user.0.into(),
            ],
        )
        .await?;
        exec(
            db,
            "UPDATE customers SET zipcode = NULL WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await
        .map(|_| ())
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
        exec(
            db,
            "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
            vec![at.into(), user.0.into()],
        )
        .await
        .map(|_| ())
    }
}

/// The provider profile of a closing account.
#[derive(Debug)]
pub struct SqlLeavingProvider {
    unit: Arc<Tx>,
    key: ApplicantKey,
}

#[async_trait]
impl LeavingProviderStore for SqlLeavingProvider {
    async fn profile(&self, user: UserId) -> Result<ProviderProfile, StoreError> {
        let db = self.unit.platform()?;
        let row = db
            .query_one_raw(stmt(
                db,
                "SELECT status FROM service_providers WHERE user_id = ?",
                vec![user.0.into()],
            ))
            .await
            .map_err(store_err)?;
        let Some(row) = row else {
            return Ok(ProviderProfile::None);
        };
        let status: String = row.try_get("", "status").map_err(store_err)?;
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
        let row = db
            .query_one_raw(stmt(
                db,
                "SELECT u.email, sp.phone FROM service_providers sp JOIN users u ON u.id = sp.user_id \
                  WHERE sp.user_id = ?",
                vec![user.0.into()],
            ))
            .await
            .map_err(store_err)?
            .ok_or(StoreError::NotFound)?;
        let email: String = row.try_get_by_index(0).map_err(store_err)?;
        let phone: String = row.try_get_by_index(1).map_err(store_err)?;
        exec(
            db,
            "UPDATE service_providers SET applicant_email_hash = ?, applicant_phone_hash = ?, \
                    phone = '', updated_at = ? WHERE user_id = ?",
            vec![
                self.key.hash(&email).into(),
                self.key.hash(&phone).into(),
                at.into(),
                user.0.into(),
            ],
        )
        .await
        .map(|_| ())
    }

    async fn withdraw(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        exec(
            db,
            "UPDATE service_providers SET is_deleted = ?, deleted_at = ?, phone = '', bio = NULL, \
                    updated_at = ? WHERE user_id = ?",
            vec![true.into(), at.into(), at.into(), user.0.into()],
        )
        .await?;
        exec(
            db,
            "UPDATE service_listings SET status = 'inactive', updated_at = ? \
              WHERE provider_user_id = ? AND status IN ('draft', 'active')",
            vec![at.into(), user.0.into()],
        )
        .await
        .map(|_| ())
    }
}

/// The tenant of a closing account.
#[derive(Debug)]
pub struct SqlLeavingTenant {
    unit: Arc<Tx>,
}

#[async_trait]
impl LeavingTenantStore for SqlLeavingTenant {
    async fn leave(&self, user: UserId) -> Result<(), StoreError> {
        exec(
            self.unit.platform()?,
            "UPDATE users SET tenant_id = NULL, tenant_role = NULL WHERE id = ?",
            vec![user.0.into()],
        )
        .await
        .map(|_| ())
    }

    async fn close(&self, tenant: TenantId, at: Timestamp) -> Result<(), StoreError> {
        let db = self.unit.platform()?;
        exec(
            db,
            "UPDATE tenants SET closed_at = ?, updated_at = ? WHERE id = ? AND closed_at IS NULL",
            vec![at.into(), at.into(), tenant.0.into()],
        )
        .await?;
        exec(
            db,
            "UPDATE tenant_invitations SET status = 'revoked', decided_at = ? \
              WHERE tenant_id = ? AND status = 'pending'",
            vec![at.into(), tenant.0.into()],
        )
        .await
        .map(|_| ())
    }
}
