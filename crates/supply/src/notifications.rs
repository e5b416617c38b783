//! The caller's in-app notifications.

use std::sync::Arc;

use kernel::{Clock, Ctx, Page, PageRequest};

use crate::error::SupplyError;
use crate::ports::{Notification, NotificationRepository};

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
    ) -> Result<Page<Notification>, SupplyError> {
        Ok(self.repo.list(ctx.user_id, unread_only, page).await?)
    }

    /// Marks one of the caller's notifications read; another user's is not found.
    pub async fn read(&self, ctx: &Ctx, id: i64) -> Result<Notification, SupplyError> {
        Ok(self
            .repo
            .mark_read(ctx.user_id, id, self.clock.now())
            .await?)
    }
}
