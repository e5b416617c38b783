//! Reading a user's durable event feed back (SPEC §4 Messaging): the REST
//! feed and the socket both page through it by `seq`, and both refuse an
//! `after` older than what is kept, so a client never silently skips events.

use async_trait::async_trait;
use kernel::{StoreError, Timestamp, UserId};
use serde_json::Value;

/// Feed page size when the client names none.
pub const DEFAULT_LIMIT: u64 = 100;
/// Largest feed page.
pub const MAX_LIMIT: u64 = 500;
/// How long events are kept before the pruning tick may delete them.
pub const RETENTION_DAYS: i64 = 7;

/// One stored event, as the envelope `{seq, type, at, data}` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The user's sequence number, from 1, gap-free.
    pub seq: i64,
    /// `message.created`, `job.updated`, `notification`, ...
    pub kind: String,
    /// When the cause committed.
    pub at: Timestamp,
    /// The object the REST route returns.
    pub data: Value,
}

/// What reading after a sequence number found.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedRead {
    /// The events after it, oldest first (possibly none).
    Events(Vec<StoredEvent>),
    /// Events after it were pruned: the client must resync over REST.
    Expired,
}

/// Whether resuming after `after` would skip pruned events, given the oldest
/// `seq` still stored for the user (`None`: the user has no stored events;
/// pruning always keeps the newest, so that user never had any).
pub fn is_expired(after: i64, oldest_kept: Option<i64>) -> bool {
    oldest_kept.is_some_and(|oldest| after < oldest - 1)
}

/// A checked feed query: `after` ≥ 0, `limit` 1–[`MAX_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedQuery {
    /// Events with a larger `seq` are returned.
    pub after: i64,
    /// At most this many.
    pub limit: u64,
}

impl FeedQuery {
    /// Validates raw query values; the error names the field.
    pub fn new(after: Option<i64>, limit: Option<i64>) -> Result<Self, (&'static str, String)> {
        let after = after.unwrap_or(0);
        if after < 0 {
            return Err(("after", "must be 0 or a sequence number".into()));
        }
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => return Err(("limit", format!("must be between 1 and {MAX_LIMIT}"))),
        };
        Ok(Self { after, limit })
    }
}

/// The stored feed.
#[async_trait]
pub trait EventFeed: Send + Sync + std::fmt::Debug {
    /// The user's events with `seq > after`, oldest first, at most `limit`;
    /// [`FeedRead::Expired`] when events after `after` were pruned.
    async fn read(&self, user: UserId, after: i64, limit: u64) -> Result<FeedRead, StoreError>;

    /// The user's newest `seq` (0 when none).
    async fn newest_seq(&self, user: UserId) -> Result<i64, StoreError>;

    /// Deletes events created before `before`, keeping each user's newest so
    /// that a client's stale `after` is still recognised as expired.
    async fn prune(&self, before: Timestamp) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_judged_against_the_oldest_kept_event() {
        assert!(!is_expired(0, None));
        assert!(!is_expired(0, Some(1)));
        assert!(!is_expired(4, Some(5)));
        assert!(is_expired(3, Some(5)));
        assert!(!is_expired(9, Some(5)));
    }

    #[test]
    fn queries_are_checked() {
        assert_eq!(
            FeedQuery::new(None, None),
            Ok(FeedQuery {
                after: 0,
                limit: 100
            })
        );
        assert_eq!(FeedQuery::new(Some(7), Some(500)).map(|q| q.limit), Ok(500));
        assert_eq!(
            FeedQuery::new(Some(-1), None).map_err(|e| e.0),
            Err("after")
        );
        assert_eq!(FeedQuery::new(None, Some(0)).map_err(|e| e.0), Err("limit"));
        assert_eq!(
            FeedQuery::new(None, Some(501)).map_err(|e| e.0),
            Err("limit")
        );
    }
}
