//! Refresh tokens: sessions as token families, rotation and revocation.

use async_trait::async_trait;
use identity::SessionInfo;
use identity::model::{NewRefreshToken, RefreshRecord};
use identity::ports::RefreshTokenRepository;
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, FromQueryResult, NotSet, QueryFilter, QueryOrder,
    QuerySelect, Select, TransactionTrait,
};

use crate::entities::refresh_tokens;
use crate::error::store_err;
use crate::revocation_repo::{Ending, record_sessions};

/// At most `max` characters of `s` (a client's `User-Agent` can be anything).
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
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
        let rows = select_sessions(user, now)
            .into_model::<SessionRow>()
            .all(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|r| SessionInfo {
                id: r.family_id,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                user_agent: r.user_agent,
                current: false,
            })
            .collect())
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
        let revoked = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
            .filter(refresh_tokens::Column::FamilyId.eq(family_id))
            .filter(refresh_tokens::Column::UserId.eq(user.0))
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .filter(refresh_tokens::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await
            .map_err(store_err)?
            .rows_affected;
        txn.commit().await.map_err(store_err)?;
        Ok(revoked > 0)
    }
}

/// One live session: a token family of the user.
#[derive(Debug, FromQueryResult)]
struct SessionRow {
    family_id: String,
    created_at: Timestamp,
    last_used_at: Timestamp,
    user_agent: Option<String>,
}

/// One row per family of `user` with a live token: its first sign-in, its
/// last issue and the `User-Agent` of its newest token, newest first.
fn select_sessions(user: UserId, now: Timestamp) -> Select<refresh_tokens::Entity> {
    use refresh_tokens::Column as T;
    let newest = Alias::new("t");
    let agent = Query::select()
        .column((newest.clone(), T::UserAgent))
        .from_as(refresh_tokens::Entity, newest.clone())
        .and_where(
            Expr::col((newest.clone(), T::FamilyId)).equals((refresh_tokens::Entity, T::FamilyId)),
        )
        .order_by((newest, T::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let live = Expr::case(T::RevokedAt.is_null().and(T::ExpiresAt.gt(now)), 1).finally(0);
    let last_used = Expr::col(T::CreatedAt).max();
    refresh_tokens::Entity::find()
        .select_only()
        .column(T::FamilyId)
        .column_as(Expr::col(T::CreatedAt).min(), "created_at")
        .column_as(last_used.clone(), "last_used_at")
        .column_as(Expr::SubQuery(None, Box::new(agent.into())), "user_agent")
        .filter(T::UserId.eq(user.0))
        .group_by(T::FamilyId)
        .having(Expr::expr(live).max().eq(1))
        .order_by_desc(last_used)
        .order_by_asc(T::FamilyId)
}

/// Serialises rotations and revocations of one token family. PostgreSQL locks
/// the family's rows; SQLite needs nothing, as its writers are serialised already.
async fn lock_family(txn: &DatabaseTransaction, family_id: &str) -> Result<(), StoreError> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    refresh_tokens::Entity::find()
        .select_only()
        .column(refresh_tokens::Column::Id)
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .order_by_asc(refresh_tokens::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .all(txn)
        .await
        .map_err(store_err)?;
    Ok(())
}
