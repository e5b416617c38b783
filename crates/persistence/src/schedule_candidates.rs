//! What a search by availability reads of the scheduling tables: every
//! candidate's hours in a few batched reads.

use kernel::{ProviderId, ServiceId, StoreError, Timestamp};
use scheduling::ports::{StoredException, StoredSchedule};
use scheduling::{CancellationPolicy, Exception, ExceptionKind, Hold, WeeklyRule};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::{
    provider_availability_exceptions as exceptions, provider_availability_rules as rules,
    provider_schedules as schedules, provider_service_timings as timings, provider_services,
    regions, service_providers as sp, slot_holds,
};
use crate::error::store_err;
use crate::schedule_read::{corrupt, defaults, minute, patch_of, weekday};

/// The hours of the live providers of `region` actively offering `service`
/// that set any, each with the service's timing and its live ranges around
/// `[from, to)` — what a search by availability filters (a few batched
/// reads, whatever the number of providers).
pub(crate) async fn candidates(
    db: &impl ConnectionTrait,
    service: ServiceId,
    region: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<supply::ports::CandidateSchedule>, StoreError> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::Query;
    let offering = Query::select()
        .column(provider_services::Column::ProviderId)
        .from(provider_services::Entity)
        .and_where(provider_services::Column::ServiceId.eq(service.0))
        .and_where(provider_services::Column::IsActive.eq(true))
        .to_owned();
    let ids: Vec<i64> = sp::Entity::find()
        .select_only()
        .column(sp::Column::Id)
        .filter(sp::Column::RegionCode.eq(region))
        .filter(crate::liveness::live_provider_expr())
        .filter(sp::Column::Id.in_subquery(offering))
        .into_tuple::<i64>()
        .all(db)
        .await
        .map_err(store_err)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let region_zone = regions::Entity::find_by_id(region.to_owned())
        .one(db)
        .await
        .map_err(store_err)?
        .map_or_else(|| "UTC".to_owned(), |r| r.time_zone);
    let margin = chrono::Duration::days(2);
    let heads = schedules::Entity::find()
        .filter(schedules::Column::ProviderId.is_in(ids.clone()))
        .all(db)
        .await
        .map_err(store_err)?;
    let weekly = rules::Entity::find()
        .filter(rules::Column::ProviderId.is_in(ids.clone()))
        .all(db)
        .await
        .map_err(store_err)?;
    let dated = exceptions::Entity::find()
        .filter(exceptions::Column::ProviderId.is_in(ids.clone()))
        .filter(exceptions::Column::EndAt.gt(from - margin))
        .filter(exceptions::Column::StartAt.lt(to + margin))
        .all(db)
        .await
        .map_err(store_err)?;
    let set = timings::Entity::find()
        .filter(timings::Column::ProviderId.is_in(ids.clone()))
        .filter(timings::Column::ServiceId.eq(service.0))
        .all(db)
        .await
        .map_err(store_err)?;
    let held = slot_holds::Entity::find()
        .filter(slot_holds::Column::ProviderId.is_in(ids.clone()))
        .filter(slot_holds::Column::ReleasedAt.is_null())
        .filter(slot_holds::Column::StartAt.lt(to + margin))
        .filter(slot_holds::Column::EndAt.gt(from - margin))
        .all(db)
        .await
        .map_err(store_err)?;
    let defaults = defaults(db).await?;
    let mut out = Vec::new();
    for id in ids {
        let own = heads
            .iter()
            .find(|h| h.provider_id == id)
            .and_then(|h| h.time_zone.clone());
        let stored = StoredSchedule {
            time_zone: own.clone(),
            rules: weekly
                .iter()
                .filter(|r| r.provider_id == id)
                .map(|r| {
                    Ok(WeeklyRule {
                        weekday: weekday(r.weekday)?,
                        start_minute: minute(r.start_minute)?,
                        end_minute: minute(r.end_minute)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?,
            exceptions: dated
                .iter()
                .filter(|e| e.provider_id == id)
                .map(|e| {
                    Ok(StoredException {
                        id: e.id,
                        exception: Exception {
                            kind: ExceptionKind::parse(&e.kind).ok_or_else(|| corrupt("kind"))?,
                            start: e.start_at,
                            end: e.end_at,
                            reason: e.reason.clone(),
                        },
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?,
            policy: CancellationPolicy::default(),
        };
        let zone = scheduling::service::zone_of(own.as_deref(), &region_zone);
        let Ok(availability) = scheduling::service::availability_of(zone, stored) else {
            continue;
        };
        if !availability.is_set() {
            continue;
        }
        let patch = set
            .iter()
            .find(|t| t.provider_id == id)
            .map(patch_of)
            .unwrap_or_default();
        out.push(supply::ports::CandidateSchedule {
            provider_id: ProviderId(id),
            availability,
            timing: scheduling::service::timing_in_force(defaults, patch),
            busy: held
                .iter()
                .filter(|h| h.provider_id == id)
                .map(|h| Hold {
                    start: h.start_at,
                    end: h.end_at,
                })
                .collect(),
        });
    }
    Ok(out)
}
