//! What a missed response deadline does to its provider (SPEC §4 Provider
//! onboarding, warnings): one warning per job, but at most one per customer
//! per day (issue 17: a customer who floods a provider with requests must not
//! put it under review); at `warning_threshold` the provider goes under
//! review and the region's managers are told, once.

use chrono::Duration;
use effects::Effects;
use kernel::Timestamp;

use crate::job::Job;
use crate::templates;

/// A provider is warned about one customer's requests at most this often.
pub const PER_CUSTOMER_EVERY: Duration = Duration::hours(24);

/// Whether a missed deadline counts as a warning, given when the provider's
/// last counted warning for the same customer was: not within
/// [`PER_CUSTOMER_EVERY`] of `now`. The job records its `deadline_missed`
/// either way.
pub fn counts(last_for_customer: Option<Timestamp>, now: Timestamp) -> bool {
    last_for_customer.is_none_or(|last| now - last >= PER_CUSTOMER_EVERY)
}

/// The consequence of one more warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The provider must now be flagged `under_review`.
    pub flag: bool,
    /// Who is told about it (the region's LSMs when the flag goes up).
    pub effects: Effects,
}

/// After the provider of `job` reached `warnings` (this one counted), with
/// `under_review` as it stood: flag them at `threshold` unless already flagged,
/// and tell the region's managers only when the flag goes up.
pub fn after_warning(job: &Job, warnings: i64, under_review: bool, threshold: i64) -> Review {
    if under_review || warnings < threshold.max(1) {
        return Review {
            flag: false,
            effects: Effects::none(),
        };
    }
    Review {
        flag: true,
        effects: Effects::none().message(templates::provider_under_review(job, warnings)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_tests::record;
    use crate::status::JobStatus;

    fn sample_job() -> Job {
        record(JobStatus::New, 1).job
    }

    #[test]
    fn one_customer_costs_a_provider_one_warning_a_day() {
        let now = crate::service_tests::now();
        assert!(counts(None, now));
        assert!(!counts(Some(now), now));
        assert!(!counts(Some(now - Duration::hours(23)), now));
        assert!(counts(Some(now - Duration::hours(24)), now));
        assert!(counts(Some(now - Duration::days(3)), now));
    }

    #[test]
    fn flag_goes_up_once_at_the_threshold() {
        let job = sample_job();
        assert!(!after_warning(&job, 2, false, 3).flag);
        let at = after_warning(&job, 3, false, 3);
        assert!(at.flag);
        assert_eq!(at.effects.messages.len(), 1);
        // Already under review: nobody is told again.
        let again = after_warning(&job, 4, true, 3);
        assert!(!again.flag && again.effects.messages.is_empty());
        // Past the threshold but cleared by an LSM meanwhile: flagged again.
        assert!(after_warning(&job, 5, false, 3).flag);
    }
}
