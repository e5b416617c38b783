//! A provider's availability: weekly rules in its time zone and dated
//! exceptions.

use chrono::Weekday;
use chrono_tz::Tz;
use kernel::Timestamp;

use crate::SchedulingError;

/// Minutes in a day: a rule may end at 24:00.
pub const MINUTES_PER_DAY: u16 = 1440;

/// At most this many weekly rules (eight ranges a day).
pub const MAX_RULES: usize = 56;

/// The longest exception, in days.
pub const MAX_EXCEPTION_DAYS: i64 = 366;

/// The longest reason of an exception, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// Working hours on one weekday, in wall-clock minutes of the provider's zone:
/// `[start_minute, end_minute)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyRule {
    pub weekday: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl WeeklyRule {
    /// A rule; `field` names it in a refusal (`rules[2]`).
    pub fn new(
        field: &str,
        weekday: Weekday,
        start_minute: u16,
        end_minute: u16,
    ) -> Result<Self, SchedulingError> {
        if end_minute > MINUTES_PER_DAY {
            return Err(SchedulingError::field(
                &format!("{field}.end"),
                "must be 24:00 at the latest",
            ));
        }
        if start_minute >= end_minute {
            return Err(SchedulingError::field(
                &format!("{field}.end"),
                "must be after the start",
            ));
        }
        Ok(Self {
            weekday,
            start_minute,
            end_minute,
        })
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.weekday == other.weekday
            && self.start_minute < other.end_minute
            && other.start_minute < self.end_minute
    }
}

/// What an exception does to the weekly rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionKind {
    /// Not bookable in the range, whatever the rules say.
    TimeOff,
    /// Bookable in the range, beside the rules.
    ExtraHours,
}

impl ExceptionKind {
    /// The wire and column name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TimeOff => "time_off",
            Self::ExtraHours => "extra_hours",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "time_off" => Some(Self::TimeOff),
            "extra_hours" => Some(Self::ExtraHours),
            _ => None,
        }
    }
}

/// A dated change to the weekly rules, `[start, end)` in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub kind: ExceptionKind,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Why, as the provider wrote it (trimmed, never blank).
    pub reason: String,
}

impl Exception {
    /// An exception, validated.
    pub fn new(
        kind: ExceptionKind,
        start: Timestamp,
        end: Timestamp,
        reason: &str,
    ) -> Result<Self, SchedulingError> {
        if end <= start {
            return Err(SchedulingError::field("end", "must be after the start"));
        }
        if end - start > chrono::Duration::days(MAX_EXCEPTION_DAYS) {
            return Err(SchedulingError::field(
                "end",
                format!("an exception spans {MAX_EXCEPTION_DAYS} days at most"),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(SchedulingError::field("reason", "must not be blank"));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(SchedulingError::field(
                "reason",
                format!("at most {MAX_REASON_CHARS} characters"),
            ));
        }
        Ok(Self {
            kind,
            start,
            end,
            reason: reason.to_owned(),
        })
    }
}

/// The weekly set and exceptions of one provider, in its zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    pub time_zone: Tz,
    /// Sorted by weekday (Monday first), then start; never overlapping.
    pub rules: Vec<WeeklyRule>,
    pub exceptions: Vec<Exception>,
}

impl Availability {
    /// The whole weekly set, replacing the previous one: refused when two
    /// rules of a weekday overlap or there are more than [`MAX_RULES`].
    pub fn new(
        time_zone: Tz,
        mut rules: Vec<WeeklyRule>,
        exceptions: Vec<Exception>,
    ) -> Result<Self, SchedulingError> {
        if rules.len() > MAX_RULES {
            return Err(SchedulingError::field(
                "rules",
                format!("at most {MAX_RULES} rules"),
            ));
        }
        rules.sort_by_key(|r| (r.weekday.num_days_from_monday(), r.start_minute));
        if let Some(pair) = rules.windows(2).find(|w| w[0].overlaps(&w[1])) {
            return Err(SchedulingError::field(
                "rules",
                format!("two rules of {} overlap", pair[0].weekday),
            ));
        }
        Ok(Self {
            time_zone,
            rules,
            exceptions,
        })
    }

    /// True when the provider has set any hours: a provider without them
    /// keeps free-text scheduling.
    pub fn is_set(&self) -> bool {
        !self.rules.is_empty()
            || self
                .exceptions
                .iter()
                .any(|e| e.kind == ExceptionKind::ExtraHours)
    }
}

/// The IANA zone named `name` (`America/New_York`), or a refusal of `field`.
pub fn parse_time_zone(field: &str, name: &str) -> Result<Tz, SchedulingError> {
    name.parse::<Tz>().map_err(|_| {
        SchedulingError::field(field, "must be an IANA time zone such as America/New_York")
    })
}
