//! What the messaging use cases need from storage. Reads take the viewer, so
//! scope is in the query; writes take what a rule decided and only write it.

use async_trait::async_trait;
use kernel::{QuotaExceeded, StoreError, Timestamp, UserId};
use uuid::Uuid;

use crate::body::MessageBody;
use crate::thread::{SenderRole, Thread, Viewer};

/// A thread as a user sees it: the thread, their unread count, its newest message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRecord {
    /// The thread with the facts the rules need.
    pub thread: Thread,
    /// Messages not sent by the reader, newer than what they marked read.
    pub unread_count: i64,
    /// The newest message, as a preview.
    pub last_message: Option<MessageRecord>,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Id (increasing; the cursor of a thread's history).
    pub id: i64,
    /// The thread.
    pub thread_id: Uuid,
    /// The author; `None` for system messages.
    pub sender_user_id: Option<UserId>,
    /// The stored role (`customer`, `service_provider`, `lsm`, `admin`, `system`).
    pub sender_role: String,
    /// The text.
    pub body: String,
    /// When the counterpart read it.
    pub read_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// Where a page of an inbox continues: after this `(last_message_at, id)`.
pub type ThreadPosition = (Timestamp, Uuid);

/// Who receives the real-time events of a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participants {
    /// Buyer and seller.
    pub parties: [UserId; 2],
    /// The region whose LSMs are in the thread (set only when disputed).
    pub lsm_region: Option<String>,
}

/// A message to write, if the thread still accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The thread.
    pub thread_id: Uuid,
    /// The author.
    pub sender: UserId,
    /// The role the rule gave them.
    pub role: SenderRole,
    /// The checked body.
    pub body: MessageBody,
    /// A blocked thread still takes this message (an LSM mediating a dispute).
    pub even_if_blocked: bool,
    /// Who receives `message.created`.
    pub participants: Participants,
    pub at: Timestamp,
}

/// A read receipt to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRead {
    /// The thread.
    pub thread_id: Uuid,
    /// The reader.
    pub reader: UserId,
    /// The other party, whose messages get `read_at` (none for an LSM).
    pub counterpart: Option<UserId>,
    /// Read up to this message id; `None` means the newest.
    pub up_to_message_id: Option<i64>,
    /// Who receives `thread.read`.
    pub participants: Participants,
    pub at: Timestamp,
}

/// A buyer's inquiry on a listing: its thread (found or opened) and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInquiry {
    /// The id a new thread gets (unused when the buyer already has one).
    pub thread_id: Uuid,
    /// The listing.
    pub listing_id: i64,
    /// The customer asking.
    pub buyer: UserId,
    /// The listing's provider user.
    pub seller: UserId,
    /// Subject of a new thread (an existing thread keeps its own).
    pub subject: Option<String>,
    /// The checked body.
    pub body: MessageBody,
    pub at: Timestamp,
}

/// Storage of threads and messages.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ThreadRepository: Send + Sync {
    /// The inbox of `viewer`: threads where they are buyer or seller (not
    /// soft-deleted unless disputed) or, for an LSM, disputed job threads of
    /// their region; not archived by them unless a newer message arrived;
    /// newest `last_message_at` first, strictly after `after`.
    async fn list(
        &self,
        viewer: &Viewer,
        after: Option<ThreadPosition>,
        limit: u32,
    ) -> Result<Vec<ThreadRecord>, StoreError>;
    /// One thread if `viewer` may see it (admins included), with `viewer`'s unread count.
    async fn find_visible(
        &self,
        id: Uuid,
        viewer: &Viewer,
    ) -> Result<Option<ThreadRecord>, StoreError>;
    /// A thread's messages, newest first, with ids below `before`.
    async fn messages(
        &self,
        id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<MessageRecord>, StoreError>;
    /// In one transaction, first taking the sender's lock (so two racing
    /// posts count each other): the sender's posts in the last
    /// [`crate::quota::WINDOW`] before `message.at`, counted and judged by
    /// [`crate::quota::RecentPosts::admit`] — a refusal writes nothing; then the message,
    /// `last_message_at`, both parties' archive cleared and `message.created`
    /// for every participant. [`StoreError::Stale`] when the thread was
    /// blocked meanwhile.
    async fn post(&self, message: NewMessage) -> Result<Posted, StoreError>;
    /// Writes the receipt and `thread.read` events; returns the reader's unread count.
    async fn mark_read(&self, read: MarkRead) -> Result<i64, StoreError>;
    /// Archives the thread for `user`.
    async fn archive(&self, id: Uuid, user: UserId, at: Timestamp) -> Result<(), StoreError>;
    /// Stores the thread's new status.
    async fn set_status(&self, thread: &Thread) -> Result<(), StoreError>;
    /// In one transaction: the buyer's listing thread on this listing (opened
    /// if they have none; one per buyer and listing), the message as in
    /// [`ThreadRepository::post`] and `message.created` for both parties.
    /// Returns the thread id and the message, or the quota's refusal as in
    /// [`ThreadRepository::post`]; [`StoreError::Stale`] when the thread is
    /// blocked.
    async fn inquire(
        &self,
        inquiry: NewInquiry,
    ) -> Result<Result<(Uuid, MessageRecord), QuotaExceeded>, StoreError>;
}

/// A post's outcome: the stored message, or the quota's refusal.
pub type Posted = Result<MessageRecord, QuotaExceeded>;
