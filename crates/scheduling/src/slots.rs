//! Free slots: the weekly rules and extra hours, less time off, held and
//! booked ranges (buffers included), minimum notice and the horizon.
//!
//! Hours are wall-clock times of the provider's zone, turned into instants
//! day by day, so a 09:00–17:00 rule is 09:00–17:00 local on both sides of a
//! DST change. A wall-clock time that does not exist (spring forward) starts
//! at the first minute after the gap; one that occurs twice (fall back) takes
//! its first occurrence as a start and its second as an end. Within a range,
//! slots step by elapsed minutes from its start, so across a change they are
//! distinct instants, each shown with the offset in force at that instant.

use chrono::{Duration, FixedOffset, LocalResult, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use kernel::Timestamp;

use crate::availability::{Availability, ExceptionKind, MINUTES_PER_DAY};
use crate::{SchedulingError, ServiceTiming};

/// The widest window one query may ask about.
pub const MAX_WINDOW_DAYS: i64 = 31;

/// What a caller asks: slots starting in `[from, to)`, as seen at `now`,
/// shown in `display`'s offsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub now: Timestamp,
    pub display: Tz,
}

impl SlotQuery {
    /// A query over at most [`MAX_WINDOW_DAYS`].
    pub fn new(
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
        display: Tz,
    ) -> Result<Self, SchedulingError> {
        if to <= from {
            return Err(SchedulingError::field("to", "must be after from"));
        }
        if to - from > Duration::days(MAX_WINDOW_DAYS) {
            return Err(SchedulingError::field(
                "to",
                format!("at most {MAX_WINDOW_DAYS} days after from"),
            ));
        }
        Ok(Self {
            from,
            to,
            now,
            display,
        })
    }
}

/// A bookable slot, `[start, end)`, with the display zone's offset at `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
    pub utc_offset: FixedOffset,
}

/// The range a held or booked slot blocks, its buffers included: two live
/// holds of one provider never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Hold {
    /// What booking the slot starting at `start` blocks under `timing`.
    pub fn for_slot(start: Timestamp, timing: &ServiceTiming) -> Self {
        let minutes = |m: u32| Duration::minutes(i64::from(m));
        Self {
            start: start - minutes(timing.buffer_before_minutes),
            end: start + minutes(timing.duration_minutes) + minutes(timing.buffer_after_minutes),
        }
    }

    /// True when the two share an instant (`[start, end)` ranges).
    pub fn overlaps(&self, other: &Hold) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The free slots of `availability` for a service of `timing`, given the
/// provider's live holds and bookings, in start order.
pub fn free_slots(
    availability: &Availability,
    timing: &ServiceTiming,
    busy: &[Hold],
    q: &SlotQuery,
) -> Vec<Slot> {
    let duration = Duration::minutes(i64::from(timing.duration_minutes));
    let step = Duration::minutes(i64::from(timing.slot_interval_minutes.max(1)));
    let earliest = q
        .from
        .max(q.now + Duration::minutes(i64::from(timing.min_notice_minutes)));
    let latest =
        q.to.min(q.now + Duration::days(i64::from(timing.horizon_days)) + Duration::seconds(1));
    let blocked = Busy::new(busy);
    let mut slots = Vec::new();
    for (open, close) in open_ranges(
        availability,
        q.from - Duration::days(1),
        q.to + Duration::days(1),
    ) {
        let mut start = open;
        while start + duration <= close {
            if start >= earliest && start < latest && !blocked.hits(Hold::for_slot(start, timing)) {
                slots.push(Slot {
                    start,
                    end: start + duration,
                    utc_offset: q.display.offset_from_utc_datetime(&start.naive_utc()).fix(),
                });
            }
            start += step;
        }
    }
    slots
}

/// The bookable ranges overlapping `[from, to)`: the rules' days and the
/// extra hours, merged, less the time off; sorted and disjoint.
fn open_ranges(a: &Availability, from: Timestamp, to: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let tz = a.time_zone;
    let mut ranges = Vec::new();
    let first = from.with_timezone(&tz).date_naive();
    let last = to.with_timezone(&tz).date_naive();
    let mut day = first;
    while day <= last {
        for rule in a
            .rules
            .iter()
            .filter(|r| r.weekday == chrono::Datelike::weekday(&day))
        {
            let open = instant(tz, day, rule.start_minute, false);
            let close = instant(tz, day, rule.end_minute, true);
            if open < close {
                ranges.push((open, close));
            }
        }
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    for e in &a.exceptions {
        if e.kind == ExceptionKind::ExtraHours && e.start < to && from < e.end {
            ranges.push((e.start, e.end));
        }
    }
    let mut merged = merge(ranges);
    for e in a
        .exceptions
        .iter()
        .filter(|e| e.kind == ExceptionKind::TimeOff)
    {
        merged = merged
            .into_iter()
            .flat_map(|(open, close)| {
                let mut left = Vec::with_capacity(2);
                if e.end <= open || close <= e.start {
                    left.push((open, close));
                } else {
                    if open < e.start {
                        left.push((open, e.start));
                    }
                    if e.end < close {
                        left.push((e.end, close));
                    }
                }
                left
            })
            .collect();
    }
    merged
}

/// Sorted, with overlapping or touching ranges joined.
fn merge(mut ranges: Vec<(Timestamp, Timestamp)>) -> Vec<(Timestamp, Timestamp)> {
    ranges.sort();
    let mut out: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(ranges.len());
    for (open, close) in ranges {
        match out.last_mut() {
            Some(last) if open <= last.1 => last.1 = last.1.max(close),
            _ => out.push((open, close)),
        }
    }
    out
}

/// `[from_minute, to_minute)` of `day`, wall-clock in `tz`, as instants (a
/// time in a spring-forward gap is the first minute after it; one that
/// occurs twice is its first occurrence as a start, its second as an end).
pub fn local_window(
    tz: Tz,
    day: NaiveDate,
    from_minute: u16,
    to_minute: u16,
) -> (Timestamp, Timestamp) {
    (
        instant(tz, day, from_minute, false),
        instant(tz, day, to_minute, true),
    )
}

/// The instant of wall-clock `minute` on `day` in `tz` (1440 is the next
/// day's midnight). In a spring-forward gap: the first minute after it. In a
/// fall-back overlap: the first occurrence, or the second when `late`.
fn instant(tz: Tz, day: NaiveDate, minute: u16, late: bool) -> Timestamp {
    let (day, minute) = if minute >= MINUTES_PER_DAY {
        (day.succ_opt().unwrap_or(day), 0)
    } else {
        (day, minute)
    };
    let wall = day.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(minute));
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => {
            if late { second } else { first }.with_timezone(&Utc)
        }
        LocalResult::None => (1..=24 * 60)
            .find_map(|m| {
                tz.from_local_datetime(&(wall + Duration::minutes(m)))
                    .earliest()
            })
            .map_or_else(|| Utc.from_utc_datetime(&wall), |t| t.with_timezone(&Utc)),
    }
}

/// Held and booked ranges, sorted, answering "does this range hit one?" in
/// logarithmic time whatever their overlaps.
#[derive(Debug)]
struct Busy {
    starts: Vec<Timestamp>,
    /// The latest end among the ranges up to each index.
    reach: Vec<Timestamp>,
}

impl Busy {
    fn new(busy: &[Hold]) -> Self {
        let mut sorted = busy.to_vec();
        sorted.sort_by_key(|h| h.start);
        let mut reach = Vec::with_capacity(sorted.len());
        for h in &sorted {
            let furthest = reach.last().map_or(h.end, |r: &Timestamp| (*r).max(h.end));
            reach.push(furthest);
        }
        Self {
            starts: sorted.iter().map(|h| h.start).collect(),
            reach,
        }
    }

    fn hits(&self, range: Hold) -> bool {
        // Ranges starting before `range` ends; one of them must end after it starts.
        let before_end = self.starts.partition_point(|s| *s < range.end);
        before_end
            .checked_sub(1)
            .and_then(|i| self.reach.get(i))
            .is_some_and(|end| *end > range.start)
    }
}
