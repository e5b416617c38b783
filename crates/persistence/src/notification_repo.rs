//! In-app notifications, always filtered by their owner.

use async_trait::async_trait;
use effects::notifications::{Notification, NotificationRepository};
use kernel::{Cursor, Page, PageRequest, StoreError, Timestamp, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::notifications as n;
use crate::error::store_err;

/// [`NotificationRepository`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlNotificationRepository {
    db: DatabaseConnection,
}

impl SqlNotificationRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_notification(r: n::Model) -> Notification {
    Notification {
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        data: r.data.unwrap_or_default(),
        read_at: r.read_at,
        created_at: r.created_at,
    }
}

#[async_trait]
impl NotificationRepository for SqlNotificationRepository {
    async fn list(
        &self,
        owner: UserId,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        let before: Option<i64> = page
            .cursor
            .as_ref()
            .map(Cursor::decode)
            .transpose()
            .map_err(|e| StoreError::Backend(e.message))?;
        let mut query = n::Entity::find().filter(n::Column::UserId.eq(owner.0));
        if let Some(before) = before {
            query = query.filter(n::Column::Id.lt(before));
        }
        if unread_only {
            query = query.filter(n::Column::ReadAt.is_null());
        }
        let limit = page.limit as usize;
        let mut rows = query
            .order_by_desc(n::Column::Id)
            .limit(limit as u64 + 1)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| Cursor::encode(&r.id))
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(to_notification).collect(),
            next_cursor,
        })
    }

    async fn mark_read(
        &self,
        owner: UserId,
        id: i64,
        at: Timestamp,
    ) -> Result<Notification, StoreError> {
        n::Entity::update_many()
            .col_expr(n::Column::ReadAt, Expr::value(at))
            .filter(n::Column::Id.eq(id))
            .filter(n::Column::UserId.eq(owner.0))
            .filter(n::Column::ReadAt.is_null())
            .exec(&self.db)
            .await
            .map_err(store_err)?;
        n::Entity::find_by_id(id)
            .filter(n::Column::UserId.eq(owner.0))
            .one(&self.db)
            .await
            .map_err(store_err)?
            .map(to_notification)
            .ok_or(StoreError::NotFound)
    }
}
