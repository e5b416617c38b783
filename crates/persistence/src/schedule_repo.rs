//! A provider's hours, its services' timing and its cancellation policy
//! (issue 19), and the live holds its free slots avoid.

use async_trait::async_trait;
use kernel::{ProviderId, ServiceId, StoreError, Timestamp, UserId};
use scheduling::ports::{OfferedTiming, ProviderRef, ScheduleStore, StoredSchedule};
use scheduling::{CancellationPolicy, Exception, Hold, TimingDefaults, WeeklyRule};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, TransactionTrait,
};

use crate::entities::{
    provider_availability_exceptions as exceptions, provider_availability_rules as rules,
    provider_schedules as schedules, provider_service_timings as timings, service_providers as sp,
};
use crate::error::store_err;
use crate::schedule_read::{
    col, defaults, live_holds, offered_timings, provider_ref, stored_schedule,
};

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

    async fn set_calendar_token(
        &self,
        provider: ProviderId,
        hash: String,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut row = head(provider, at);
        row.calendar_token_hash = Set(Some(hash));
        upsert_head(
            &self.db,
            row,
            &[
                schedules::Column::CalendarTokenHash,
                schedules::Column::UpdatedAt,
            ],
        )
        .await
    }

    async fn calendar_owner(&self, hash: &str) -> Result<Option<ProviderId>, StoreError> {
        let Some(head) = schedules::Entity::find()
            .filter(schedules::Column::CalendarTokenHash.eq(hash))
            .one(&self.db)
            .await
            .map_err(store_err)?
        else {
            return Ok(None);
        };
        let live = sp::Entity::find_by_id(head.provider_id)
            .filter(sp::Column::IsDeleted.eq(false))
            .one(&self.db)
            .await
            .map_err(store_err)?;
        Ok(live.map(|p| ProviderId(p.id)))
    }

    async fn calendar(
        &self,
        provider: ProviderId,
        since: Timestamp,
    ) -> Result<Vec<scheduling::ports::CalendarEntry>, StoreError> {
        crate::schedule_read::calendar(&self.db, provider, since).await
    }
}
