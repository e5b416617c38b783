//! The one range check for dates and timestamps that come from clients.
//!
//! chrono parses years from −262,144 to 262,143, SQLite stores whatever it is
//! given and PostgreSQL refuses years before 4713 BC, so without a check the
//! same request is a 200 on one backend and a 500 on the other. Every date or
//! timestamp field of every route (due dates, payment times, schedules,
//! transaction dates, query filters) goes through [`check_date`] or
//! [`check_timestamp`] and is a 422 naming the field when outside the range.
//!
//! chrono also reads a leap second (`23:59:60`), which SQLite would store as
//! text no other timestamp sorts like and PostgreSQL cannot hold at all; STM
//! keeps no leap seconds, so [`check_timestamp`] refuses one on both.

use chrono::{Datelike, NaiveDate, Timelike};

use crate::{FieldError, Timestamp};

/// The first year a date may have.
pub const MIN_YEAR: i32 = 1900;
/// The last year a date may have.
pub const MAX_YEAR: i32 = 9999;

fn check_year(field: &str, year: i32) -> Result<(), FieldError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!("must be between the years {MIN_YEAR} and {MAX_YEAR}"),
        ))
    }
}

/// Refuses a calendar date outside [`MIN_YEAR`]..=[`MAX_YEAR`]; `field` names it in the error.
pub fn check_date(field: &str, date: NaiveDate) -> Result<NaiveDate, FieldError> {
    check_year(field, date.year()).map(|()| date)
}

/// Refuses a timestamp outside [`MIN_YEAR`]..=[`MAX_YEAR`] (UTC), or on a
/// leap second (`…:60`); `field` names it in the error.
pub fn check_timestamp(field: &str, at: Timestamp) -> Result<Timestamp, FieldError> {
    // chrono keeps a leap second as nanoseconds past 999,999,999.
    if at.nanosecond() >= 1_000_000_000 {
        return Err(FieldError::new(
            field,
            "must not be a leap second (seconds run 00 to 59)",
        ));
    }
    check_year(field, at.year()).map(|()| at)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn years_inside_the_range_pass_and_outside_name_the_field() {
        let ok = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        assert_eq!(check_date("due_date", ok), Ok(ok));
        let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        assert!(check_date("due_date", last).is_ok());
        let bc = NaiveDate::from_ymd_opt(-4999, 1, 1).unwrap();
        let err = check_date("due_date", bc).unwrap_err();
        assert_eq!(err.field, "due_date");
        assert!(check_date("d", NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()).is_err());
        assert!(check_date("d", NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()).is_err());
    }

    #[test]
    fn timestamps_use_the_same_range() {
        let ok = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        assert!(check_timestamp("received_at", ok).is_ok());
        let old = Utc.with_ymd_and_hms(-5000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            check_timestamp("received_at", old).unwrap_err().field,
            "received_at"
        );
    }

    #[test]
    fn a_leap_second_is_refused() {
        let leap: Timestamp = "2016-12-31T23:59:60Z".parse().unwrap();
        assert_eq!(leap.nanosecond(), 1_000_000_000);
        let err = check_timestamp("scheduled_at", leap).unwrap_err();
        assert_eq!(err.field, "scheduled_at");
        let fraction: Timestamp = "2016-12-31T23:59:60.5+00:00".parse().unwrap();
        assert!(check_timestamp("scheduled_at", fraction).is_err());
        let last: Timestamp = "2016-12-31T23:59:59.999999999Z".parse().unwrap();
        assert!(check_timestamp("scheduled_at", last).is_ok());
    }
}
