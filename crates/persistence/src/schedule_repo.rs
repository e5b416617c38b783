//! A provider's hours, its services' timing and its cancellation policy
//! (issue 19), and the live holds its free slots avoid.

use async_trait::async_trait;
use chrono::Weekday;
use kernel::{ProviderId, ServiceId, StoreError, Timestamp, UserId};
use scheduling::ports::{
    OfferedTiming, ProviderRef, ScheduleStore, StoredException, StoredSchedule,
};
use scheduling::{
    CancellationPolicy, Exception, ExceptionKind, Hold, TimingDefaults, TimingPatch, WeeklyRule,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder, TransactionTrait,
};

use crate::entities::{
    provider_availability_exceptions as exceptions, provider_availability_rules as rules,
    provider_schedules as schedules, provider_service_timings as timings, provider_services,
    regions, service_providers as sp, slot_holds,
};
use crate::error::store_err;

/// [`ScheduleStore`] over SeaORM.
#[derive(Debug, Clone)]
pub struct SqlScheduleRepository {
    db: DatabaseConnection,
}

impl SqlScheduleRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::backend(format!("stored {what} out of range"))
}

async fn provider_ref(
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

fn weekday(n: i32) -> Result<Weekday, StoreError> {
    u8::try_from(n - 1)
        .ok()
        .and_then(|d| Weekday::try_from(d).ok())
        .ok_or_else(|| corrupt("weekday"))
}

fn minute(n: i32) -> Result<u16, StoreError> {
    u16::try_from(n).map_err(|_| corrupt("minute"))
}

/// A stored policy; an unreadable one is the default.
pub(crate) fn policy_of(row: Option<&schedules::Model>) -> CancellationPolicy {
    let Some(r) = row else {
        return CancellationPolicy::default();
    };
    let num = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
    CancellationPolicy::parse(
        &r.cancellation_policy,
        num(r.cancellation_window_hours),
        num(r.cancellation_fee_bps),
    )
    .unwrap_or_default()
}

fn patch_of(t: &timings::Model) -> TimingPatch {
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

fn col(v: Option<u32>) -> Option<i32> {
    v.and_then(|n| i32::try_from(n).ok())
}

/// The platform's timing defaults from its settings.
pub(crate) async fn defaults(db: &impl ConnectionTrait) -> Result<TimingDefaults, StoreError> {
    let s = crate::quota_read::settings(db).await?;
    let (slot, buffer, notice, horizon) = s.default_timing();
    let num = |v: i64, d: u32| u32::try_from(v).unwrap_or(d);
    let d = TimingDefaults::default();
    Ok(TimingDefaults {
        slot_minutes: num(slot, d.slot_minutes),
        buffer_minutes: num(buffer, d.buffer_minutes),
        min_notice_minutes: num(notice, d.min_notice_minutes),
        horizon_days: num(horizon, d.horizon_days),
    })
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

async fn upsert_head(
    db: &impl ConnectionTrait,
    row: schedules::ActiveModel,
    columns: &[schedules::Column],
) -> Result<(), StoreError> {
    schedules::Entity::insert(row)
        .on_conflict(
            OnConflict::column(schedules::Column::ProviderId)
                .update_columns(columns.iter().copied())
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(store_err)?;
    Ok(())
}

fn head(provider: ProviderId, at: Timestamp) -> schedules::ActiveModel {
    schedules::ActiveModel {
        provider_id: Set(provider.0),
        time_zone: Set(None),
        cancellation_policy: Set(CancellationPolicy::default().as_str().to_owned()),
        cancellation_window_hours: Set(None),
        cancellation_fee_bps: Set(None),
        calendar_token_hash: Set(None),
        updated_at: Set(at),
    }
}

#[async_trait]
impl ScheduleStore for SqlScheduleRepository {
    async fn own_provider(&self, user: UserId) -> Result<Option<ProviderRef>, StoreError> {
        let row = sp::Entity::find()
            .filter(sp::Column::UserId.eq(user.0))
            .filter(sp::Column::IsDeleted.eq(false))
            .one(&self.db)
            .await
            .map_err(store_err)?;
        provider_ref(&self.db, row).await
    }

    async fn live_provider(&self, id: ProviderId) -> Result<Option<ProviderRef>, StoreError> {
        let row = sp::Entity::find_by_id(id.0)
            .filter(crate::liveness::live_provider_expr())
            .one(&self.db)
            .await
            .map_err(store_err)?;
        provider_ref(&self.db, row).await
    }

    async fn schedule(
        &self,
        provider: ProviderId,
        after: Timestamp,
    ) -> Result<StoredSchedule, StoreError> {
        stored_schedule(&self.db, provider, after).await
    }

    async fn replace_rules(
        &self,
        provider: ProviderId,
        time_zone: Option<String>,
        weekly: Vec<WeeklyRule>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        let mut row = head(provider, at);
        row.time_zone = Set(time_zone);
        upsert_head(
            &txn,
            row,
            &[schedules::Column::TimeZone, schedules::Column::UpdatedAt],
        )
        .await?;
        rules::Entity::delete_many()
            .filter(rules::Column::ProviderId.eq(provider.0))
            .exec(&txn)
            .await
            .map_err(store_err)?;
        if !weekly.is_empty() {
            rules::Entity::insert_many(weekly.into_iter().map(|r| rules::ActiveModel {
                id: NotSet,
                provider_id: Set(provider.0),
                weekday: Set(i32::from(r.weekday.number_from_monday() as u8)),
                start_minute: Set(i32::from(r.start_minute)),
                end_minute: Set(i32::from(r.end_minute)),
            }))
            .exec_without_returning(&txn)
            .await
            .map_err(store_err)?;
        }
        txn.commit().await.map_err(store_err)
    }

    async fn add_exception(
        &self,
        provider: ProviderId,
        e: Exception,
        at: Timestamp,
    ) -> Result<i64, StoreError> {
        let saved = exceptions::Entity::insert(exceptions::ActiveModel {
            id: NotSet,
            provider_id: Set(provider.0),
            kind: Set(e.kind.as_str().to_owned()),
            start_at: Set(e.start),
            end_at: Set(e.end),
            reason: Set(e.reason),
            created_at: Set(at),
        })
        .exec(&self.db)
        .await
        .map_err(store_err)?;
        Ok(saved.last_insert_id)
    }

    async fn delete_exception(&self, provider: ProviderId, id: i64) -> Result<(), StoreError> {
        let gone = exceptions::Entity::delete_many()
            .filter(exceptions::Column::Id.eq(id))
            .filter(exceptions::Column::ProviderId.eq(provider.0))
            .exec(&self.db)
            .await
            .map_err(store_err)?;
        if gone.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn timings(
        &self,
        provider: ProviderId,
        only: Option<ServiceId>,
        paused: bool,
    ) -> Result<Vec<OfferedTiming>, StoreError> {
        offered_timings(&self.db, provider, only, paused).await
    }

    async fn set_timing(
        &self,
        provider: ProviderId,
        t: OfferedTiming,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let s = t.set;
        timings::Entity::insert(timings::ActiveModel {
            id: NotSet,
            provider_id: Set(provider.0),
            service_id: Set(t.service_id.0),
            duration_minutes: Set(col(s.duration_minutes)),
            slot_interval_minutes: Set(col(s.slot_interval_minutes)),
            buffer_before_minutes: Set(col(s.buffer_before_minutes)),
            buffer_after_minutes: Set(col(s.buffer_after_minutes)),
            min_notice_minutes: Set(col(s.min_notice_minutes)),
            horizon_days: Set(col(s.horizon_days)),
            updated_at: Set(at),
        })
        .on_conflict(
            OnConflict::columns([timings::Column::ProviderId, timings::Column::ServiceId])
                .update_columns([
                    timings::Column::DurationMinutes,
                    timings::Column::SlotIntervalMinutes,
                    timings::Column::BufferBeforeMinutes,
                    timings::Column::BufferAfterMinutes,
                    timings::Column::MinNoticeMinutes,
                    timings::Column::HorizonDays,
                    timings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(store_err)?;
        Ok(())
    }

    async fn set_policy(
        &self,
        provider: ProviderId,
        policy: CancellationPolicy,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut row = head(provider, at);
        row.cancellation_policy = Set(policy.as_str().to_owned());
        if let CancellationPolicy::Custom {
            window_hours,
            fee_bps,
        } = policy
        {
            row.cancellation_window_hours = Set(col(Some(window_hours)));
            row.cancellation_fee_bps = Set(col(Some(fee_bps)));
        }
        upsert_head(
            &self.db,
            row,
            &[
                schedules::Column::CancellationPolicy,
                schedules::Column::CancellationWindowHours,
                schedules::Column::CancellationFeeBps,
                schedules::Column::UpdatedAt,
            ],
        )
        .await
    }

    async fn busy(
        &self,
        provider: ProviderId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Hold>, StoreError> {
        live_holds(&self.db, provider, from, to).await
    }

    async fn defaults(&self) -> Result<TimingDefaults, StoreError> {
        defaults(&self.db).await
    }
}
