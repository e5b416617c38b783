//! Threads and who a user is in one.

use kernel::{Timestamp, UserId};
use uuid::Uuid;

use crate::error::MessagingError;

/// What a thread is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    /// The chat of one job, between its customer (buyer) and provider (seller).
    Job,
    /// An inquiry on a marketplace listing.
    Listing,
}

impl ThreadKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Job, Self::Listing];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Job => "job",
            Self::Listing => "listing",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether the parties may still post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadStatus {
    Active,
    /// Blocked: the parties' messages are refused; system messages still post.
    Blocked,
}

impl ThreadStatus {
    /// Every status.
    pub const ALL: [Self; 2] = [Self::Active, Self::Blocked];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Blocked => "blocked",
        }
    }

    /// Parses a stored name (`archived`, from before archive became per user, reads as active).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" | "archived" => Some(Self::Active),
            "blocked" => Some(Self::Blocked),
            _ => None,
        }
    }
}

/// The role a message is recorded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderRole {
    /// The buyer side.
    Customer,
    /// The seller side.
    ServiceProvider,
    /// A regional manager added by a dispute.
    Lsm,
    /// The platform.
    System,
}

impl SenderRole {
    /// Every role.
    pub const ALL: [Self; 4] = [
        Self::Customer,
        Self::ServiceProvider,
        Self::Lsm,
        Self::System,
    ];

    /// The stored name (`ck_messages_sender_role`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::ServiceProvider => "service_provider",
            Self::Lsm => "lsm",
            Self::System => "system",
        }
    }
}

/// A thread as the rules need it, with the facts joined from its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: Uuid,
    /// Job chat or listing inquiry.
    pub kind: ThreadKind,
    /// The job, for job threads.
    pub job_id: Option<i64>,
    /// The listing, for inquiries.
    pub listing_id: Option<i64>,
    /// The customer side.
    pub buyer_user_id: UserId,
    /// The provider side.
    pub seller_user_id: UserId,
    /// The LSM who first acted on a dispute of the job.
    pub lsm_user_id: Option<UserId>,
    /// Subject line (inquiries).
    pub subject: Option<String>,
    /// Active or blocked.
    pub status: ThreadStatus,
    /// Newest message time.
    pub last_message_at: Timestamp,
    /// Soft-deleted (a rejected job's chat), kept for disputes and audit.
    pub is_deleted: bool,
    /// The region whose LSMs may join it through a dispute.
    pub region_code: Option<String>,
    /// A dispute was raised on the job: the region's LSMs are in the thread,
    /// and a soft-deleted thread is visible again to its parties.
    pub disputed: bool,
    pub created_at: Timestamp,
}

/// Who is looking: the one viewer every scoped read takes.
pub use kernel::Viewer;

/// What the viewer is in the thread; `None` from [`Thread::visibility`] means "not found".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The buyer: reads and posts.
    Buyer,
    /// The seller: reads, posts, may block.
    Seller,
    /// An LSM of the region in a disputed job's thread: reads and posts.
    Lsm,
    /// An admin who is not a party: reads for audit only.
    Auditor,
}

impl Thread {
    /// What `viewer` is here, or `None` when they may not see it at all.
    pub fn visibility(&self, viewer: &Viewer) -> Option<Visibility> {
        let party_may_see = !self.is_deleted || self.disputed;
        if viewer.user_id == self.buyer_user_id && party_may_see {
            return Some(Visibility::Buyer);
        }
        if viewer.user_id == self.seller_user_id && party_may_see {
            return Some(Visibility::Seller);
        }
        let lsm_of_region =
            self.disputed && viewer.lsm_region.is_some() && viewer.lsm_region == self.region_code;
        if lsm_of_region {
            return Some(Visibility::Lsm);
        }
        viewer.is_admin.then_some(Visibility::Auditor)
    }

    /// The visibility, or 404.
    pub fn require(&self, viewer: &Viewer) -> Result<Visibility, MessagingError> {
        self.visibility(viewer).ok_or(MessagingError::NotFound)
    }

    /// The role `viewer` posts with, or why they may not post now.
    pub fn sender_role(&self, viewer: &Viewer) -> Result<SenderRole, MessagingError> {
        let role = match self.require(viewer)? {
            Visibility::Buyer => SenderRole::Customer,
            Visibility::Seller => SenderRole::ServiceProvider,
            // A manager mediating a dispute speaks even in a blocked thread.
            Visibility::Lsm => return Ok(SenderRole::Lsm),
            Visibility::Auditor => {
                return Err(MessagingError::Forbidden(
                    "admins read threads for audit but do not post in them",
                ));
            }
        };
        if self.status == ThreadStatus::Blocked {
            return Err(MessagingError::Conflict(
                "this conversation is blocked; no new messages are accepted",
            ));
        }
        Ok(role)
    }

    /// Blocks the thread: either party of an inquiry, only the provider of a job chat.
    /// Blocking a blocked thread changes nothing.
    pub fn block(&self, viewer: &Viewer) -> Result<Thread, MessagingError> {
        let allowed = match (self.require(viewer)?, self.kind) {
            (Visibility::Seller, _) | (Visibility::Buyer, ThreadKind::Listing) => true,
            (Visibility::Buyer, ThreadKind::Job) => false,
            (Visibility::Lsm | Visibility::Auditor, _) => false,
        };
        if !allowed {
            return Err(MessagingError::Forbidden(
                "only the provider blocks a job chat; either party blocks an inquiry",
            ));
        }
        Ok(Thread {
            status: ThreadStatus::Blocked,
            ..self.clone()
        })
    }

    /// Whether the thread shows in an inbox of someone who archived it at
    /// `archived_at`: a newer message brings it back.
    pub fn shows_in_inbox(&self, archived_at: Option<Timestamp>) -> bool {
        archived_at.is_none_or(|at| self.last_message_at > at)
    }

    /// The users who receive events of this thread (both parties; the
    /// region's LSMs are added by the caller when the thread is disputed).
    pub fn parties(&self) -> [UserId; 2] {
        [self.buyer_user_id, self.seller_user_id]
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    fn thread(kind: ThreadKind) -> Thread {
        Thread {
            id: Uuid::nil(),
            kind,
            job_id: Some(1),
            listing_id: None,
            buyer_user_id: UserId(1),
            seller_user_id: UserId(2),
            lsm_user_id: None,
            subject: None,
            status: ThreadStatus::Active,
            last_message_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
            is_deleted: false,
            region_code: Some("nyc".into()),
            disputed: false,
            created_at: Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap(),
        }
    }

    fn user(id: i64) -> Viewer {
        Viewer {
            user_id: UserId(id),
            is_admin: false,
            lsm_region: None,
        }
    }

    fn lsm(region: &str) -> Viewer {
        Viewer {
            lsm_region: Some(region.into()),
            ..user(50)
        }
    }

    #[test]
    fn strangers_get_not_found_and_admins_read_only() {
        let t = thread(ThreadKind::Job);
        assert_eq!(t.visibility(&user(3)), None);
        assert_eq!(t.visibility(&lsm("nyc")), None, "no dispute, no LSM");
        let admin = Viewer {
            is_admin: true,
            ..user(9)
        };
        assert_eq!(t.visibility(&admin), Some(Visibility::Auditor));
        assert!(matches!(
            t.sender_role(&admin),
            Err(MessagingError::Forbidden(_))
        ));
    }

    #[test]
    fn a_soft_deleted_thread_hides_from_parties_until_a_dispute() {
        let mut t = thread(ThreadKind::Job);
        t.is_deleted = true;
        assert_eq!(t.visibility(&user(1)), None);
        assert_eq!(t.visibility(&user(2)), None);
        t.disputed = true;
        assert_eq!(t.visibility(&user(1)), Some(Visibility::Buyer));
        assert_eq!(t.visibility(&lsm("nyc")), Some(Visibility::Lsm));
        assert_eq!(t.visibility(&lsm("sfo")), None);
    }

    #[test]
    fn blocking_follows_the_thread_kind_and_refuses_parties_only() {
        let job = thread(ThreadKind::Job);
        assert!(matches!(
            job.block(&user(1)),
            Err(MessagingError::Forbidden(_))
        ));
        let blocked = job.block(&user(2)).unwrap();
        assert!(matches!(
            blocked.sender_role(&user(1)),
            Err(MessagingError::Conflict(_))
        ));
        assert!(matches!(
            blocked.sender_role(&user(2)),
            Err(MessagingError::Conflict(_))
        ));
        let inquiry = thread(ThreadKind::Listing);
        assert_eq!(
            inquiry.block(&user(1)).unwrap().status,
            ThreadStatus::Blocked
        );
        let mut disputed = blocked;
        disputed.disputed = true;
        assert_eq!(disputed.sender_role(&lsm("nyc")), Ok(SenderRole::Lsm));
    }

    #[test]
    fn archive_is_undone_by_a_newer_message() {
        let t = thread(ThreadKind::Job);
        assert!(t.shows_in_inbox(None));
        assert!(!t.shows_in_inbox(Some(t.last_message_at)));
        assert!(t.shows_in_inbox(Some(t.last_message_at - Duration::minutes(1))));
    }
}
