//! One-time account tokens and sessions ending (the export of an account's
//! data is `account_export.rs`; closing one is a unit of work, `uow/closure.rs`).

use async_trait::async_trait;
use identity::ports::AccountTokenRepository;
use identity::{OneTimeToken, PendingToken, TokenPurpose};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use crate::entities::{account_tokens as tokens, refresh_tokens, users};
use crate::error::store_err;

/// Stores a token after marking the user's unused ones of its purpose used,
/// and queues its e-mail to the user's address, on `db` (a transaction).
pub(crate) async fn insert_token(
    db: &impl ConnectionTrait,
    user: UserId,
    token: &PendingToken,
) -> Result<(), StoreError> {
    let now = token.created_at;
    tokens::Entity::update_many()
        .col_expr(tokens::Column::UsedAt, Expr::value(now))
        .filter(tokens::Column::UserId.eq(user.0))
        .filter(tokens::Column::Purpose.eq(token.purpose.as_str()))
        .filter(tokens::Column::UsedAt.is_null())
        .exec(db)
        .await
        .map_err(store_err)?;
    let row = tokens::ActiveModel {
        id: NotSet,
        user_id: Set(user.0),
        purpose: Set(token.purpose.as_str().into()),
        token_hash: Set(token.token_hash.clone()),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        created_at: Set(now),
    };
    tokens::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    // E-mail only: the link must not be copied into the in-app inbox.
    let mail = &token.mail;
    crate::effects::queue_mail(
        db,
        &effects::Audience::User(user),
        (&mail.subject, &mail.body, mail.template),
        now,
    )
    .await
}

/// Revokes every live refresh token of a user but those of `keep_family`.
pub(crate) async fn revoke_all_sessions(
    db: &impl ConnectionTrait,
    user: UserId,
    keep_family: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    // On PostgreSQL, wait for in-flight rotations of the user's families (they
    // lock their family's rows) to commit, so the UPDATE below, a new
    // statement with a new snapshot, also revokes the token they added; a
    // rotation that comes after finds its old token revoked and stores nothing.
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        refresh_tokens::Entity::find()
            .select_only()
            .column(refresh_tokens::Column::Id)
            .filter(refresh_tokens::Column::UserId.eq(user.0))
            .order_by_asc(refresh_tokens::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .all(db)
            .await
            .map_err(store_err)?;
    }
    crate::revocation_repo::record_sessions(
        db,
        crate::revocation_repo::Ending::AllOf {
            user,
            keep: keep_family,
        },
        now,
    )
    .await?;
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user.0))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .filter(refresh_tokens::Column::FamilyId.ne(keep_family.unwrap_or_default()))
        .exec(db)
        .await
        .map_err(store_err)?;
    Ok(())
}

/// Marks a token used if it is still redeemable at `now`: the row count says
/// whether this redemption won.
async fn claim(
    db: &impl ConnectionTrait,
    token: &OneTimeToken,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let claimed = tokens::Entity::update_many()
        .col_expr(tokens::Column::UsedAt, Expr::value(now))
        .filter(tokens::Column::Id.eq(token.id))
        .filter(tokens::Column::UsedAt.is_null())
        .filter(tokens::Column::ExpiresAt.gt(now))
        .exec(db)
        .await
        .map_err(store_err)?
        .rows_affected;
    Ok(claimed == 1)
}

/// [`AccountTokenRepository`] and [`AccountClosure`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlAccountRepository {
    pub(crate) db: DatabaseConnection,
}

impl SqlAccountRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AccountTokenRepository for SqlAccountRepository {
    async fn issue(&self, user: UserId, token: PendingToken) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        insert_token(&txn, user, &token).await?;
        txn.commit().await.map_err(store_err)
    }

    async fn find(&self, token_hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        let row = tokens::Entity::find()
            .filter(tokens::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await
            .map_err(store_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(OneTimeToken {
            id: r.id,
            user_id: UserId(r.user_id),
            purpose: TokenPurpose::parse(&r.purpose).ok_or_else(|| {
                StoreError::backend(format!("unknown token purpose {}", r.purpose))
            })?,
            expires_at: r.expires_at,
            used_at: r.used_at,
        }))
    }

    async fn redeem_verification(
        &self,
        token: &OneTimeToken,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if !claim(&txn, token, now).await? {
            return Ok(false);
        }
        users::Entity::update_many()
            .col_expr(users::Column::EmailVerified, Expr::value(true))
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(token.user_id.0))
            .exec(&txn)
            .await
            .map_err(store_err)?;
        txn.commit().await.map_err(store_err)?;
        Ok(true)
    }

    async fn redeem_reset(
        &self,
        token: &OneTimeToken,
        password_hash: String,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if !claim(&txn, token, now).await? {
            return Ok(false);
        }
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(token.user_id.0))
            .filter(users::Column::DeletedAt.is_null())
            .exec(&txn)
            .await
            .map_err(store_err)?;
        revoke_all_sessions(&txn, token.user_id, None, now).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(true)
    }
}
