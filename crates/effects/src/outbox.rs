//! The e-mail outbox worker: claims due rows, sends them, retries with
//! exponential backoff, gives up (`failed`) after a bounded number of attempts.
//!
//! Rows are claimed by a conditional update that pushes `next_attempt_at` one
//! lease ahead and counts the attempt, so concurrent workers (on one or several
//! instances) never send a row at the same time, and a worker that dies
//! mid-send leaves the row to be retried when the lease lapses: nothing is
//! lost across restarts (delivery is at least once).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use kernel::{Clock, StoreError, Timestamp};

use crate::error::EffectsError;

/// A queued e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEmail {
    /// Row id.
    pub id: i64,
    pub to: String,
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Template (with a `:<id>` suffix for service requests).
    pub template: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// The `email_outbox` table.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Claims up to `limit` due pending rows, leasing each until `lease_until`.
    async fn claim_due(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboundEmail>, StoreError>;
    /// Marks a row sent (and its service request's `email_sent`).
    async fn mark_sent(&self, id: i64, at: Timestamp) -> Result<(), StoreError>;
    /// Records a failed attempt: retry at `retry_at`, or `failed` for good when `None`.
    async fn mark_attempt_failed(
        &self,
        id: i64,
        error: String,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError>;
}

/// Sends one e-mail (SMTP, or the log).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers, or says why not.
    async fn send(&self, email: &OutboundEmail) -> Result<(), String>;
}

/// The wait before the next attempt after `attempts` failures: `base` doubled
/// each time, at most one hour.
pub fn backoff(attempts: i32, base: Duration) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(0);
    let millis = base.num_milliseconds().max(1).saturating_mul(1_i64 << exp);
    Duration::milliseconds(millis.min(3_600_000))
}

/// How the worker behaves.
#[derive(Debug, Clone, Copy)]
pub struct OutboxPolicy {
    /// Attempts before a row is `failed`.
    pub max_attempts: i32,
    /// Rows per batch.
    pub batch: u32,
    /// How long a claim holds before another worker may retry the row.
    pub lease: Duration,
    /// The first retry delay, doubled on each further failure.
    pub retry_base: Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            batch: 20,
            lease: Duration::minutes(5),
            retry_base: Duration::seconds(30),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxReport {
    pub sent: usize,
    /// Failed, to be retried.
    pub retrying: usize,
    /// Failed for good.
    pub failed: usize,
}

/// The worker.
#[derive(Clone)]
pub struct OutboxWorker {
    repo: Arc<dyn OutboxRepository>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    policy: OutboxPolicy,
}

impl std::fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxWorker")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl OutboxWorker {
    /// A worker over its ports.
    pub fn new(
        repo: Arc<dyn OutboxRepository>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        policy: OutboxPolicy,
    ) -> Self {
        Self {
            repo,
            mailer,
            clock,
            policy,
        }
    }

    /// Claims one batch and handles it.
    pub async fn run_once(&self) -> Result<OutboxReport, EffectsError> {
        let now = self.clock.now();
        let claimed = self
            .repo
            .claim_due(now, now + self.policy.lease, self.policy.batch)
            .await?;
        let mut report = OutboxReport::default();
        // Stop sending well before the lease lapses: past it, another worker may
        // claim the rest of this batch and send it a second time. Unsent rows are
        // picked up again when their lease ends.
        let send_until = now + self.policy.lease / 2;
        for email in claimed {
            if self.clock.now() >= send_until {
                break;
            }
            match self.mailer.send(&email).await {
                Ok(()) => {
                    self.repo.mark_sent(email.id, self.clock.now()).await?;
                    report.sent += 1;
                }
                Err(why) => {
                    let retry = (email.attempts < self.policy.max_attempts).then(|| {
                        self.clock.now() + backoff(email.attempts, self.policy.retry_base)
                    });
                    if retry.is_some() {
                        report.retrying += 1
                    } else {
                        report.failed += 1
                    }
                    self.repo.mark_attempt_failed(email.id, why, retry).await?;
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::block_on;
    use kernel::FixedClock;
    use proptest::prelude::*;

    fn email(attempts: i32) -> OutboundEmail {
        OutboundEmail {
            id: 9,
            to: "a@b.c".into(),
            subject: "s".into(),
            body: "b".into(),
            template: None,
            attempts,
        }
    }

    fn worker(repo: MockOutboxRepository, mailer: MockMailer) -> OutboxWorker {
        let policy = OutboxPolicy {
            max_attempts: 3,
            ..OutboxPolicy::default()
        };
        OutboxWorker::new(
            Arc::new(repo),
            Arc::new(mailer),
            Arc::new(FixedClock(chrono::Utc::now())),
            policy,
        )
    }

    #[test]
    fn delivered_mail_is_marked_sent() {
        let mut repo = MockOutboxRepository::new();
        repo.expect_claim_due()
            .returning(|_, _, _| Ok(vec![email(1)]));
        repo.expect_mark_sent()
            .withf(|id, _| *id == 9)
            .times(1)
            .returning(|_, _| Ok(()));
        repo.expect_mark_attempt_failed().never();
        let mut mailer = MockMailer::new();
        mailer.expect_send().times(1).returning(|_| Ok(()));
        assert_eq!(
            block_on(worker(repo, mailer).run_once())
                .ok()
                .map(|r| r.sent),
            Some(1)
        );
    }

    #[test]
    fn failures_retry_with_backoff_then_give_up() {
        let mut repo = MockOutboxRepository::new();
        repo.expect_claim_due()
            .returning(|_, _, _| Ok(vec![email(1), email(3)]));
        repo.expect_mark_sent().never();
        let mut seq = mockall::Sequence::new();
        repo.expect_mark_attempt_failed()
            .withf(|_, e, r| e == "down" && r.is_some())
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(()));
        repo.expect_mark_attempt_failed()
            .withf(|_, _, r| r.is_none())
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(()));
        let mut mailer = MockMailer::new();
        mailer.expect_send().returning(|_| Err("down".into()));
        let report = block_on(worker(repo, mailer).run_once()).ok();
        assert_eq!(
            report,
            Some(OutboxReport {
                sent: 0,
                retrying: 1,
                failed: 1
            })
        );
    }

    /// A clock that moves four minutes forward every time it is read.
    #[derive(Debug)]
    struct SlowSends(std::sync::Mutex<kernel::Timestamp>);

    impl Clock for SlowSends {
        fn now(&self) -> kernel::Timestamp {
            let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
            *t += Duration::minutes(4);
            *t
        }
    }

    #[test]
    fn a_batch_stops_before_its_lease_can_lapse() {
        let mut repo = MockOutboxRepository::new();
        repo.expect_claim_due()
            .returning(|_, _, _| Ok(vec![email(1), email(1), email(1)]));
        repo.expect_mark_sent().times(1).returning(|_, _| Ok(()));
        let mut mailer = MockMailer::new();
        mailer.expect_send().times(1).returning(|_| Ok(()));
        let policy = OutboxPolicy {
            lease: Duration::minutes(10),
            ..OutboxPolicy::default()
        };
        let clock = SlowSends(std::sync::Mutex::new(chrono::Utc::now()));
        let worker = OutboxWorker::new(Arc::new(repo), Arc::new(mailer), Arc::new(clock), policy);
        assert_eq!(block_on(worker.run_once()).ok().map(|r| r.sent), Some(1));
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let base = Duration::seconds(30);
        assert_eq!(backoff(1, base), Duration::seconds(30));
        assert_eq!(backoff(2, base), Duration::seconds(60));
        assert_eq!(backoff(20, base), Duration::seconds(3_600));
    }

    proptest! {
        #[test]
        fn backoff_never_shrinks(a in 0i32..100) {
            let base = Duration::seconds(30);
            prop_assert!(backoff(a + 1, base) >= backoff(a, base));
            prop_assert!(backoff(a, base) >= base && backoff(a, base) <= Duration::hours(1));
        }
    }
}
