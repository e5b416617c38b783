//! Users, roles, profiles and refresh tokens.

use async_trait::async_trait;
use identity::SessionInfo;
use identity::model::{
    CustomerProfile, NewRefreshToken, NewUser, Profile, ProviderSummary, RefreshRecord, User,
    UserStatus, UserWithSecret,
};
use identity::ports::{RefreshTokenRepository, UserRepository};
use identity::values::Email;
use kernel::{ProviderId, Role, StoreError, TenantId, Timestamp, UserId, Zipcode};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, NotSet, QueryFilter, QueryOrder, Statement,
    TransactionTrait,
};

use crate::account_repo::{insert_token, revoke_all_sessions};
use crate::entities::{
    customers, local_service_managers, refresh_tokens, service_providers, user_roles, users,
};
use crate::error::store_err;
use crate::revocation_repo::{Ending, record_sessions};
use crate::sql::{exec, stmt};

/// At most `max` characters of `s` (a client's `User-Agent` can be anything).
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// [`UserRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlUserRepository {
    db: DatabaseConnection,
}

impl SqlUserRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Roles and LSM region complete a `users` row into a [`User`].
    async fn hydrate(&self, row: users::Model) -> Result<User, StoreError> {
        let roles = user_roles::Entity::find()
            .filter(user_roles::Column::UserId.eq(row.id))
            .order_by_asc(user_roles::Column::Role)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let mut roles: Vec<Role> = roles.iter().filter_map(|r| r.role.parse().ok()).collect();
        roles.sort();
        let lsm_region = if roles.contains(&Role::Lsm) {
            local_service_managers::Entity::find()
                .filter(local_service_managers::Column::UserId.eq(row.id))
                .one(&self.db)
                .await
                .map_err(store_err)?
                .map(|l| l.region_code)
        } else {
            None
        };
        to_user(row, roles, lsm_region)
    }
}

fn to_user(
    row: users::Model,
    roles: Vec<Role>,
    lsm_region: Option<String>,
) -> Result<User, StoreError> {
    let status = UserStatus::parse(&row.status).ok_or_else(|| {
        StoreError::backend(format!("user {} has unknown status {}", row.id, row.status))
    })?;
    Ok(User {
        id: UserId(row.id),
        email: row.email,
        email_verified: row.email_verified,
        first_name: row.first_name,
        last_name: row.last_name,
        phone: row.phone,
        status,
        roles,
        tenant_id: row.tenant_id.map(TenantId),
        tenant_role: row.tenant_role,
        lsm_region,
        created_at: row.created_at,
    })
}

async fn insert_role(
    db: &impl ConnectionTrait,
    user_id: i64,
    role: Role,
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = user_roles::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
    };
    user_roles::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([user_roles::Column::UserId, user_roles::Column::Role])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    Ok(())
}

#[async_trait]
impl UserRepository for SqlUserRepository {
    async fn create(&self, user: NewUser) -> Result<User, StoreError> {
        let now = user.created_at;
        let txn = self.db.begin().await.map_err(store_err)?;
        let row = users::ActiveModel {
            id: NotSet,
            email: Set(user.email.as_str().to_owned()),
            email_verified: Set(false),
            password_hash: Set(user.password_hash),
            first_name: Set(user.first_name.as_str().to_owned()),
            last_name: Set(user.last_name.as_str().to_owned()),
            phone: Set(user.phone.map(|p| p.as_str().to_owned())),
            avatar_url: Set(None),
            status: Set(UserStatus::Active.as_str().to_owned()),
            tenant_id: Set(None),
            tenant_role: Set(None),
            tenant_verified: Set(false),
            stripe_customer_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(store_err)?;
        let mut roles = user.roles.clone();
        roles.sort();
        roles.dedup();
        for role in &roles {
            insert_role(&txn, row.id, *role, now).await?;
        }
        if let Some(customer) = user.customer {
            customers::ActiveModel {
                id: NotSet,
                user_id: Set(row.id),
                zipcode: Set(customer.zipcode.map(|z| z.as_str().to_owned())),
                region_code: Set(customer.region_code),
                created_at: Set(now),
            }
            .insert(&txn)
            .await
            .map_err(store_err)?;
        }
        if let Some(token) = &user.verification {
            insert_token(&txn, UserId(row.id), token).await?;
        }
        txn.commit().await.map_err(store_err)?;
        to_user(row, roles, None)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<UserWithSecret>, StoreError> {
        let row = users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await
            .map_err(store_err)?;
        let Some(row) = row else { return Ok(None) };
        let password_hash = row.password_hash.clone();
        Ok(Some(UserWithSecret {
            user: self.hydrate(row).await?,
            password_hash,
        }))
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        // A closed account is gone for its owner: no refresh, no profile, no
        // resend (its rows stay for the records others rely on).
        let row = users::Entity::find_by_id(id.0)
            .filter(Expr::cust("deleted_at IS NULL"))
            .one(&self.db)
            .await
            .map_err(store_err)?;
        match row {
            Some(row) => Ok(Some(self.hydrate(row).await?)),
            None => Ok(None),
        }
    }

    async fn profile(&self, id: UserId) -> Result<Option<Profile>, StoreError> {
        let Some(user) = self.find_by_id(id).await? else {
            return Ok(None);
        };
        let customer = customers::Entity::find()
            .filter(customers::Column::UserId.eq(id.0))
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(|c| CustomerProfile {
                zipcode: c.zipcode.as_deref().and_then(|z| Zipcode::parse(z).ok()),
                region_code: c.region_code,
            });
        let provider = service_providers::Entity::find()
            .filter(service_providers::Column::UserId.eq(id.0))
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(|p| ProviderSummary {
                id: ProviderId(p.id),
                business_name: p.business_name,
                status: p.status,
            });
        Ok(Some(Profile {
            user,
            customer,
            provider,
        }))
    }

    async fn grant_role(&self, id: UserId, role: Role, at: Timestamp) -> Result<(), StoreError> {
        insert_role(&self.db, id.0, role, at).await
    }

    async fn password_hash(&self, id: UserId) -> Result<Option<String>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                "SELECT password_hash FROM users WHERE id = ? AND deleted_at IS NULL",
                vec![id.0.into()],
            ))
            .await
            .map_err(store_err)?;
        row.map(|r| r.try_get_by_index::<String>(0).map_err(store_err))
            .transpose()
    }

    async fn set_password(
        &self,
        id: UserId,
        password_hash: String,
        keep_family: Option<String>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        exec(
            &txn,
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            vec![password_hash.into(), now.into(), id.0.into()],
        )
        .await?;
        revoke_all_sessions(&txn, id, keep_family.as_deref(), now).await?;
        txn.commit().await.map_err(store_err)
    }
}

/// [`RefreshTokenRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlRefreshTokenRepository {
    db: DatabaseConnection,
}

impl SqlRefreshTokenRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn token_row(token: NewRefreshToken) -> refresh_tokens::ActiveModel {
    refresh_tokens::ActiveModel {
        id: NotSet,
        user_id: Set(token.user_id.0),
        token_hash: Set(token.token_hash),
        family_id: Set(token.family_id),
        expires_at: Set(token.expires_at),
        revoked_at: Set(None),
        replaced_by: Set(None),
        created_at: Set(token.created_at),
        user_agent: Set(token.user_agent.map(|ua| clip(&ua, 255))),
    }
}

#[async_trait]
impl RefreshTokenRepository for SqlRefreshTokenRepository {
    async fn insert(&self, token: NewRefreshToken) -> Result<(), StoreError> {
        token_row(token).insert(&self.db).await.map_err(store_err)?;
        Ok(())
    }

    async fn find_by_hash(&self, token_hash: &str) -> Result<Option<RefreshRecord>, StoreError> {
        let row = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(row.map(|r| RefreshRecord {
            id: r.id,
            user_id: UserId(r.user_id),
            family_id: r.family_id,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }))
    }

    async fn rotate(
        &self,
        old_id: i64,
        next: NewRefreshToken,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        lock_family(&txn, &next.family_id).await?;
        let inserted = token_row(next).insert(&txn).await.map_err(store_err)?;
        // Only a still-live token may be rotated; a concurrent rotation leaves 0 rows here.
        let revoked = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
            .col_expr(refresh_tokens::Column::ReplacedBy, Expr::value(inserted.id))
            .filter(refresh_tokens::Column::Id.eq(old_id))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if revoked.rows_affected == 1 {
            txn.commit().await.map_err(store_err)?;
            Ok(true)
        } else {
            txn.rollback().await.map_err(store_err)?;
            Ok(false)
        }
    }

    async fn revoke_family(&self, family_id: &str, now: Timestamp) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        // Waits for an in-flight rotation of this family to commit, so the sweep
        // below (a new statement, hence a new snapshot) also sees the token it added.
        lock_family(&txn, family_id).await?;
        record_sessions(&txn, Ending::Family(family_id), now).await?;
        refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
            .filter(refresh_tokens::Column::FamilyId.eq(family_id))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        txn.commit().await.map_err(store_err)
    }

    async fn sessions(&self, user: UserId, now: Timestamp) -> Result<Vec<SessionInfo>, StoreError> {
        // One row per live family: first sign-in, last issue, and the
        // `User-Agent` of its newest token.
        let rows = self
            .db
            .query_all_raw(stmt(
                &self.db,
                "SELECT f.family_id, f.created_at, f.last_used_at, \
                        (SELECT t.user_agent FROM refresh_tokens t \
                          WHERE t.family_id = f.family_id ORDER BY t.id DESC LIMIT 1) \
                   FROM (SELECT family_id, MIN(created_at) AS created_at, \
                                MAX(created_at) AS last_used_at \
                           FROM refresh_tokens WHERE user_id = ? \
                          GROUP BY family_id \
                         HAVING SUM(CASE WHEN revoked_at IS NULL AND expires_at > ? \
                                         THEN 1 ELSE 0 END) > 0) f \
                  ORDER BY f.last_used_at DESC, f.family_id",
                vec![user.0.into(), now.into()],
            ))
            .await
            .map_err(store_err)?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    id: r.try_get_by_index(0).map_err(store_err)?,
                    created_at: r.try_get_by_index(1).map_err(store_err)?,
                    last_used_at: r.try_get_by_index(2).map_err(store_err)?,
                    user_agent: r.try_get_by_index(3).map_err(store_err)?,
                    current: false,
                })
            })
            .collect()
    }

    async fn revoke_session(
        &self,
        user: UserId,
        family_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        lock_family(&txn, family_id).await?;
        record_sessions(
            &txn,
            Ending::OneOf {
                user,
                family: family_id,
            },
            now,
        )
        .await?;
        // Scope in the query: another user's family revokes nothing.
        let revoked = exec(
            &txn,
            "UPDATE refresh_tokens SET revoked_at = ? \
              WHERE family_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?",
            vec![now.into(), family_id.into(), user.0.into(), now.into()],
        )
        .await?;
        txn.commit().await.map_err(store_err)?;
        Ok(revoked > 0)
    }
}

/// Serialises rotations and revocations of one token family. PostgreSQL locks
/// the family's rows; SQLite needs nothing, as its writers are serialised already.
async fn lock_family(txn: &DatabaseTransaction, family_id: &str) -> Result<(), StoreError> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let lock = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT id FROM refresh_tokens WHERE family_id = $1 ORDER BY id FOR UPDATE",
        [family_id.into()],
    );
    txn.query_all_raw(lock).await.map_err(store_err)?;
    Ok(())
}
