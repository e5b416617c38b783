//! How many open requests one customer may leave waiting (SPEC §4 Jobs,
//! issue 17): at most `open_requests_per_pair` `new` jobs with one provider
//! and `open_requests_per_customer` in all. The repository counts under the
//! customer's lock and asks [`OpenRequestLimits::admit`] before it inserts, so
//! racing requests cannot pass the limit together.

use chrono::Duration;
use kernel::{QuotaExceeded, Timestamp};

/// The shortest `Retry-After` of a refused request: a provider who has let
/// the deadline pass may answer at any moment, but not usefully every second.
pub const MIN_RETRY: Duration = Duration::minutes(1);

/// What the customer has open, as counted under their lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenRequests {
    /// `new` jobs with the provider being booked.
    pub with_provider: i64,
    /// The earliest response deadline among those.
    pub first_deadline_with_provider: Option<Timestamp>,
    /// `new` jobs with any provider.
    pub in_all: i64,
    /// The earliest response deadline among those.
    pub first_deadline_in_all: Option<Timestamp>,
}

/// The limits in force (platform settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRequestLimits {
    /// `open_requests_per_pair`.
    pub per_pair: i64,
    /// `open_requests_per_customer`.
    pub per_customer: i64,
}

impl Default for OpenRequestLimits {
    fn default() -> Self {
        Self {
            per_pair: 3,
            per_customer: 10,
        }
    }
}

impl OpenRequestLimits {
    /// Whether one more request fits. A refusal's `Retry-After` runs to the
    /// earliest response deadline of the requests that fill the quota — by
    /// then the provider should have answered, and an answer (accept or
    /// reject) frees the slot — and is at least [`MIN_RETRY`]. The customer
    /// frees one at once by cancelling a request.
    pub fn admit(&self, open: &OpenRequests, now: Timestamp) -> Result<(), QuotaExceeded> {
        let refuse = |quota, limit, first: Option<Timestamp>| {
            let frees_at = first.map_or(now, |t| t).max(now + MIN_RETRY);
            Err(QuotaExceeded::until(
                quota,
                limit,
                now,
                frees_at,
                "wait for the provider's answer or cancel an open request",
            ))
        };
        if open.with_provider >= self.per_pair {
            return refuse(
                "open_requests_per_pair",
                self.per_pair,
                open.first_deadline_with_provider,
            );
        }
        if open.in_all >= self.per_customer {
            return refuse(
                "open_requests_per_customer",
                self.per_customer,
                open.first_deadline_in_all,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
    }

    fn open(pair: i64, all: i64) -> OpenRequests {
        OpenRequests {
            with_provider: pair,
            first_deadline_with_provider: Some(t0() + Duration::minutes(40)),
            in_all: all,
            first_deadline_in_all: Some(t0() + Duration::minutes(10)),
        }
    }

    #[test]
    fn the_pair_limit_comes_first_and_waits_for_its_own_deadline() {
        let limits = OpenRequestLimits::default();
        assert!(limits.admit(&open(2, 9), t0()).is_ok());
        let pair = limits.admit(&open(3, 3), t0()).unwrap_err();
        assert_eq!(pair.quota, "open_requests_per_pair");
        assert_eq!(pair.limit, 3);
        assert_eq!(pair.retry_after_secs, 40 * 60);
        let all = limits.admit(&open(1, 10), t0()).unwrap_err();
        assert_eq!(all.quota, "open_requests_per_customer");
        assert_eq!(all.retry_after_secs, 10 * 60);
    }

    #[test]
    fn past_deadlines_still_ask_for_a_minute() {
        let late = OpenRequests {
            first_deadline_with_provider: Some(t0() - Duration::hours(3)),
            ..open(3, 3)
        };
        let e = OpenRequestLimits::default().admit(&late, t0()).unwrap_err();
        assert_eq!(e.retry_after_secs, 60);
    }

    proptest! {
        #[test]
        fn admitted_exactly_while_both_counts_are_under_their_limits(
            per_pair in 1i64..20, per_customer in 1i64..50, near in -2i64..=1, extra in 0i64..60,
        ) {
            // Counts around the pair limit, where an off-by-one would show.
            let limits = OpenRequestLimits { per_pair, per_customer };
            let pair = (per_pair + near).max(0);
            let all = pair + extra;
            let verdict = limits.admit(&open(pair, all), t0());
            prop_assert_eq!(verdict.is_ok(), pair < per_pair && all < per_customer);
            if let Err(e) = verdict {
                prop_assert!(e.retry_after_secs >= 60);
            }
        }
    }
}
