//! Users, roles and profiles (refresh tokens: `refresh_token_repo.rs`).

use async_trait::async_trait;
use identity::model::{
    CustomerProfile, NewUser, Profile, ProviderSummary, User, UserStatus, UserWithSecret,
};
use identity::ports::UserRepository;
use identity::values::Email;
use kernel::{ProviderId, Role, StoreError, TenantId, Timestamp, UserId, Zipcode};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::account_repo::{insert_token, revoke_all_sessions};
use crate::entities::{customers, local_service_managers, service_providers, user_roles, users};
use crate::error::store_err;

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
            deleted_at: Set(None),
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
            .filter(users::Column::DeletedAt.is_null())
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
        users::Entity::find_by_id(id.0)
            .select_only()
            .column(users::Column::PasswordHash)
            .filter(users::Column::DeletedAt.is_null())
            .into_tuple::<String>()
            .one(&self.db)
            .await
            .map_err(store_err)
    }

    async fn set_password(
        &self,
        id: UserId,
        password_hash: String,
        keep_family: Option<String>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(id.0))
            .filter(users::Column::DeletedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        revoke_all_sessions(&txn, id, keep_family.as_deref(), now).await?;
        txn.commit().await.map_err(store_err)
    }
}
