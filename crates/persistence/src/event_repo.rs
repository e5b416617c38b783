//! The `user_events` feed: reading it by `seq` with the user in the `WHERE`
//! clause, pruning it, and what the real-time hub uses to learn that events
//! were stored (PostgreSQL `LISTEN`, or the newest row id on SQLite).

use async_trait::async_trait;
use effects::feed::{EventFeed, FeedRead, StoredEvent, is_expired};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::effects::EVENTS_CHANNEL;
use crate::entities::user_events as events;
use crate::error::store_err;

/// The feed over the pool.
#[derive(Debug, Clone)]
pub struct SqlEventFeed {
    conn: DatabaseConnection,
}

impl SqlEventFeed {
    /// A feed over `conn`.
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// The lowest or highest `seq` of the user's stored events.
    async fn bound(&self, user: UserId, of: Expr) -> Result<Option<i64>, StoreError> {
        events::Entity::find()
            .select_only()
            .expr(of)
            .filter(events::Column::UserId.eq(user.0))
            .into_tuple::<Option<i64>>()
            .one(&self.conn)
            .await
            .map_err(store_err)
            .map(Option::flatten)
    }
}

#[async_trait]
impl EventFeed for SqlEventFeed {
    async fn read(&self, user: UserId, after: i64, limit: u64) -> Result<FeedRead, StoreError> {
        let oldest = self
            .bound(user, Expr::col(events::Column::Seq).min())
            .await?;
        if is_expired(after, oldest) {
            return Ok(FeedRead::Expired);
        }
        let events: Vec<StoredEvent> = events::Entity::find()
            .filter(events::Column::UserId.eq(user.0))
            .filter(events::Column::Seq.gt(after))
            .order_by_asc(events::Column::Seq)
            .limit(limit)
            .all(&self.conn)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|e| StoredEvent {
                seq: e.seq,
                kind: e.kind,
                at: e.created_at,
                data: e.data,
            })
            .collect();
        // Pruning may have run between the two reads: judge again by what was read.
        if events.first().is_some_and(|e| e.seq > after + 1) {
            return Ok(FeedRead::Expired);
        }
        Ok(FeedRead::Events(events))
    }

    async fn newest_seq(&self, user: UserId) -> Result<i64, StoreError> {
        Ok(self
            .bound(user, Expr::col(events::Column::Seq).max())
            .await?
            .unwrap_or(0))
    }

    async fn prune(&self, before: Timestamp) -> Result<u64, StoreError> {
        // Each user's newest event stays, so their `seq` never restarts.
        let newest = Alias::new("k");
        let kept = Query::select()
            .expr(Expr::col((newest.clone(), events::Column::Seq)).max())
            .from_as(events::Entity, newest.clone())
            .and_where(
                Expr::col((newest, events::Column::UserId))
                    .equals((events::Entity, events::Column::UserId)),
            )
            .to_owned();
        events::Entity::delete_many()
            .filter(events::Column::CreatedAt.lt(before))
            .filter(
                Expr::col((events::Entity, events::Column::Seq))
                    .lt(Expr::SubQuery(None, Box::new(kept.into()))),
            )
            .exec(&self.conn)
            .await
            .map(|done| done.rows_affected)
            .map_err(store_err)
    }
}

/// The newest `user_events` id (0 when empty): the SQLite wake-up poll's watermark.
pub async fn newest_event_id(conn: &DatabaseConnection) -> Result<i64, StoreError> {
    Ok(events::Entity::find()
        .select_only()
        .expr(Expr::col(events::Column::Id).max())
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await
        .map_err(store_err)?
        .flatten()
        .unwrap_or(0))
}

/// The users with events whose id is above `after_id`.
pub async fn users_with_events_since(
    conn: &DatabaseConnection,
    after_id: i64,
) -> Result<Vec<i64>, StoreError> {
    events::Entity::find()
        .select_only()
        .distinct()
        .column(events::Column::UserId)
        .filter(events::Column::Id.gt(after_id))
        .into_tuple::<i64>()
        .all(conn)
        .await
        .map_err(store_err)
}

fn sqlx_err(err: sea_orm::sqlx::Error) -> StoreError {
    crate::error::store_err(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        std::sync::Arc::new(err),
    )))
}

/// A dedicated PostgreSQL connection listening on the events channel.
#[derive(Debug)]
pub struct EventListener(PgListener);

/// What the listener heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// This user has new events.
    User(i64),
    /// The revocation log grew.
    Revoked,
    /// The connection was lost and re-established: notifications may have been missed.
    Reconnected,
}

impl EventListener {
    /// Connects (one connection taken from the pool for good) and listens;
    /// `None` on SQLite, where there is nothing to listen to.
    pub async fn connect(conn: &DatabaseConnection) -> Result<Option<Self>, StoreError> {
        if conn.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(None);
        }
        let pool = conn.get_postgres_connection_pool();
        let mut listener = PgListener::connect_with(pool).await.map_err(sqlx_err)?;
        listener.listen(EVENTS_CHANNEL).await.map_err(sqlx_err)?;
        Ok(Some(Self(listener)))
    }

    /// The next notification. An error means the connection is gone and could
    /// not be re-established yet: connect a new listener.
    pub async fn next(&mut self) -> Result<Heard, StoreError> {
        loop {
            match self.0.try_recv().await.map_err(sqlx_err)? {
                // Reconnected eagerly (and listening again) before returning.
                None => return Ok(Heard::Reconnected),
                Some(n) if n.payload() == crate::revocation_repo::REVOKED => {
                    return Ok(Heard::Revoked);
                }
                Some(n) => match n.payload().parse::<i64>() {
                    Ok(user) => return Ok(Heard::User(user)),
                    Err(_) => tracing::warn!(payload = n.payload(), "odd event notification"),
                },
            }
        }
    }
}
