//! The chat post quota (issue 17): one user posts at most
//! `chat_posts_per_minute` messages in any minute, over REST, the socket and
//! listing inquiries together. Counted from the stored messages (by sender,
//! in the last minute), so every route and every instance sees the same count.

use chrono::Duration;
use kernel::{QuotaExceeded, Timestamp, WindowUse};

/// The window the quota counts over.
pub const WINDOW: Duration = Duration::minutes(1);

/// The setting's name, as the refusal names it.
pub const QUOTA: &str = "chat_posts_per_minute";

/// The quota in force and the sender's posts in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentPosts {
    /// `chat_posts_per_minute`.
    pub limit: i64,
    /// The sender's messages in the last [`WINDOW`], with the oldest one's time.
    pub used: WindowUse,
}

impl RecentPosts {
    /// Whether one more post fits; a refusal lifts when the oldest counted
    /// post is a minute old.
    pub fn admit(&self, now: Timestamp) -> Result<(), QuotaExceeded> {
        self.used.admit(QUOTA, self.limit, 1, WINDOW, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_thirty_first_post_of_a_minute_waits_for_the_first_to_age() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let recent = |used| RecentPosts {
            limit: 30,
            used: WindowUse {
                used,
                oldest: Some(now - Duration::seconds(50)),
            },
        };
        assert!(recent(29).admit(now).is_ok());
        let e = recent(30).admit(now).unwrap_err();
        assert_eq!((e.quota, e.limit, e.retry_after_secs), (QUOTA, 30, 10));
    }
}
