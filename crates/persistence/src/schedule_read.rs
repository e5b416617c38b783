//! What the scheduling tables say, as the slot rules and booking read it.

use chrono::Weekday;
use kernel::{ProviderId, ServiceId, StoreError, Timestamp};
use scheduling::ports::{OfferedTiming, ProviderRef, StoredException, StoredSchedule};
use scheduling::{
    CancellationPolicy, Exception, ExceptionKind, Hold, TimingDefaults, TimingPatch, WeeklyRule,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{
    provider_availability_exceptions as exceptions, provider_availability_rules as rules,
    provider_schedules as schedules, provider_service_timings as timings, provider_services,
    regions, service_providers as sp, slot_holds,
};
use crate::error::store_err;

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::backend(format!("stored {what} out of range"))
}

pub(crate) async fn provider_ref(
    db: &impl ConnectionTrait,
    row: Option<sp::Model>,
) -> Result<Option<ProviderRef>, StoreError> {
    let Some(p) = row else { return Ok(None) };
    let zone = regions::Entity::find_by_id(p.region_code.clone())
        .one(db)
        .await
        .map_err(store_err)?
        .map_or_else(|| "UTC".to_owned(), |r| r.time_zone);
    Ok(Some(ProviderRef {
        id: ProviderId(p.id),
        status: p.status,
        region_time_zone: zone,
    }))
}

pub(crate) fn weekday(n: i32) -> Result<Weekday, StoreError> {
    u8::try_from(n - 1)
        .ok()
        .and_then(|d| Weekday::try_from(d).ok())
        .ok_or_else(|| corrupt("weekday"))
}

pub(crate) fn minute(n: i32) -> Result<u16, StoreError> {
    u16::try_from(n).map_err(|_| corrupt("minute"))
}

/// A stored policy; an unreadable one is the default.
pub(crate) fn policy_of(row: Option<&schedules::Model>) -> CancellationPolicy {
    row.and_then(|r| {
        parse_policy(
            Some(&r.cancellation_policy),
            r.cancellation_window_hours,
            r.cancellation_fee_bps,
        )
    })
    .unwrap_or_default()
}

/// A policy from its three columns (`None` when there is none or it does not read).
pub(crate) fn parse_policy(
    name: Option<&str>,
    window_hours: Option<i32>,
    fee_bps: Option<i32>,
) -> Option<CancellationPolicy> {
    let num = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
    CancellationPolicy::parse(name?, num(window_hours), num(fee_bps)).ok()
}

/// A policy's three columns: its name, and a custom one's numbers.
pub(crate) fn policy_columns(p: CancellationPolicy) -> (String, Option<i32>, Option<i32>) {
    match p {
        CancellationPolicy::Custom {
            window_hours,
            fee_bps,
        } => (
            p.as_str().to_owned(),
            col(Some(window_hours)),
            col(Some(fee_bps)),
        ),
        named => (named.as_str().to_owned(), None, None),
    }
}

pub(crate) fn patch_of(t: &timings::Model) -> TimingPatch {
    let num = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
    TimingPatch {
        duration_minutes: num(t.duration_minutes),
        slot_interval_minutes: num(t.slot_interval_minutes),
        buffer_before_minutes: num(t.buffer_before_minutes),
        buffer_after_minutes: num(t.buffer_after_minutes),
        min_notice_minutes: num(t.min_notice_minutes),
        horizon_days: num(t.horizon_days),
    }
}

pub(crate) fn col(v: Option<u32>) -> Option<i32> {
    v.and_then(|n| i32::try_from(n).ok())
}

/// The platform's timing defaults from its settings.
pub(crate) async fn defaults(db: &impl ConnectionTrait) -> Result<TimingDefaults, StoreError> {
    let s = crate::quota_read::settings(db).await?;
    Ok(timing_defaults(&s))
}

/// The timing defaults of these settings.
pub(crate) fn timing_defaults(s: &effects::PlatformSettings) -> TimingDefaults {
    let (slot, buffer, notice, horizon) = s.default_timing();
    let num = |v: i64, d: u32| u32::try_from(v).unwrap_or(d);
    let d = TimingDefaults::default();
    TimingDefaults {
        slot_minutes: num(slot, d.slot_minutes),
        buffer_minutes: num(buffer, d.buffer_minutes),
        min_notice_minutes: num(notice, d.min_notice_minutes),
        horizon_days: num(horizon, d.horizon_days),
    }
}

/// The stored hours of `provider`, with the exceptions ending after `after`.
pub(crate) async fn stored_schedule(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    after: Timestamp,
) -> Result<StoredSchedule, StoreError> {
    let head = schedules::Entity::find_by_id(provider.0)
        .one(db)
        .await
        .map_err(store_err)?;
    let weekly = rules::Entity::find()
        .filter(rules::Column::ProviderId.eq(provider.0))
        .order_by_asc(rules::Column::Weekday)
        .order_by_asc(rules::Column::StartMinute)
        .all(db)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|r| {
            Ok(WeeklyRule {
                weekday: weekday(r.weekday)?,
                start_minute: minute(r.start_minute)?,
                end_minute: minute(r.end_minute)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let dated = exceptions::Entity::find()
        .filter(exceptions::Column::ProviderId.eq(provider.0))
        .filter(exceptions::Column::EndAt.gt(after))
        .order_by_asc(exceptions::Column::StartAt)
        .order_by_asc(exceptions::Column::Id)
        .all(db)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|e| {
            Ok(StoredException {
                id: e.id,
                exception: Exception {
                    kind: ExceptionKind::parse(&e.kind).ok_or_else(|| corrupt("kind"))?,
                    start: e.start_at,
                    end: e.end_at,
                    reason: e.reason,
                },
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(StoredSchedule {
        time_zone: head.as_ref().and_then(|h| h.time_zone.clone()),
        rules: weekly,
        exceptions: dated,
        policy: policy_of(head.as_ref()),
    })
}

/// The timing set for the provider's active offered services.
pub(crate) async fn offered_timings(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    only: Option<ServiceId>,
    paused: bool,
) -> Result<Vec<OfferedTiming>, StoreError> {
    let mut offered = provider_services::Entity::find()
        .filter(provider_services::Column::ProviderId.eq(provider.0));
    if !paused {
        offered = offered.filter(provider_services::Column::IsActive.eq(true));
    }
    if let Some(s) = only {
        offered = offered.filter(provider_services::Column::ServiceId.eq(s.0));
    }
    let offered = offered
        .order_by_asc(provider_services::Column::ServiceId)
        .all(db)
        .await
        .map_err(store_err)?;
    let mut set = timings::Entity::find().filter(timings::Column::ProviderId.eq(provider.0));
    if let Some(s) = only {
        set = set.filter(timings::Column::ServiceId.eq(s.0));
    }
    let set = set.all(db).await.map_err(store_err)?;
    Ok(offered
        .into_iter()
        .map(|o| OfferedTiming {
            service_id: ServiceId(o.service_id),
            set: set
                .iter()
                .find(|t| t.service_id == o.service_id)
                .map(patch_of)
                .unwrap_or_default(),
        })
        .collect())
}

/// The provider's live holds and bookings ending after `since`, by start.
pub(crate) async fn calendar(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    since: Timestamp,
) -> Result<Vec<scheduling::ports::CalendarEntry>, StoreError> {
    Ok(slot_holds::Entity::find()
        .filter(slot_holds::Column::ProviderId.eq(provider.0))
        .filter(slot_holds::Column::ReleasedAt.is_null())
        .filter(slot_holds::Column::Kind.is_in(["hold", "booking"]))
        .filter(slot_holds::Column::EndAt.gt(since))
        .order_by_asc(slot_holds::Column::StartAt)
        .all(db)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|h| scheduling::ports::CalendarEntry {
            job_id: h.job_id,
            booked: h.kind == "booking",
            slot_start: h.slot_start,
            start: h.start_at,
            end: h.end_at,
        })
        .collect())
}

/// The provider's live holds overlapping `[from, to)`.
pub(crate) async fn live_holds(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Hold>, StoreError> {
    Ok(slot_holds::Entity::find()
        .filter(slot_holds::Column::ProviderId.eq(provider.0))
        .filter(slot_holds::Column::ReleasedAt.is_null())
        .filter(slot_holds::Column::StartAt.lt(to))
        .filter(slot_holds::Column::EndAt.gt(from))
        .all(db)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|h| Hold {
            start: h.start_at,
            end: h.end_at,
        })
        .collect())
}

/// A provider's hours (exceptions ending after `after`) and one service's
/// timing in force, as booking reads them.
pub(crate) async fn booking_schedule(
    db: &impl ConnectionTrait,
    provider: ProviderId,
    service: ServiceId,
    after: Timestamp,
) -> Result<jobs::slots::BookingSchedule, StoreError> {
    let row = sp::Entity::find_by_id(provider.0)
        .one(db)
        .await
        .map_err(store_err)?;
    let p = provider_ref(db, row).await?.ok_or(StoreError::NotFound)?;
    let stored = stored_schedule(db, provider, after).await?;
    let zone = scheduling::service::zone_of(stored.time_zone.as_deref(), &p.region_time_zone);
    let set = offered_timings(db, provider, Some(service), false)
        .await?
        .into_iter()
        .next()
        .map(|t| t.set)
        .unwrap_or_default();
    let timing = scheduling::service::timing_in_force(defaults(db).await?, set);
    let availability = scheduling::service::availability_of(zone, stored)
        .map_err(|e| StoreError::backend(format!("stored hours refused: {e}")))?;
    Ok(jobs::slots::BookingSchedule {
        policy: policy_of(
            schedules::Entity::find_by_id(provider.0)
                .one(db)
                .await
                .map_err(store_err)?
                .as_ref(),
        ),
        availability,
        timing,
    })
}
