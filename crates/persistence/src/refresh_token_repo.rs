//! Refresh tokens: sessions as token families, rotation and revocation.

use async_trait::async_trait;
use identity::SessionInfo;
use identity::model::{NewRefreshToken, RefreshRecord};
use identity::ports::RefreshTokenRepository;
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use crate::entities::refresh_tokens;
use crate::error::store_err;
use crate::revocation_repo::{Ending, record_sessions};
use crate::sql::stmt;

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
