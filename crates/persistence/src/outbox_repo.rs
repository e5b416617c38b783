//! The e-mail outbox: claiming due rows, recording outcomes.

use async_trait::async_trait;
use effects::outbox::{OutboundEmail, OutboxRepository};
use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
};

use crate::entities::email_outbox as outbox;
use crate::error::store_err;
use crate::sql::stmt;

/// [`OutboxRepository`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlOutboxRepository {
    db: DatabaseConnection,
}

impl SqlOutboxRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// One statement claims a batch: the attempt is counted and the row leased.
/// The `WHERE` re-checks due-ness, so a row is claimed by one worker only;
/// PostgreSQL also skips rows another worker has locked instead of waiting.
fn claim_sql(backend: DbBackend) -> String {
    let skip = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    format!(
        "UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = ?
         WHERE status = 'pending' AND next_attempt_at <= ? AND id IN (
            SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ?
            ORDER BY next_attempt_at, id LIMIT ?{skip})
         RETURNING id, to_email, subject, body_text, template, attempts"
    )
}

#[async_trait]
impl OutboxRepository for SqlOutboxRepository {
    async fn claim_due(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundEmail>, StoreError> {
        let sql = claim_sql(self.db.get_database_backend());
        let values = vec![
            lease_until.into(),
            now.into(),
            now.into(),
            i64::from(limit).into(),
        ];
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, values))
            .await
            .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(OutboundEmail {
                    id: r.try_get("", "id").map_err(store_err)?,
                    to: r.try_get("", "to_email").map_err(store_err)?,
                    subject: r.try_get("", "subject").map_err(store_err)?,
                    body: r.try_get("", "body_text").map_err(store_err)?,
                    template: r.try_get("", "template").map_err(store_err)?,
                    attempts: r.try_get("", "attempts").map_err(store_err)?,
                })
            })
            .collect()
    }

    async fn mark_sent(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("sent"))
            .col_expr(outbox::Column::SentAt, Expr::value(at))
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn mark_attempt_failed(
        &self,
        id: i64,
        error: String,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(2000).collect();
        let mut update = outbox::Entity::update_many()
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .filter(outbox::Column::Id.eq(id));
        update = match retry_at {
            Some(at) => update.col_expr(outbox::Column::NextAttemptAt, Expr::value(at)),
            None => update.col_expr(outbox::Column::Status, Expr::value("failed")),
        };
        update.exec(&self.db).await.map_err(store_err)?;
        Ok(())
    }
}
