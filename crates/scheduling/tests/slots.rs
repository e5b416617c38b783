//! Free slots against their definition: properties over random weeks, and
//! the DST days of two zones.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;
use scheduling::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn rule(day: Weekday, start: u16, end: u16) -> WeeklyRule {
    WeeklyRule::new("rules[0]", day, start, end).unwrap_or_else(|e| panic!("{e:?}"))
}

fn hourly() -> ServiceTiming {
    ServiceTiming {
        duration_minutes: 60,
        slot_interval_minutes: 60,
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        min_notice_minutes: 0,
        horizon_days: 365,
    }
}

fn every_day(tz: Tz, start: u16, end: u16) -> Availability {
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    Availability::new(
        tz,
        days.iter().map(|d| rule(*d, start, end)).collect(),
        vec![],
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// The local wall-clock start times of the slots of `day` in `tz`.
fn local_starts(
    tz: Tz,
    availability: &Availability,
    timing: &ServiceTiming,
    day: &str,
) -> Vec<(String, i32)> {
    let date: NaiveDate = day.parse().unwrap_or_else(|e| panic!("{e}"));
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| panic!("midnight of {d}"))
    };
    // The local day, 23 or 25 hours long on a change day.
    let from = midnight(date);
    let to = midnight(date.succ_opt().unwrap_or(date));
    let q =
        SlotQuery::new(from, to, from - Duration::days(1), tz).unwrap_or_else(|e| panic!("{e:?}"));
    free_slots(availability, timing, &[], &q)
        .iter()
        .map(|s| {
            (
                s.start.with_timezone(&tz).format("%H:%M").to_string(),
                s.utc_offset.local_minus_utc() / 3600,
            )
        })
        .collect()
}

#[test]
fn working_hours_keep_their_wall_clock_across_dst_in_two_zones() {
    for (zone, spring, autumn, (winter, summer)) in [
        ("America/New_York", "2026-03-08", "2026-11-01", (-5, -4)),
        ("Europe/Berlin", "2026-03-29", "2026-10-25", (1, 2)),
    ] {
        let tz: Tz = zone.parse().unwrap_or_else(|e| panic!("{e}"));
        let days = every_day(tz, 9 * 60, 12 * 60);
        let expected = |offset| {
            ["09:00", "10:00", "11:00"]
                .iter()
                .map(|h| (h.to_string(), offset))
                .collect::<Vec<_>>()
        };
        // Nine to noon local on the change days, each slot with the offset in force.
        assert_eq!(
            local_starts(tz, &days, &hourly(), spring),
            expected(summer),
            "{zone}"
        );
        assert_eq!(
            local_starts(tz, &days, &hourly(), autumn),
            expected(winter),
            "{zone}"
        );
    }
}

#[test]
fn hours_across_the_change_skip_the_gap_and_repeat_the_overlap() {
    let tz: Tz = "America/New_York".parse().unwrap_or_else(|e| panic!("{e}"));
    let night = every_day(tz, 0, 5 * 60);
    // Spring forward at 02:00: 02:xx does not exist; four hours of work.
    let spring = local_starts(tz, &night, &hourly(), "2026-03-08");
    let hours: Vec<&str> = spring.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(hours, ["00:00", "01:00", "03:00", "04:00"]);
    // Fall back at 02:00: 01:xx occurs twice, as two distinct instants.
    let autumn = local_starts(tz, &night, &hourly(), "2026-11-01");
    assert_eq!(
        autumn,
        [
            ("00:00".to_owned(), -4),
            ("01:00".to_owned(), -4),
            ("01:00".to_owned(), -5),
            ("02:00".to_owned(), -5),
            ("03:00".to_owned(), -5),
            ("04:00".to_owned(), -5),
        ]
    );
}

#[test]
fn a_rule_starting_inside_the_gap_starts_when_the_gap_ends() {
    let tz: Tz = "Europe/Berlin".parse().unwrap_or_else(|e| panic!("{e}"));
    let odd = every_day(tz, 2 * 60 + 30, 5 * 60);
    let starts = local_starts(tz, &odd, &hourly(), "2026-03-29");
    let hours: Vec<&str> = starts.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(hours, ["03:00", "04:00"]);
}

#[test]
fn buffers_notice_horizon_exceptions_and_holds_remove_slots() {
    let tz: Tz = "UTC".parse().unwrap_or_else(|e| panic!("{e}"));
    let off = Exception::new(
        ExceptionKind::TimeOff,
        at("2026-06-02T13:00:00Z"),
        at("2026-06-02T14:00:00Z"),
        "dentist",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let extra = Exception::new(
        ExceptionKind::ExtraHours,
        at("2026-06-02T18:00:00Z"),
        at("2026-06-02T19:00:00Z"),
        "evening",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let a = Availability::new(
        tz,
        vec![rule(Weekday::Tue, 9 * 60, 17 * 60)],
        vec![off, extra],
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let timing = ServiceTiming {
        buffer_after_minutes: 30,
        min_notice_minutes: 60,
        ..hourly()
    };
    let now = at("2026-06-02T09:30:00Z");
    let held = Hold::for_slot(at("2026-06-02T15:00:00Z"), &timing);
    let q = SlotQuery::new(
        at("2026-06-02T00:00:00Z"),
        at("2026-06-03T00:00:00Z"),
        now,
        tz,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let hours: Vec<u32> = free_slots(&a, &timing, &[held], &q)
        .iter()
        .map(|s| s.start.hour())
        .collect();
    // 09 and 10 too soon (notice); 12 ends as the time off starts (buffers
    // keep jobs apart, not time off); 13 is off; 14's buffer runs into the
    // hold; 15 is held; 16 starts inside the hold's buffer; 18 is the extra hour.
    assert_eq!(hours, [11, 12, 18]);
}

#[test]
fn a_window_over_31_days_or_backwards_is_refused() {
    let tz: Tz = "UTC".parse().unwrap_or_else(|e| panic!("{e}"));
    let from = at("2026-06-01T00:00:00Z");
    assert!(SlotQuery::new(from, from + Duration::days(31), from, tz).is_ok());
    assert!(
        SlotQuery::new(
            from,
            from + Duration::days(31) + Duration::seconds(1),
            from,
            tz
        )
        .is_err()
    );
    assert!(SlotQuery::new(from, from, from, tz).is_err());
}

#[test]
fn overlapping_rules_of_a_weekday_are_refused() {
    let tz: Tz = "UTC".parse().unwrap_or_else(|e| panic!("{e}"));
    let r = Availability::new(
        tz,
        vec![rule(Weekday::Mon, 540, 720), rule(Weekday::Mon, 700, 800)],
        vec![],
    );
    assert!(matches!(r, Err(SchedulingError::Validation(_))));
    let touching = Availability::new(
        tz,
        vec![rule(Weekday::Mon, 540, 720), rule(Weekday::Mon, 720, 800)],
        vec![],
    );
    assert!(touching.is_ok());
    assert!(WeeklyRule::new("r", Weekday::Mon, 600, 600).is_err());
    assert!(WeeklyRule::new("r", Weekday::Mon, 600, 1441).is_err());
    assert!(parse_time_zone("time_zone", "Mars/Olympus").is_err());
}

const ZONES: [&str; 4] = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
];

fn arb_rules() -> impl Strategy<Value = Vec<(u8, u16, u16)>> {
    prop::collection::vec((0u8..7, 0u16..1440, 1u16..=600), 0..6)
}

fn arb_timing() -> impl Strategy<Value = ServiceTiming> {
    (
        5u32..=240,
        5u32..=240,
        0u32..=60,
        0u32..=60,
        0u32..=3000,
        1u32..=60,
    )
        .prop_map(
            |(duration, interval, before, after, notice, horizon)| ServiceTiming {
                duration_minutes: duration,
                slot_interval_minutes: interval,
                buffer_before_minutes: before,
                buffer_after_minutes: after,
                min_notice_minutes: notice,
                horizon_days: horizon,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every slot lies in the hours (wall clock of the zone, or extra
    /// hours), outside time off, clear of every hold with its buffers,
    /// after the notice and within the horizon and the window; slots are
    /// distinct and in order; and a slot held becomes unavailable.
    #[test]
    fn slots_keep_every_rule(
        zone in 0usize..ZONES.len(),
        rules in arb_rules(),
        timing in arb_timing(),
        start_day in 0i64..400,
        span_hours in 1i64..(24 * 31),
        now_shift in -48i64..48,
        off in prop::option::of((0i64..(24 * 31), 1i64..48)),
        holds in prop::collection::vec((0i64..(24 * 31 * 4), 1i64..16), 0..6),
    ) {
        let tz: Tz = ZONES[zone].parse().unwrap_or_else(|e| panic!("{e}"));
        let day = |d: u8| [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun][usize::from(d)];
        let mut weekly: Vec<WeeklyRule> = Vec::new();
        for (d, start, len) in rules {
            let end = (start + len).min(1440);
            let Ok(r) = WeeklyRule::new("r", day(d), start, end) else { continue };
            if weekly.iter().all(|w| w.weekday != r.weekday || w.end_minute <= r.start_minute || r.end_minute <= w.start_minute) {
                weekly.push(r);
            }
        }
        let from = at("2026-01-01T00:00:00Z") + Duration::days(start_day);
        let to = from + Duration::hours(span_hours);
        let exceptions: Vec<Exception> = off
            .map(|(h, len)| Exception::new(ExceptionKind::TimeOff, from + Duration::hours(h), from + Duration::hours(h + len), "off"))
            .into_iter()
            .flatten()
            .collect();
        let a = Availability::new(tz, weekly.clone(), exceptions.clone()).unwrap_or_else(|e| panic!("{e:?}"));
        let busy: Vec<Hold> = holds
            .iter()
            .map(|(q, len)| Hold { start: from + Duration::minutes(q * 15), end: from + Duration::minutes((q + len) * 15) })
            .collect();
        let now = from + Duration::hours(now_shift);
        let q = SlotQuery::new(from, to, now, tz).unwrap_or_else(|e| panic!("{e:?}"));
        let slots = free_slots(&a, &timing, &busy, &q);

        let minutes = |m: u32| Duration::minutes(i64::from(m));
        for pair in slots.windows(2) {
            prop_assert!(pair[0].start < pair[1].start);
        }
        for s in &slots {
            prop_assert_eq!(s.end - s.start, minutes(timing.duration_minutes));
            prop_assert!(s.start >= from && s.start < to);
            prop_assert!(s.start >= now + minutes(timing.min_notice_minutes));
            prop_assert!(s.start <= now + Duration::days(i64::from(timing.horizon_days)));
            let blocked = Hold::for_slot(s.start, &timing);
            prop_assert!(busy.iter().all(|h| !h.overlaps(&blocked)));
            for e in &exceptions {
                prop_assert!(s.end <= e.start || e.end <= s.start);
            }
            // Inside one rule's wall-clock hours: every minute of the slot
            // falls on a weekday and time some rule covers.
            let mut t = s.start;
            while t < s.end {
                let local = t.with_timezone(&tz);
                let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(u16::MAX);
                let covered = weekly.iter().any(|r| {
                    r.weekday == chrono::Datelike::weekday(&local)
                        && r.start_minute <= minute
                        && minute < r.end_minute
                });
                // In a fall-back hour the wall clock names two instants;
                // only unambiguous minutes can be judged by it.
                let ambiguous = matches!(
                    tz.from_local_datetime(&local.naive_local()),
                    chrono::LocalResult::Ambiguous(..)
                );
                prop_assert!(covered || ambiguous, "{} local {} not in any rule", t, local);
                t += Duration::minutes(1);
            }
            prop_assert_eq!(s.utc_offset, chrono::Offset::fix(&tz.offset_from_utc_datetime(&s.start.naive_utc())));
        }
        // Holding a free slot takes it, and every slot it overlaps, away.
        if let Some(first) = slots.first() {
            let mut more = busy.clone();
            more.push(Hold::for_slot(first.start, &timing));
            let after = free_slots(&a, &timing, &more, &q);
            prop_assert!(after.iter().all(|s| s.start != first.start));
            let taken = Hold::for_slot(first.start, &timing);
            prop_assert!(after.iter().all(|s| !Hold::for_slot(s.start, &timing).overlaps(&taken)));
        }
    }
}

#[test]
fn a_timing_patch_keeps_what_it_omits_and_refuses_every_field_out_of_range() {
    let base = ServiceTiming::from_defaults(TimingDefaults::default());
    assert_eq!(
        (
            base.duration_minutes,
            base.slot_interval_minutes,
            base.min_notice_minutes,
            base.horizon_days
        ),
        (60, 60, 120, 60)
    );
    let longer = base
        .patched(TimingPatch {
            duration_minutes: Some(90),
            ..TimingPatch::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        longer,
        ServiceTiming {
            duration_minutes: 90,
            ..base
        }
    );
    let refused = base.patched(TimingPatch {
        duration_minutes: Some(4),
        horizon_days: Some(366),
        buffer_after_minutes: Some(721),
        ..TimingPatch::default()
    });
    let Err(SchedulingError::Validation(fields)) = refused else {
        panic!("{refused:?}");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        names,
        ["duration_minutes", "buffer_after_minutes", "horizon_days"]
    );
}
