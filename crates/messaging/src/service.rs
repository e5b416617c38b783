//! The messaging use cases. Each reads the thread in the caller's scope
//! (absent = 404), asks the rules in [`Thread`] what the caller is and may do,
//! and hands the result to the repository.

use std::sync::Arc;

use kernel::{Clock, Ctx, Cursor, Page, PageRequest, Role, StoreError};
use uuid::Uuid;

use crate::body::MessageBody;
use crate::error::MessagingError;
use crate::ports::{
    MarkRead, MessageRecord, NewInquiry, NewMessage, Participants, ThreadPosition, ThreadRecord,
    ThreadRepository,
};
use crate::thread::{SenderRole, Thread, Viewer, Visibility};

/// How often a post is re-applied after the thread changed under it.
const ATTEMPTS: usize = 3;

/// `POST /threads/{id}/read`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadState {
    /// The thread.
    pub thread_id: Uuid,
    /// The reader's unread count after the receipt.
    pub unread_count: i64,
}

/// The messaging use cases.
#[derive(Clone)]
pub struct MessagingService {
    repo: Arc<dyn ThreadRepository>,
    clock: Arc<dyn Clock>,
    email: kernel::VerifiedEmailPolicy,
}

impl std::fmt::Debug for MessagingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagingService").finish_non_exhaustive()
    }
}

/// The rules' view of the caller.
pub fn viewer(ctx: &Ctx) -> Viewer {
    ctx.viewer()
}

/// Who receives a thread's events: both parties, and the region's LSMs once disputed.
fn participants(t: &Thread) -> Participants {
    Participants {
        parties: t.parties(),
        lsm_region: t.disputed.then(|| t.region_code.clone()).flatten(),
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    cursor: Option<&Cursor>,
) -> Result<Option<T>, MessagingError> {
    cursor
        .map(|c| c.decode::<T>())
        .transpose()
        .map_err(|e| MessagingError::Validation(vec![e]))
}

impl MessagingService {
    /// The use cases over `repo`, timed by `clock`.
    pub fn new(repo: Arc<dyn ThreadRepository>, clock: Arc<dyn Clock>) -> Self {
        Self {
            repo,
            clock,
            email: kernel::VerifiedEmailPolicy::off(),
        }
    }

    /// The verified-e-mail policy its inquiries follow (off by default).
    pub fn with_email_policy(mut self, policy: kernel::VerifiedEmailPolicy) -> Self {
        self.email = policy;
        self
    }

    /// The caller's inbox, newest activity first. Admins get their own
    /// threads here, not everyone's: they read others' threads by id.
    pub async fn list_threads(
        &self,
        ctx: &Ctx,
        page: PageRequest,
    ) -> Result<Page<ThreadRecord>, MessagingError> {
        let after = decode::<ThreadPosition>(page.cursor.as_ref())?;
        let rows = self.repo.list(&viewer(ctx), after, page.limit + 1).await?;
        Ok(Page::from_rows(rows, &page, |r| {
            (r.thread.last_message_at, r.thread.id)
        }))
    }

    /// A thread the caller may see, and what they are in it.
    async fn load(
        &self,
        ctx: &Ctx,
        id: Uuid,
    ) -> Result<(ThreadRecord, Viewer, Visibility), MessagingError> {
        let v = viewer(ctx);
        let record = self
            .repo
            .find_visible(id, &v)
            .await?
            .ok_or(MessagingError::NotFound)?;
        let seen_as = record.thread.require(&v)?;
        Ok((record, v, seen_as))
    }

    /// One thread (participants, and admins for audit).
    pub async fn get_thread(&self, ctx: &Ctx, id: Uuid) -> Result<ThreadRecord, MessagingError> {
        Ok(self.load(ctx, id).await?.0)
    }

    /// A thread's history, newest first (admins may read any thread for audit).
    pub async fn messages(
        &self,
        ctx: &Ctx,
        id: Uuid,
        page: PageRequest,
    ) -> Result<Page<MessageRecord>, MessagingError> {
        let before = decode::<i64>(page.cursor.as_ref())?;
        self.load(ctx, id).await?;
        let rows = self.repo.messages(id, before, page.limit + 1).await?;
        Ok(Page::from_rows(rows, &page, |m| m.id))
    }

    /// Posts `body` as the caller. Also the WebSocket's `message.send`.
    pub async fn post(
        &self,
        ctx: &Ctx,
        thread_id: Uuid,
        body: &str,
    ) -> Result<MessageRecord, MessagingError> {
        let body = MessageBody::parse(body).map_err(|e| MessagingError::Validation(vec![e]))?;
        for _ in 0..ATTEMPTS {
            let (record, v, _) = self.load(ctx, thread_id).await?;
            let role = record.thread.sender_role(&v)?;
            let message = NewMessage {
                thread_id,
                sender: v.user_id,
                role,
                body: body.clone(),
                even_if_blocked: role == SenderRole::Lsm,
                participants: participants(&record.thread),
                at: self.clock.now(),
            };
            match self.repo.post(message).await {
                // Blocked between the read and the write: the rule decides again.
                Err(StoreError::Stale) => continue,
                other => return other?.map_err(MessagingError::Quota),
            }
        }
        Err(MessagingError::Conflict(
            "the conversation kept changing; try again",
        ))
    }

    /// Marks the thread read up to a message (default: the newest).
    pub async fn mark_read(
        &self,
        ctx: &Ctx,
        id: Uuid,
        up_to_message_id: Option<i64>,
    ) -> Result<ReadState, MessagingError> {
        if up_to_message_id.is_some_and(|n| n < 1) {
            return Err(MessagingError::field(
                "up_to_message_id",
                "must be a message id (≥ 1)",
            ));
        }
        let (record, v, seen_as) = self.load(ctx, id).await?;
        let t = &record.thread;
        let counterpart = match seen_as {
            Visibility::Buyer => Some(t.seller_user_id),
            Visibility::Seller => Some(t.buyer_user_id),
            Visibility::Lsm => None,
            Visibility::Auditor => return Err(auditor()),
        };
        let unread_count = self
            .repo
            .mark_read(MarkRead {
                thread_id: id,
                reader: v.user_id,
                counterpart,
                up_to_message_id,
                participants: participants(t),
                at: self.clock.now(),
            })
            .await?;
        Ok(ReadState {
            thread_id: id,
            unread_count,
        })
    }

    /// Hides the thread from the caller's inbox until a new message arrives.
    pub async fn archive(&self, ctx: &Ctx, id: Uuid) -> Result<ThreadRecord, MessagingError> {
        let (_, v, seen_as) = self.load(ctx, id).await?;
        if seen_as == Visibility::Auditor {
            return Err(auditor());
        }
        self.repo.archive(id, v.user_id, self.clock.now()).await?;
        Ok(self.load(ctx, id).await?.0)
    }

    /// Blocks the thread (rules in [`Thread::block`]).
    pub async fn block(&self, ctx: &Ctx, id: Uuid) -> Result<ThreadRecord, MessagingError> {
        let (record, v, _) = self.load(ctx, id).await?;
        let blocked = record.thread.block(&v)?;
        if blocked != record.thread {
            self.repo.set_status(&blocked).await?;
        }
        Ok(ThreadRecord {
            thread: blocked,
            ..record
        })
    }
}

/// Longest inquiry subject, in characters (`message_threads.subject`).
pub const MAX_SUBJECT: usize = 255;

/// A checked subject: optional display text, trimmed, blank is none.
fn subject(s: Option<&str>) -> Result<Option<String>, MessagingError> {
    kernel::text::optional_bounded("subject", s, MAX_SUBJECT)
        .map_err(|e| MessagingError::Validation(vec![e]))
}

/// The listing an inquiry is about, as the caller's marketplace read it (active).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingParty {
    /// The listing.
    pub listing_id: i64,
    /// Its provider's user.
    pub seller: kernel::UserId,
}

impl MessagingService {
    /// A customer asks about a listing: the first inquiry opens a `listing`
    /// thread with the seller; a later one by the same buyer is appended to
    /// that thread (one thread per buyer and listing). The seller cannot
    /// inquire on their own listing; a blocked inquiry refuses (409).
    pub async fn inquire(
        &self,
        ctx: &Ctx,
        listing: ListingParty,
        body: &str,
        subject_line: Option<&str>,
    ) -> Result<(ThreadRecord, MessageRecord), MessagingError> {
        if !self.email.admits(ctx.user_id).await? {
            return Err(MessagingError::EmailUnverified);
        }
        if !ctx.has_role(Role::Customer) {
            return Err(MessagingError::Forbidden("only customers send inquiries"));
        }
        if ctx.user_id == listing.seller {
            return Err(MessagingError::Forbidden(
                "a seller does not inquire on their own listing",
            ));
        }
        let body = MessageBody::parse(body).map_err(|e| MessagingError::Validation(vec![e]))?;
        let subject = subject(subject_line)?;
        let inquiry = NewInquiry {
            thread_id: Uuid::new_v4(),
            listing_id: listing.listing_id,
            buyer: ctx.user_id,
            seller: listing.seller,
            subject,
            body,
            at: self.clock.now(),
        };
        let (thread_id, message) = match self.repo.inquire(inquiry).await {
            Err(StoreError::Stale) => {
                return Err(MessagingError::Conflict("this conversation is blocked"));
            }
            other => other?.map_err(MessagingError::Quota)?,
        };
        Ok((self.load(ctx, thread_id).await?.0, message))
    }
}

fn auditor() -> MessagingError {
    MessagingError::Forbidden("admins read threads for audit but do not act in them")
}
