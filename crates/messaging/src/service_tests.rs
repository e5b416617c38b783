//! Use cases over a mocked repository: scope, roles, blocking, races, receipts.

use kernel::Refusal as _;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use futures_executor::block_on;
use kernel::{Ctx, FixedClock, PageRequest, Role, StoreError, Timestamp, UserId};
use uuid::Uuid;

use crate::error::MessagingError;
use crate::ports::{MessageRecord, MockThreadRepository, ThreadRecord};
use crate::quota::RecentPosts;
use crate::service::MessagingService;
use crate::thread::{Thread, ThreadKind, ThreadStatus};

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

fn record(status: ThreadStatus) -> ThreadRecord {
    ThreadRecord {
        thread: Thread {
            id: Uuid::nil(),
            kind: ThreadKind::Job,
            job_id: Some(1),
            listing_id: None,
            buyer_user_id: UserId(10),
            seller_user_id: UserId(21),
            lsm_user_id: None,
            subject: None,
            status,
            last_message_at: now(),
            is_deleted: false,
            region_code: Some("nyc".into()),
            disputed: false,
            created_at: now(),
        },
        unread_count: 0,
        last_message: None,
    }
}

fn message(id: i64, sender: i64) -> MessageRecord {
    MessageRecord {
        id,
        thread_id: Uuid::nil(),
        sender_user_id: Some(UserId(sender)),
        sender_role: "customer".into(),
        body: "hi".into(),
        read_at: None,
        created_at: now(),
    }
}

/// The quota's refusal: 30 posts, the oldest 20 s ago.
fn refused() -> kernel::QuotaExceeded {
    RecentPosts {
        limit: 30,
        used: kernel::WindowUse {
            used: 30,
            oldest: Some(now() - chrono::Duration::seconds(20)),
        },
    }
    .admit(now())
    .unwrap_err()
}

fn service(repo: MockThreadRepository) -> MessagingService {
    MessagingService::new(Arc::new(repo), Arc::new(FixedClock(now())))
}

fn customer() -> Ctx {
    Ctx::new(UserId(10), vec![Role::Customer])
}

fn admin() -> Ctx {
    Ctx::new(UserId(1), vec![Role::Admin])
}

#[test]
fn a_thread_outside_the_callers_scope_is_not_found_and_nothing_is_written() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible().returning(|_, _| Ok(None));
    repo.expect_post().never();
    let s = service(repo);
    let stranger = Ctx::new(UserId(99), vec![Role::Customer]);
    assert_eq!(
        block_on(s.post(&stranger, Uuid::nil(), "hello")),
        Err(MessagingError::NotFound)
    );
    assert_eq!(
        block_on(s.get_thread(&stranger, Uuid::nil())).err(),
        Some(MessagingError::NotFound)
    );
}

#[test]
fn a_blocked_thread_refuses_the_parties_with_a_conflict() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(ThreadStatus::Blocked))));
    repo.expect_post().never();
    let s = service(repo);
    assert!(matches!(
        block_on(s.post(&customer(), Uuid::nil(), "hello")),
        Err(MessagingError::Conflict(_))
    ));
}

#[test]
fn admins_read_but_do_not_post_or_mark_read() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(ThreadStatus::Active))));
    repo.expect_messages()
        .returning(|_, _, _| Ok(vec![message(2, 10)]));
    repo.expect_post().never();
    repo.expect_mark_read().never();
    let s = service(repo);
    let page = block_on(s.messages(&admin(), Uuid::nil(), PageRequest::default())).unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(matches!(
        block_on(s.post(&admin(), Uuid::nil(), "hello")),
        Err(MessagingError::Forbidden(_))
    ));
    assert!(matches!(
        block_on(s.mark_read(&admin(), Uuid::nil(), None)),
        Err(MessagingError::Forbidden(_))
    ));
}

#[test]
fn a_body_out_of_bounds_is_refused_before_any_read() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible().never();
    let s = service(repo);
    assert!(matches!(
        block_on(s.post(&customer(), Uuid::nil(), &"x".repeat(4001))),
        Err(MessagingError::Validation(_))
    ));
    assert!(matches!(
        block_on(s.post(&customer(), Uuid::nil(), "  ")),
        Err(MessagingError::Validation(_))
    ));
}

#[test]
fn a_block_that_lands_between_read_and_write_is_decided_again() {
    let mut repo = MockThreadRepository::new();
    let mut reads = 0;
    repo.expect_find_visible().returning(move |_, _| {
        reads += 1;
        let status = if reads == 1 {
            ThreadStatus::Active
        } else {
            ThreadStatus::Blocked
        };
        Ok(Some(record(status)))
    });
    repo.expect_post()
        .times(1)
        .returning(|_| Err(StoreError::Stale));
    let s = service(repo);
    assert!(matches!(
        block_on(s.post(&customer(), Uuid::nil(), "hello")),
        Err(MessagingError::Conflict(_))
    ));
}

#[test]
fn posting_names_every_participant_and_the_role() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible().returning(|_, _| {
        let mut r = record(ThreadStatus::Active);
        r.thread.disputed = true;
        Ok(Some(r))
    });
    repo.expect_post()
        .withf(|m| {
            m.participants.parties == [UserId(10), UserId(21)]
                && m.participants.lsm_region.as_deref() == Some("nyc")
                && m.role == crate::SenderRole::Customer
                && !m.even_if_blocked
                && m.body.as_str() == "hello"
                && m.at == now()
        })
        .returning(|_| Ok(Ok(message(5, 10))));
    let s = service(repo);
    assert_eq!(
        block_on(s.post(&customer(), Uuid::nil(), " hello ")).map(|m| m.id),
        Ok(5)
    );
}

#[test]
fn a_post_over_the_minute_quota_is_refused_saying_when_to_retry() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(ThreadStatus::Active))));
    repo.expect_post()
        .times(1)
        .returning(|_| Ok(Err(refused())));
    let err = block_on(service(repo).post(&customer(), Uuid::nil(), "hello")).unwrap_err();
    assert_eq!(err.code(), "quota_exceeded");
    let MessagingError::Quota(q) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (q.quota, q.limit, q.retry_after_secs),
        ("chat_posts_per_minute", 30, 40)
    );
}

#[test]
fn only_the_provider_blocks_a_job_thread() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(ThreadStatus::Active))));
    repo.expect_set_status()
        .times(1)
        .withf(|t| t.status == ThreadStatus::Blocked)
        .returning(|_| Ok(()));
    let s = service(repo);
    assert!(matches!(
        block_on(s.block(&customer(), Uuid::nil())),
        Err(MessagingError::Forbidden(_))
    ));
    let provider = Ctx::new(UserId(21), vec![Role::Provider]);
    let blocked = block_on(s.block(&provider, Uuid::nil())).unwrap();
    assert_eq!(blocked.thread.status, ThreadStatus::Blocked);
}

#[test]
fn a_receipt_marks_the_counterparts_messages_and_bad_ids_are_refused() {
    let mut repo = MockThreadRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(ThreadStatus::Active))));
    repo.expect_mark_read()
        .times(1)
        .withf(|r| r.reader == UserId(10) && r.counterpart == Some(UserId(21)))
        .returning(|_| Ok(0));
    let s = service(repo);
    assert!(matches!(
        block_on(s.mark_read(&customer(), Uuid::nil(), Some(0))),
        Err(MessagingError::Validation(_))
    ));
    let read = block_on(s.mark_read(&customer(), Uuid::nil(), Some(7))).unwrap();
    assert_eq!(read.unread_count, 0);
}

#[test]
fn an_inbox_page_hands_out_a_cursor_only_when_more_remain() {
    let mut repo = MockThreadRepository::new();
    repo.expect_list()
        .withf(|_, after, limit| after.is_none() && *limit == 2)
        .returning(|_, _, _| {
            Ok(vec![
                record(ThreadStatus::Active),
                record(ThreadStatus::Active),
            ])
        });
    let s = service(repo);
    let page = PageRequest::parse(Some(1), None).unwrap();
    let found = block_on(s.list_threads(&customer(), page)).unwrap();
    assert_eq!(found.items.len(), 1);
    assert!(found.next_cursor.is_some());
    let bad = PageRequest::parse(None, Some("nonsense".into())).unwrap();
    assert!(matches!(
        block_on(s.list_threads(&customer(), bad)),
        Err(MessagingError::Validation(_))
    ));
}

mod inquiries {
    use std::sync::Arc;

    use futures_executor::block_on;
    use kernel::{Ctx, FixedClock, Role, StoreError, UserId};

    use crate::error::MessagingError;
    use crate::ports::MockThreadRepository;
    use crate::service::{ListingParty, MessagingService};

    fn service(repo: MockThreadRepository) -> MessagingService {
        MessagingService::new(Arc::new(repo), Arc::new(FixedClock(super::now())))
    }

    const LISTING: ListingParty = ListingParty {
        listing_id: 5,
        seller: UserId(7),
    };

    #[test]
    fn only_a_customer_other_than_the_seller_inquires_with_a_valid_body() {
        let provider = Ctx::new(UserId(7), vec![Role::Provider, Role::Customer]);
        let err =
            block_on(service(MockThreadRepository::new()).inquire(&provider, LISTING, "hi", None));
        assert!(matches!(err, Err(MessagingError::Forbidden(_))));
        let lsm = Ctx::new(UserId(8), vec![Role::Lsm]);
        let err = block_on(service(MockThreadRepository::new()).inquire(&lsm, LISTING, "hi", None));
        assert!(matches!(err, Err(MessagingError::Forbidden(_))));
        let buyer = Ctx::new(UserId(3), vec![Role::Customer]);
        let err =
            block_on(service(MockThreadRepository::new()).inquire(&buyer, LISTING, " ", None));
        assert!(matches!(err, Err(MessagingError::Validation(_))));
        let long = "x".repeat(256);
        let err = block_on(service(MockThreadRepository::new()).inquire(
            &buyer,
            LISTING,
            "hi",
            Some(&long),
        ));
        assert!(matches!(err, Err(MessagingError::Validation(e)) if e[0].field == "subject"));
    }

    #[test]
    fn an_inquiry_counts_against_the_post_quota() {
        let mut repo = MockThreadRepository::new();
        repo.expect_inquire()
            .times(1)
            .returning(|_| Ok(Err(super::refused())));
        let buyer = Ctx::new(UserId(3), vec![Role::Customer]);
        let err = block_on(service(repo).inquire(&buyer, LISTING, "hi", None));
        assert!(matches!(err, Err(MessagingError::Quota(_))), "{err:?}");
    }

    struct Unverified;

    impl kernel::EmailVerification for Unverified {
        fn is_verified(&self, _: UserId) -> kernel::verified::Lookup<'_> {
            Box::pin(async { Ok(false) })
        }
    }

    #[test]
    fn an_unverified_buyer_is_refused_before_anything_is_written_when_the_policy_is_on() {
        let mut repo = MockThreadRepository::new();
        repo.expect_inquire().never();
        let policy = kernel::VerifiedEmailPolicy::required(Arc::new(Unverified));
        let buyer = Ctx::new(UserId(3), vec![Role::Customer]);
        let err = block_on(
            service(repo)
                .with_email_policy(policy)
                .inquire(&buyer, LISTING, "hi", None),
        );
        assert!(
            matches!(err, Err(MessagingError::EmailUnverified)),
            "{err:?}"
        );
    }

    #[test]
    fn a_blocked_inquiry_is_a_conflict() {
        let mut repo = MockThreadRepository::new();
        repo.expect_inquire()
            .withf(|q| q.buyer == UserId(3) && q.seller == UserId(7) && q.listing_id == 5)
            .times(1)
            .returning(|_| Err(StoreError::Stale));
        let buyer = Ctx::new(UserId(3), vec![Role::Customer]);
        let err = block_on(service(repo).inquire(&buyer, LISTING, "hi", Some("Q")));
        assert!(matches!(err, Err(MessagingError::Conflict(_))));
    }
}
