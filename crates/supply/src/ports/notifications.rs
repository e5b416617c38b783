//! Port of in-app notifications.

use async_trait::async_trait;
use kernel::{Page, PageRequest, StoreError, Timestamp, UserId};
use serde_json::Value;

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// Kind (`provider.approved`).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: Option<String>,
    /// Data.
    pub data: Value,
    /// When read.
    pub read_at: Option<Timestamp>,
    /// Created.
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
