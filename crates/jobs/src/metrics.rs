//! Response metrics of a provider (SPEC §4 Jobs): the median minutes from a
//! job's creation to the provider's answer, and the share of jobs answered
//! before their deadline, over the jobs of the last 90 days.

use kernel::Timestamp;

/// The window the metrics cover, in days.
pub const WINDOW_DAYS: i64 = 90;

/// One job of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseSample {
    /// When the job was requested.
    pub created_at: Timestamp,
    /// When the provider answered, if they did.
    pub responded_at: Option<Timestamp>,
    /// When the answer was due.
    pub response_deadline: Timestamp,
}

/// A provider's response figures; `None` where there is nothing to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseMetrics {
    /// Median minutes to answer, over the answered jobs.
    pub median_response_minutes: Option<i64>,
    /// Answered before the deadline / jobs whose answer is due or given (0–1).
    pub response_rate: Option<f64>,
}

impl ResponseMetrics {
    /// Computes the figures at `now`. A job still inside its deadline and
    /// unanswered is not yet counted either way.
    pub fn compute(samples: &[ResponseSample], now: Timestamp) -> Self {
        let mut minutes: Vec<i64> = samples
            .iter()
            .filter_map(|s| {
                s.responded_at
                    .map(|r| (r - s.created_at).num_minutes().max(0))
            })
            .collect();
        minutes.sort_unstable();
        let median_response_minutes = match minutes.len() {
            0 => None,
            n if n % 2 == 1 => Some(minutes[n / 2]),
            n => Some((minutes[n / 2 - 1] + minutes[n / 2]) / 2),
        };
        let counted: Vec<_> = samples
            .iter()
            .filter(|s| s.responded_at.is_some() || now >= s.response_deadline)
            .collect();
        let on_time = counted
            .iter()
            .filter(|s| s.responded_at.is_some_and(|r| r <= s.response_deadline))
            .count();
        let response_rate = if counted.is_empty() {
            None
        } else {
            #[allow(clippy::cast_precision_loss)]
            Some(on_time as f64 / counted.len() as f64)
        };
        Self {
            median_response_minutes,
            response_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    #[test]
    fn median_and_rate_over_answered_and_overdue_jobs() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let sample = |answer_min: Option<i64>| ResponseSample {
            created_at: t0,
            responded_at: answer_min.map(|m| t0 + Duration::minutes(m)),
            response_deadline: t0 + Duration::minutes(60),
        };
        let now = t0 + Duration::hours(5);
        let m = ResponseMetrics::compute(
            &[
                sample(Some(10)),
                sample(Some(30)),
                sample(Some(90)),
                sample(None),
            ],
            now,
        );
        assert_eq!(m.median_response_minutes, Some(30));
        assert_eq!(m.response_rate, Some(0.5)); // 10 and 30 on time; 90 late; one unanswered
        let early = ResponseMetrics::compute(&[sample(None)], t0 + Duration::minutes(5));
        assert_eq!(early.response_rate, None);
        assert_eq!(early.median_response_minutes, None);
        let even = ResponseMetrics::compute(&[sample(Some(10)), sample(Some(20))], now);
        assert_eq!(even.median_response_minutes, Some(15));
    }
}
