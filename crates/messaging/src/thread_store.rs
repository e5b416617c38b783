//! What another domain's use case writes into a thread inside its unit of
//! work: a system message, and the manager who took the thread up.

use async_trait::async_trait;
use effects::Audience;
use kernel::{StoreError, Timestamp, UserId};
use uuid::Uuid;

/// The threads of one unit of work.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// Posts `text` as a system message into `thread` (even a blocked one),
    /// with `message.created` for every user of `audiences`, each once.
    async fn system_message(
        &self,
        thread: Uuid,
        text: &str,
        audiences: &[Audience],
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Records `lsm` as the thread's manager unless another acted first.
    async fn first_lsm(&self, thread: Uuid, lsm: UserId) -> Result<(), StoreError>;
}
