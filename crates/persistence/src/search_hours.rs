//! A search by availability's statement: the ranked page of
//! [`crate::search_repo`] with each provider's hours, timing, exceptions
//! and live holds after its card, so that the use case computes free slots
//! from one round trip.

use kernel::{StoreError, Timestamp};
use scheduling::{Exception, ExceptionKind, Hold, TimingDefaults, TimingPatch, WeeklyRule};
use sea_orm::DbBackend;
use supply::ports::CandidateHours;

use crate::error::store_err;
use crate::search_repo::{POLICY_COLUMNS, card, search_sql};

/// [`search_sql`] with each provider's hours after its card: its own zone,
/// its timing of the service, its weekly rules, and its exceptions and live
/// holds overlapping a bound range (each a JSON array, instants as Unix
/// seconds), and the platform's four timing defaults (as JSON text). Binds
/// after the page's: the range's end and start twice (holds, exceptions),
/// then the service again.
pub(crate) fn hours_sql(backend: DbBackend) -> String {
    let pg = backend == DbBackend::Postgres;
    let agg = |items: &str| {
        if pg {
            format!("CAST(json_agg(json_build_array({items})) AS TEXT)")
        } else {
            format!("json_group_array(json_array({items}))")
        }
    };
    let secs = |col: &str| {
        if pg {
            format!("CAST(extract(epoch FROM {col}) AS bigint)")
        } else {
            format!("CAST(strftime('%s', {col}) AS INTEGER)")
        }
    };
    let rules = agg("r.weekday, r.start_minute, r.end_minute");
    let held = agg(&format!("{}, {}", secs("h.start_at"), secs("h.end_at")));
    let off = agg(&format!(
        "e.kind, {}, {}",
        secs("e.start_at"),
        secs("e.end_at")
    ));
    let defaults: Vec<String> = effects::TIMING_KEYS
        .iter()
        .map(|key| {
            format!(
                "(SELECT CAST(value AS TEXT) FROM platform_settings WHERE key = '{key}') AS \"{key}\""
            )
        })
        .collect();
    let columns = format!(
        "s.time_zone AS own_zone, t.duration_minutes, t.slot_interval_minutes, \
         t.buffer_before_minutes, t.buffer_after_minutes, t.min_notice_minutes, t.horizon_days,
         (SELECT {rules} FROM provider_availability_rules r WHERE r.provider_id = g.id) AS rules,
         (SELECT {held} FROM slot_holds h WHERE h.provider_id = g.id AND h.released_at IS NULL
             AND h.start_at < ? AND h.end_at > ?) AS held,
         (SELECT {off} FROM provider_availability_exceptions e WHERE e.provider_id = g.id
             AND e.start_at < ? AND e.end_at > ?) AS off,
         {defaults}",
        defaults = defaults.join(", ")
    );
    search_sql()
        .replacen(
            &format!("{POLICY_COLUMNS}\n"),
            &format!("{POLICY_COLUMNS}, {columns}\n"),
            1,
        )
        .replacen(
            "LEFT JOIN provider_schedules s ON s.provider_id = g.id",
            "LEFT JOIN provider_schedules s ON s.provider_id = g.id
        LEFT JOIN provider_service_timings t ON t.provider_id = g.id AND t.service_id = ?",
            1,
        )
}

/// A candidate with its hours from a row of [`hours_sql`].
pub(crate) fn candidate_hours(row: &sea_orm::QueryResult) -> Result<CandidateHours, StoreError> {
    let num = |col: &str| -> Result<Option<u32>, StoreError> {
        Ok(row
            .try_get::<Option<i32>>("", col)
            .map_err(store_err)?
            .and_then(|n| u32::try_from(n).ok()))
    };
    let rules: Vec<(i32, i32, i32)> = json_list(row, "rules")?;
    let held: Vec<(i64, i64)> = json_list(row, "held")?;
    let off: Vec<(String, i64, i64)> = json_list(row, "off")?;
    Ok(CandidateHours {
        card: card(row)?,
        time_zone: row
            .try_get::<Option<String>>("", "own_zone")
            .map_err(store_err)?,
        rules: rules
            .into_iter()
            .map(|(day, start, end)| {
                Ok(WeeklyRule {
                    weekday: crate::schedule_read::weekday(day)?,
                    start_minute: crate::schedule_read::minute(start)?,
                    end_minute: crate::schedule_read::minute(end)?,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        exceptions: off
            .into_iter()
            .map(|(kind, start, end)| {
                Ok(Exception {
                    kind: ExceptionKind::parse(&kind)
                        .ok_or_else(|| crate::schedule_read::corrupt("kind"))?,
                    start: instant(start)?,
                    end: instant(end)?,
                    reason: String::new(),
                })
            })
            .collect::<Result<_, StoreError>>()?,
        timing: TimingPatch {
            duration_minutes: num("duration_minutes")?,
            slot_interval_minutes: num("slot_interval_minutes")?,
            buffer_before_minutes: num("buffer_before_minutes")?,
            buffer_after_minutes: num("buffer_after_minutes")?,
            min_notice_minutes: num("min_notice_minutes")?,
            horizon_days: num("horizon_days")?,
        },
        busy: held
            .into_iter()
            .map(|(start, end)| {
                Ok(Hold {
                    start: instant(start)?,
                    end: instant(end)?,
                })
            })
            .collect::<Result<_, StoreError>>()?,
    })
}

/// A JSON array column (null: empty).
fn json_list<T: serde::de::DeserializeOwned>(
    row: &sea_orm::QueryResult,
    col: &str,
) -> Result<Vec<T>, StoreError> {
    match row.try_get::<Option<String>>("", col).map_err(store_err)? {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|_| crate::schedule_read::corrupt(col)),
    }
}

/// An instant from Unix seconds.
fn instant(secs: i64) -> Result<Timestamp, StoreError> {
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| crate::schedule_read::corrupt("instant"))
}

/// The platform's timing defaults from the four settings columns.
pub(crate) fn timing_defaults(row: &sea_orm::QueryResult) -> Result<TimingDefaults, StoreError> {
    let mut stored = Vec::new();
    for key in effects::TIMING_KEYS {
        if let Some(text) = row.try_get::<Option<String>>("", key).map_err(store_err)?
            && let Ok(value) = serde_json::from_str(&text)
        {
            stored.push((key.to_owned(), value));
        }
    }
    Ok(crate::schedule_read::timing_defaults(
        &effects::PlatformSettings::from_stored(&stored),
    ))
}
