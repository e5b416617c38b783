//! A job booked by slot (issue 19): the range it holds, and what each
//! transition does to it.
//!
//! A booking request holds its slot (buffers included) until the response
//! deadline; accepting books it; rejecting, cancelling or missing the
//! deadline releases it. Two live holds or bookings of one provider never
//! overlap: the store refuses the second ([`kernel::Constraint::SlotTaken`]).

use kernel::Timestamp;
use scheduling::{Availability, Hold, ServiceTiming, SlotQuery, free_slots};

use crate::error::JobError;
use crate::status::JobStatus;

/// A provider's hours and a service's timing, as booking reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingSchedule {
    pub availability: Availability,
    pub timing: ServiceTiming,
    /// The provider's cancellation policy, which the job keeps.
    pub policy: scheduling::CancellationPolicy,
}

/// The hold a new job takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewHold {
    /// The slot's start (the job's `scheduled_at`).
    pub slot_start: Timestamp,
    /// What it blocks, buffers included.
    pub range: Hold,
    /// Until the provider's answer is due.
    pub expires_at: Timestamp,
}

/// What a change does to the job's held ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SlotChange {
    /// The job's ranges stay as they are.
    #[default]
    Keep,
    /// The held slot becomes a booking (accepted), live again if a sweep
    /// released it meanwhile — refused if another job took the range.
    Book,
    /// Every live range of the job is released.
    Release,
    /// A reschedule proposal holds its range beside the job's own (refused
    /// if another job holds it, or the job already has a proposal).
    Propose(NewHold, crate::status::Party),
    /// The proposal replaces the job's range: it becomes a booking (an
    /// accepted job) or a hold until `expires_at` (a new one).
    Approve {
        booked: bool,
        expires_at: Option<Timestamp>,
    },
    /// The proposal is released; the job's range stays.
    Decline,
}

impl SlotChange {
    /// The change a transition from `before` to `after` makes.
    pub fn after(before: JobStatus, after: JobStatus) -> Self {
        match (before, after) {
            (JobStatus::New, JobStatus::InProgress) => Self::Book,
            (_, JobStatus::Cancelled | JobStatus::RejectedBySp) => Self::Release,
            _ => Self::Keep,
        }
    }
}

/// The hold a booking of `slot_start` takes, when the provider takes
/// bookings by slot; `None` when it has no hours (free-text scheduling).
///
/// With hours, `scheduled_at` is refused (send `slot_start`), and
/// `slot_start` must be one of the free slots the rules give at `now`
/// (holds aside: the store refuses an overlap). Without hours, `slot_start`
/// is refused.
pub fn hold_for(
    schedule: &BookingSchedule,
    slot_start: Option<Timestamp>,
    scheduled_at: Option<Timestamp>,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<Option<NewHold>, JobError> {
    let by_slot = schedule.availability.is_set();
    match (by_slot, slot_start, scheduled_at) {
        (false, None, _) => Ok(None),
        (false, Some(_), _) => Err(JobError::field(
            "slot_start",
            "this provider has not set its hours: send scheduled_at",
        )),
        (true, _, Some(_)) => Err(JobError::field(
            "scheduled_at",
            "this provider is booked by slot: send slot_start",
        )),
        (true, None, None) => Ok(None),
        (true, Some(start), None) => {
            kernel::dates::check_timestamp("slot_start", start)
                .map_err(|e| JobError::Validation(vec![e]))?;
            let tz = schedule.availability.time_zone;
            let query = SlotQuery::new(start, start + chrono::Duration::minutes(1), now, tz)
                .map_err(|_| JobError::field("slot_start", "is not a valid instant"))?;
            let free = free_slots(&schedule.availability, &schedule.timing, &[], &query);
            if !free.iter().any(|s| s.start == start) {
                return Err(JobError::field(
                    "slot_start",
                    "is not a bookable slot of this provider (see GET /providers/{id}/slots)",
                ));
            }
            Ok(Some(NewHold {
                slot_start: start,
                range: Hold::for_slot(start, &schedule.timing),
                expires_at,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc, Weekday};
    use scheduling::{TimingDefaults, WeeklyRule};

    use super::*;

    /// Mondays 09:00–12:00 UTC; hour slots with 15-minute buffers.
    fn mondays() -> BookingSchedule {
        let rule = WeeklyRule::new("rules[0]", Weekday::Mon, 540, 720).unwrap();
        let mut timing = ServiceTiming::from_defaults(TimingDefaults::default());
        timing.buffer_before_minutes = 15;
        timing.buffer_after_minutes = 15;
        BookingSchedule {
            availability: Availability::new(chrono_tz::Tz::UTC, vec![rule], Vec::new()).unwrap(),
            timing,
            policy: scheduling::CancellationPolicy::default(),
        }
    }

    fn unscheduled() -> BookingSchedule {
        BookingSchedule {
            availability: Availability::new(chrono_tz::Tz::UTC, Vec::new(), Vec::new()).unwrap(),
            ..mondays()
        }
    }

    /// Sunday 2026-12-06 12:00 UTC.
    fn now() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn field(r: Result<Option<NewHold>, JobError>) -> String {
        match r {
            Err(JobError::Validation(f)) => f[0].field.clone(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_slot_of_the_hours_is_held_with_its_buffers_until_the_deadline() {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        let due = now() + Duration::hours(1);
        let hold = hold_for(&mondays(), Some(start), None, now(), due)
            .unwrap()
            .unwrap();
        assert_eq!(hold.slot_start, start);
        assert_eq!(hold.range.start, start - Duration::minutes(15));
        assert_eq!(hold.range.end, start + Duration::minutes(75));
        assert_eq!(hold.expires_at, due);
    }

    #[test]
    fn what_is_not_a_free_slot_or_mixes_the_two_ways_is_refused() {
        let due = now() + Duration::hours(1);
        let off_grid = Utc.with_ymd_and_hms(2026, 12, 7, 10, 30, 0).unwrap();
        let closed = Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
        assert_eq!(
            field(hold_for(&mondays(), Some(off_grid), None, now(), due)),
            "slot_start"
        );
        assert_eq!(
            field(hold_for(&mondays(), Some(closed), None, now(), due)),
            "slot_start"
        );
        // Inside the minimum notice (120 minutes by default).
        let soon = monday - Duration::minutes(90);
        assert_eq!(
            field(hold_for(&mondays(), Some(monday), None, soon, due)),
            "slot_start"
        );
        assert_eq!(
            field(hold_for(&mondays(), None, Some(monday), now(), due)),
            "scheduled_at"
        );
        assert_eq!(
            field(hold_for(&unscheduled(), Some(monday), None, now(), due)),
            "slot_start"
        );
        // Free text stays for providers without hours; no time at all is a request either way.
        assert_eq!(
            hold_for(&unscheduled(), None, Some(monday), now(), due),
            Ok(None)
        );
        assert_eq!(hold_for(&mondays(), None, None, now(), due), Ok(None));
    }

    #[test]
    fn accepting_books_and_leaving_releases() {
        use JobStatus::*;
        for before in JobStatus::ALL {
            for after in JobStatus::ALL {
                let expected = match (before, after) {
                    (New, InProgress) => SlotChange::Book,
                    (_, Cancelled | RejectedBySp) => SlotChange::Release,
                    _ => SlotChange::Keep,
                };
                assert_eq!(
                    SlotChange::after(before, after),
                    expected,
                    "{before:?} → {after:?}"
                );
            }
        }
    }
}
