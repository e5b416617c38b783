//! Quotas on what one client may create for others to handle (job requests,
//! chat posts, uploads): the refusal every domain returns when one is reached.
//! The HTTP layer answers it with 429 `quota_exceeded` and `Retry-After`.

use crate::Timestamp;

/// A quota refused the request. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the quota `{quota}` ({limit}) is reached; {hint}")]
pub struct QuotaExceeded {
    /// The platform setting that limits it (`open_requests_per_pair`, …).
    pub quota: &'static str,
    /// Its value in force.
    pub limit: i64,
    /// Seconds until the request may succeed (`Retry-After`), at least 1.
    pub retry_after_secs: u64,
    /// What frees room, for people.
    pub hint: &'static str,
}

impl QuotaExceeded {
    /// A refusal that lifts at `frees_at` (rounded up to whole seconds; at
    /// least one second, also when `frees_at` is already past).
    pub fn until(
        quota: &'static str,
        limit: i64,
        now: Timestamp,
        frees_at: Timestamp,
        hint: &'static str,
    ) -> Self {
        let millis = (frees_at - now).num_milliseconds().max(0);
        let secs = u64::try_from((millis + 999) / 1000).unwrap_or(0).max(1);
        Self {
            quota,
            limit,
            retry_after_secs: secs,
            hint,
        }
    }
}

/// A rolling-window count: `used` events in the window, the oldest of them
/// at `oldest`. Refuses when one more would exceed `limit`; the refusal lifts
/// when the oldest leaves the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowUse {
    /// Events in the window (this one not counted).
    pub used: i64,
    /// When the oldest of them happened.
    pub oldest: Option<Timestamp>,
}

impl WindowUse {
    /// Whether `amount` more fits under `limit` in a window of `window`
    /// ending at `now`.
    pub fn admit(
        &self,
        quota: &'static str,
        limit: i64,
        amount: i64,
        window: chrono::Duration,
        now: Timestamp,
    ) -> Result<(), QuotaExceeded> {
        if self.used.saturating_add(amount) <= limit {
            return Ok(());
        }
        let frees_at = self.oldest.map_or(now + window, |t| t + window);
        Err(QuotaExceeded::until(
            quota,
            limit,
            now,
            frees_at,
            "retry when the oldest counted use leaves the window",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
    }

    #[test]
    fn retry_after_is_rounded_up_and_at_least_one_second() {
        let q = |at| QuotaExceeded::until("q", 1, t0(), at, "").retry_after_secs;
        assert_eq!(q(t0() + Duration::milliseconds(1500)), 2);
        assert_eq!(q(t0() + Duration::seconds(60)), 60);
        assert_eq!(q(t0()), 1);
        assert_eq!(q(t0() - Duration::hours(1)), 1);
    }

    #[test]
    fn a_window_admits_up_to_its_limit_and_names_when_it_frees() {
        let minute = Duration::minutes(1);
        let oldest = Some(t0() - Duration::seconds(45));
        let under = WindowUse { used: 29, oldest };
        assert!(under.admit("chat", 30, 1, minute, t0()).is_ok());
        let full = WindowUse { used: 30, oldest };
        let e = full.admit("chat", 30, 1, minute, t0()).unwrap_err();
        assert_eq!((e.quota, e.limit, e.retry_after_secs), ("chat", 30, 15));
        // An amount (bytes) larger than what is left is refused too.
        let bytes = WindowUse { used: 90, oldest };
        assert!(bytes.admit("bytes", 100, 10, minute, t0()).is_ok());
        assert!(bytes.admit("bytes", 100, 11, minute, t0()).is_err());
    }
}
