//! The caller's in-app notifications: the port and the use cases.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::{Clock, Ctx, Page, PageRequest, StoreError, Timestamp, UserId};
use serde_json::Value;

use crate::error::EffectsError;

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    /// Kind (`provider.approved`).
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub data: Value,
    /// When read.
    pub read_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// The user's notifications; every method is scoped to the owner.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// The owner's notifications, newest first.
    async fn list(
        &self,
        owner: UserId,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>, StoreError>;
    /// Marks one read (`NotFound` if not the owner's); reading twice keeps the first time.
    async fn mark_read(
        &self,
        owner: UserId,
        id: i64,
        at: Timestamp,
    ) -> Result<Notification, StoreError>;
}

/// Notification use cases; the owner is always the caller.
#[derive(Clone)]
pub struct NotificationService {
    repo: Arc<dyn NotificationRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for NotificationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationService")
            .finish_non_exhaustive()
    }
}

impl NotificationService {
    /// The use cases over their port.
    pub fn new(repo: Arc<dyn NotificationRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
    }

    /// The caller's notifications, newest first.
    pub async fn list(
        &self,
        ctx: &Ctx,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>, EffectsError> {
        Ok(self.repo.list(ctx.user_id, unread_only, page).await?)
    }

    /// Marks one of the caller's notifications read; another user's is not found.
    pub async fn read(&self, ctx: &Ctx, id: i64) -> Result<Notification, EffectsError> {
        Ok(self
            .repo
            .mark_read(ctx.user_id, id, self.clock.now())
            .await?)
    }
}
