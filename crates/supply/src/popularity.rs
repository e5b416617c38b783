//! Regional popularity: a service's count in a region is the number of
//! distinct searchers per day, summed over the window's days (one client moves
//! it by at most one a day). Per region, the `top_k` services that a live
//! provider offers there and that have a count of at least `min_searches` are
//! popular; a service nobody offers never is. An admin override per
//! (service, region) wins until cleared. The database computes it in one
//! aggregate statement (see `persistence`); [`select_popular`] is the same rule
//! over plain data, the reference the SQL is tested against.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, TimeZone, Weekday};
use kernel::{ServiceId, Timestamp};

/// Searchers of one service in one region over the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCount {
    pub service_id: ServiceId,
    /// Region code.
    pub region: String,
    /// Distinct searchers per day, summed over the window.
    pub count: i64,
    /// Whether an approved, live provider actively offers it in the region.
    pub offered: bool,
}

/// The (service, region) pairs that are popular: per region, among the offered
/// services ordered by count (descending) then service id, the first `top_k`
/// with `count ≥ min_searches`.
pub fn select_popular(
    counts: &[SearchCount],
    top_k: i64,
    min_searches: i64,
) -> BTreeSet<(ServiceId, String)> {
    let mut by_region: BTreeMap<&str, Vec<&SearchCount>> = BTreeMap::new();
    for c in counts.iter().filter(|c| c.offered) {
        by_region.entry(c.region.as_str()).or_default().push(c);
    }
    let mut popular = BTreeSet::new();
    for (region, mut rows) in by_region {
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.service_id.cmp(&b.service_id)));
        let take = usize::try_from(top_k.max(0)).unwrap_or(usize::MAX);
        for row in rows.into_iter().take(take) {
            if row.count >= min_searches {
                popular.insert((row.service_id, region.to_owned()));
            }
        }
    }
    popular
}

/// The shown value: the override when set, else the computed one.
pub fn effective(computed: bool, admin_override: Option<bool>) -> bool {
    admin_override.unwrap_or(computed)
}

/// When the weekly job runs: a weekday and an hour, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySchedule {
    /// Day of the week.
    pub weekday: Weekday,
    /// Hour of the day, 0–23.
    pub hour: u32,
}

impl WeeklySchedule {
    /// Parses a weekday name (`mon` … `sun`, any case) and an hour.
    pub fn parse(weekday: &str, hour: u32) -> Option<Self> {
        let weekday = weekday.trim().parse::<Weekday>().ok()?;
        (hour < 24).then_some(Self { weekday, hour })
    }

    /// The latest scheduled instant at or before `now`: the run that is due.
    /// Instances agree on it, so it names the run they compete to claim.
    pub fn last_slot(&self, now: Timestamp) -> Timestamp {
        let days_back =
            (7 + now.weekday().num_days_from_monday() - self.weekday.num_days_from_monday()) % 7;
        let day = now.date_naive() - Duration::days(i64::from(days_back));
        let slot =
            chrono::Utc.from_utc_datetime(&day.and_hms_opt(self.hour, 0, 0).unwrap_or_default());
        if slot > now {
            slot - Duration::days(7)
        } else {
            slot
        }
    }
}

/// The counting window ending at `end`.
pub fn window(end: Timestamp, days: i64) -> (Timestamp, Timestamp) {
    (end - Duration::days(days), end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use proptest::prelude::*;

    fn c(service: i64, region: &str, count: i64) -> SearchCount {
        SearchCount {
            service_id: ServiceId(service),
            region: region.into(),
            count,
            offered: true,
        }
    }

    #[test]
    fn a_service_nobody_offers_is_never_popular_and_leaves_its_place() {
        let unoffered = SearchCount {
            offered: false,
            ..c(9, "nyc", 1_000)
        };
        let popular = select_popular(&[unoffered, c(2, "nyc", 3)], 1, 1);
        let expected: BTreeSet<_> = [(ServiceId(2), "nyc".into())].into_iter().collect();
        assert_eq!(popular, expected);
    }

    #[test]
    fn top_k_per_region_above_the_minimum() {
        let counts = [
            c(1, "nyc", 50),
            c(2, "nyc", 40),
            c(3, "nyc", 30),
            c(4, "nyc", 5),
            c(1, "chi", 9),
            c(2, "chi", 10),
        ];
        let popular = select_popular(&counts, 2, 10);
        let expected: BTreeSet<_> = [
            (ServiceId(1), "nyc".into()),
            (ServiceId(2), "nyc".into()),
            (ServiceId(2), "chi".into()),
        ]
        .into_iter()
        .collect();
        assert_eq!(popular, expected);
    }

    #[test]
    fn ties_go_to_the_lower_service_id_and_overrides_win() {
        let popular = select_popular(&[c(7, "nyc", 10), c(3, "nyc", 10)], 1, 1);
        assert!(popular.contains(&(ServiceId(3), "nyc".into())));
        assert!(!effective(true, Some(false)));
        assert!(effective(false, Some(true)));
        assert!(effective(true, None));
    }

    #[test]
    fn the_weekly_slot_is_the_last_scheduled_instant() {
        let s = WeeklySchedule::parse("Mon", 3).unwrap_or(WeeklySchedule {
            weekday: Weekday::Sun,
            hour: 0,
        });
        // Sunday 2026-11-22 11:00 → Monday 2026-11-16 03:00.
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 11, 0, 0)
            .single()
            .unwrap_or_default();
        let expected = chrono::Utc
            .with_ymd_and_hms(2026, 11, 16, 3, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(s.last_slot(now), expected);
        // Monday 02:00 is before that day's slot: the previous week's.
        let early = chrono::Utc
            .with_ymd_and_hms(2026, 11, 23, 2, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(s.last_slot(early), expected);
        assert!(WeeklySchedule::parse("someday", 3).is_none());
        assert!(WeeklySchedule::parse("mon", 24).is_none());
    }

    proptest! {
        #[test]
        fn never_more_than_k_per_region_and_all_above_the_minimum(
            rows in proptest::collection::vec((1i64..20, 0usize..3, 0i64..50), 0..60),
            k in 0i64..6,
            min in 0i64..30,
        ) {
            let regions = ["a", "b", "c"];
            let mut seen = BTreeSet::new();
            let counts: Vec<_> = rows.into_iter()
                .filter(|(s, r, _)| seen.insert((*s, *r)))
                .map(|(s, r, n)| c(s, regions[r], n))
                .collect();
            let popular = select_popular(&counts, k, min);
            for region in regions {
                let n = popular.iter().filter(|(_, r)| r == region).count();
                prop_assert!(n as i64 <= k);
            }
            for (service, region) in &popular {
                let row = counts.iter().find(|x| x.service_id == *service && &x.region == region);
                prop_assert!(row.is_some_and(|x| x.count >= min));
            }
            // A qualifying row left out means its region is full of rows at least as searched.
            for row in counts.iter().filter(|x| x.count >= min) {
                if !popular.contains(&(row.service_id, row.region.clone())) {
                    let better = popular.iter()
                        .filter(|(s, r)| r == &row.region && counts.iter().any(|x| x.service_id == *s && &x.region == r && x.count >= row.count))
                        .count();
                    prop_assert_eq!(better as i64, k);
                }
            }
        }

        #[test]
        fn slots_are_never_after_now_and_less_than_a_week_before(secs in 0i64..4_000_000_000, day in 0u32..7, hour in 0u32..24) {
            let now = chrono::Utc.timestamp_opt(secs, 0).single().unwrap_or_default();
            let weekday = Weekday::try_from(day as u8).unwrap_or(Weekday::Mon);
            let slot = WeeklySchedule { weekday, hour }.last_slot(now);
            prop_assert!(slot <= now && now - slot < Duration::days(7));
            prop_assert_eq!(slot.weekday(), weekday);
            prop_assert_eq!(slot.hour(), hour);
        }
    }
}
