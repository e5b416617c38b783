//! The e-mail outbox: claiming due rows, recording outcomes.

use async_trait::async_trait;
use effects::outbox::{OutboundEmail, OutboxRepository};
use kernel::{StoreError, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbBackend, EntityTrait, QueryFilter};

use crate::entities::email_outbox as outbox;
use crate::error::store_err;

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

#[async_trait]
impl OutboxRepository for SqlOutboxRepository {
    async fn claim_due(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundEmail>, StoreError> {
        // One statement claims a batch: the attempt is counted and the row
        // leased. The `WHERE` re-checks due-ness, so a row is claimed by one
        // worker only; PostgreSQL also skips rows another worker has locked
        // instead of waiting.
        let due = || {
            Condition::all()
                .add(outbox::Column::Status.eq("pending"))
                .add(outbox::Column::NextAttemptAt.lte(now))
        };
        let mut batch = Query::select()
            .column(outbox::Column::Id)
            .from(outbox::Entity)
            .cond_where(due())
            .order_by(outbox::Column::NextAttemptAt, Order::Asc)
            .order_by(outbox::Column::Id, Order::Asc)
            .limit(u64::from(limit))
            .to_owned();
        if self.db.get_database_backend() == DbBackend::Postgres {
            batch.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(lease_until))
            .filter(due())
            .filter(outbox::Column::Id.in_subquery(batch))
            .exec_with_returning(&self.db)
            .await
            .map_err(store_err)?;
        Ok(rows
            .into_iter()
            .map(|r| OutboundEmail {
                id: r.id,
                to: r.to_email,
                subject: r.subject,
                body: r.body_text,
                template: r.template,
                attempts: r.attempts,
            })
            .collect())
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
