//! The `user_events` feed: reading it by `seq` with the user in the `WHERE`
//! clause, pruning it, and what the real-time hub uses to learn that events
//! were stored (PostgreSQL `LISTEN`, or the newest row id on SQLite).

use async_trait::async_trait;
use effects::feed::{EventFeed, FeedRead, StoredEvent, is_expired};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};

use crate::effects::EVENTS_CHANNEL;
use crate::error::store_err;
use crate::sql::{exec, stmt};

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

    async fn scalar(&self, sql: &str, user: UserId) -> Result<Option<i64>, StoreError> {
        let row = self
            .conn
            .query_one_raw(stmt(&self.conn, sql, vec![user.0.into()]))
            .await
            .map_err(store_err)?;
        match row {
            Some(row) => row.try_get_by_index::<Option<i64>>(0).map_err(store_err),
            None => Ok(None),
        }
    }
}

fn event(row: &QueryResult) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: row.try_get("", "seq").map_err(store_err)?,
        kind: row.try_get("", "kind").map_err(store_err)?,
        at: row
            .try_get::<Timestamp>("", "created_at")
            .map_err(store_err)?,
        data: row
            .try_get::<serde_json::Value>("", "data")
            .map_err(store_err)?,
    })
}

#[async_trait]
impl EventFeed for SqlEventFeed {
    async fn read(&self, user: UserId, after: i64, limit: u64) -> Result<FeedRead, StoreError> {
        let oldest = self
            .scalar("SELECT min(seq) FROM user_events WHERE user_id = ?", user)
            .await?;
        if is_expired(after, oldest) {
            return Ok(FeedRead::Expired);
        }
        let rows = self
            .conn
            .query_all_raw(stmt(
                &self.conn,
                "SELECT seq, kind, data, created_at FROM user_events \
                 WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                vec![user.0.into(), after.into(), (limit as i64).into()],
            ))
            .await
            .map_err(store_err)?;
        let events = rows.iter().map(event).collect::<Result<Vec<_>, _>>()?;
        // Pruning may have run between the two reads: judge again by what was read.
        if events.first().is_some_and(|e| e.seq > after + 1) {
            return Ok(FeedRead::Expired);
        }
        Ok(FeedRead::Events(events))
    }

    async fn newest_seq(&self, user: UserId) -> Result<i64, StoreError> {
        Ok(self
            .scalar("SELECT max(seq) FROM user_events WHERE user_id = ?", user)
            .await?
            .unwrap_or(0))
    }

    async fn prune(&self, before: Timestamp) -> Result<u64, StoreError> {
        exec(
            &self.conn,
            "DELETE FROM user_events WHERE created_at < ? AND seq < \
             (SELECT max(k.seq) FROM user_events k WHERE k.user_id = user_events.user_id)",
            vec![before.into()],
        )
        .await
    }
}

/// The newest `user_events` id (0 when empty): the SQLite wake-up poll's watermark.
pub async fn newest_event_id(conn: &DatabaseConnection) -> Result<i64, StoreError> {
    let row = conn
        .query_one_raw(stmt(conn, "SELECT max(id) FROM user_events", vec![]))
        .await
        .map_err(store_err)?;
    Ok(match row {
        Some(row) => row
            .try_get_by_index::<Option<i64>>(0)
            .map_err(store_err)?
            .unwrap_or(0),
        None => 0,
    })
}

/// The users with events whose id is above `after_id`.
pub async fn users_with_events_since(
    conn: &DatabaseConnection,
    after_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let rows = conn
        .query_all_raw(stmt(
            conn,
            "SELECT DISTINCT user_id FROM user_events WHERE id > ?",
            vec![after_id.into()],
        ))
        .await
        .map_err(store_err)?;
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).map_err(store_err))
        .collect()
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
