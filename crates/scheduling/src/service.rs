//! The scheduling use cases: a provider sets its hours, its services' timing
//! and its cancellation policy; anyone reads a live provider's free slots.

use std::sync::Arc;

use chrono::Duration;
use chrono_tz::Tz;
use kernel::{Clock, Ctx, ProviderId, ServiceId, StoreError, Timestamp};

use crate::availability::{Availability, Exception, ExceptionKind, WeeklyRule};
use crate::cancellation::CancellationPolicy;
use crate::ports::{OfferedTiming, ProviderRef, ScheduleStore, StoredException, StoredSchedule};
use crate::slots::{Slot, SlotQuery, free_slots};
use crate::timing::{ServiceTiming, TimingDefaults, TimingPatch};
use crate::{SchedulingError, parse_time_zone};

/// Exceptions not yet over a provider may keep (every slot query reads them).
pub const MAX_OPEN_EXCEPTIONS: usize = 200;

/// How far back the calendar feed reaches.
pub const CALENDAR_PAST_DAYS: i64 = 30;

/// A provider's hours as its owner reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityView {
    /// The zone in force: its own, else its region's.
    pub time_zone: String,
    /// Whether that zone is the provider's own choice.
    pub own_time_zone: bool,
    pub rules: Vec<WeeklyRule>,
    /// Exceptions not yet over.
    pub exceptions: Vec<StoredException>,
    /// The timing in force of each active offered service.
    pub services: Vec<(ServiceId, ServiceTiming)>,
    pub policy: CancellationPolicy,
}

/// What `PUT /providers/me/availability` sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaceAvailability {
    /// `Some(None)`: back to the region's zone; `None`: unchanged.
    pub time_zone: Option<Option<String>>,
    pub rules: Vec<WeeklyRule>,
}

/// The scheduling use cases.
#[derive(Clone)]
pub struct SchedulingService {
    store: Arc<dyn ScheduleStore>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SchedulingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchedulingService").finish_non_exhaustive()
    }
}

/// A provider whose application was rejected or who was banned keeps a
/// closed record (as for its profile and services).
fn ensure_editable(p: &ProviderRef) -> Result<(), SchedulingError> {
    if matches!(p.status.as_str(), "rejected" | "banned") {
        return Err(SchedulingError::Conflict(
            "the application was rejected or banned: a closed record",
        ));
    }
    Ok(())
}

/// The zone in force of a provider.
pub fn zone_of(own: Option<&str>, region: &str) -> Tz {
    own.or(Some(region))
        .and_then(|z| z.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}

/// The timing in force of a service: the provider's fields over the defaults.
pub fn timing_in_force(defaults: TimingDefaults, set: TimingPatch) -> ServiceTiming {
    let base = ServiceTiming::from_defaults(defaults);
    base.patched(set).unwrap_or(base)
}

impl SchedulingService {
    /// The use cases over their store.
    pub fn new(store: Arc<dyn ScheduleStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    async fn own(&self, ctx: &Ctx) -> Result<ProviderRef, SchedulingError> {
        self.store
            .own_provider(ctx.user_id)
            .await?
            .ok_or(SchedulingError::NotFound)
    }

    /// The caller's hours, exceptions not yet over, services' timing, policy.
    pub async fn availability(&self, ctx: &Ctx) -> Result<AvailabilityView, SchedulingError> {
        let p = self.own(ctx).await?;
        self.view(&p).await
    }

    async fn view(&self, p: &ProviderRef) -> Result<AvailabilityView, SchedulingError> {
        let now = self.clock.now();
        let stored = self.store.schedule(p.id, now).await?;
        let defaults = self.store.defaults().await?;
        let services = self
            .store
            .timings(p.id, None, false)
            .await?
            .into_iter()
            .map(|t| (t.service_id, timing_in_force(defaults, t.set)))
            .collect();
        Ok(AvailabilityView {
            time_zone: zone_of(stored.time_zone.as_deref(), &p.region_time_zone)
                .name()
                .to_owned(),
            own_time_zone: stored.time_zone.is_some(),
            rules: stored.rules,
            exceptions: stored.exceptions,
            services,
            policy: stored.policy,
        })
    }

    /// Replaces the weekly set (and the zone when given).
    pub async fn replace_availability(
        &self,
        ctx: &Ctx,
        cmd: ReplaceAvailability,
    ) -> Result<AvailabilityView, SchedulingError> {
        let p = self.own(ctx).await?;
        ensure_editable(&p)?;
        let stored = self.store.schedule(p.id, self.clock.now()).await?;
        let zone = match &cmd.time_zone {
            None => stored.time_zone,
            Some(None) => None,
            Some(Some(name)) => {
                parse_time_zone("time_zone", name)?;
                Some(name.clone())
            }
        };
        let checked = Availability::new(
            zone_of(zone.as_deref(), &p.region_time_zone),
            cmd.rules,
            Vec::new(),
        )?;
        self.store
            .replace_rules(p.id, zone, checked.rules, self.clock.now())
            .await?;
        self.view(&p).await
    }

    /// Adds time off or extra hours.
    pub async fn add_exception(
        &self,
        ctx: &Ctx,
        kind: &str,
        start: Timestamp,
        end: Timestamp,
        reason: &str,
    ) -> Result<StoredException, SchedulingError> {
        let kind = ExceptionKind::parse(kind)
            .ok_or_else(|| SchedulingError::field("kind", "must be time_off or extra_hours"))?;
        in_range(&[("start", start), ("end", end)])?;
        let exception = Exception::new(kind, start, end, reason)?;
        let p = self.own(ctx).await?;
        ensure_editable(&p)?;
        let now = self.clock.now();
        if exception.end <= now {
            return Err(SchedulingError::field("end", "must be in the future"));
        }
        let open = self.store.schedule(p.id, now).await?.exceptions.len();
        if open >= MAX_OPEN_EXCEPTIONS {
            return Err(SchedulingError::Conflict(
                "at most 200 exceptions not yet over: remove some first",
            ));
        }
        let id = self
            .store
            .add_exception(p.id, exception.clone(), now)
            .await?;
        Ok(StoredException { id, exception })
    }

    /// Deletes one of the caller's exceptions; another's is not found.
    pub async fn delete_exception(&self, ctx: &Ctx, id: i64) -> Result<(), SchedulingError> {
        let p = self.own(ctx).await?;
        ensure_editable(&p)?;
        Ok(self.store.delete_exception(p.id, id).await?)
    }

    /// Changes the timing of one offered service; the timing in force.
    pub async fn set_timing(
        &self,
        ctx: &Ctx,
        service: ServiceId,
        patch: TimingPatch,
    ) -> Result<ServiceTiming, SchedulingError> {
        let p = self.own(ctx).await?;
        ensure_editable(&p)?;
        let current = self
            .store
            .timings(p.id, Some(service), true)
            .await?
            .into_iter()
            .next()
            .ok_or(SchedulingError::NotFound)?;
        let defaults = self.store.defaults().await?;
        let set = merge(current.set, patch);
        ServiceTiming::from_defaults(defaults).patched(set)?;
        self.store
            .set_timing(
                p.id,
                OfferedTiming {
                    service_id: service,
                    set,
                },
                self.clock.now(),
            )
            .await?;
        Ok(timing_in_force(defaults, set))
    }

    /// The timing in force of one of the caller's offered services.
    pub async fn timing(
        &self,
        ctx: &Ctx,
        service: ServiceId,
    ) -> Result<ServiceTiming, SchedulingError> {
        let p = self.own(ctx).await?;
        let defaults = self.store.defaults().await?;
        let set = self
            .store
            .timings(p.id, Some(service), true)
            .await?
            .into_iter()
            .next()
            .ok_or(SchedulingError::NotFound)?;
        Ok(timing_in_force(defaults, set.set))
    }

    /// Sets the caller's cancellation policy.
    pub async fn set_policy(
        &self,
        ctx: &Ctx,
        policy: CancellationPolicy,
    ) -> Result<CancellationPolicy, SchedulingError> {
        let p = self.own(ctx).await?;
        ensure_editable(&p)?;
        self.store
            .set_policy(p.id, policy, self.clock.now())
            .await?;
        Ok(policy)
    }

    /// A live provider's cancellation policy (its profile shows it).
    pub async fn policy_of(&self, id: ProviderId) -> Result<CancellationPolicy, SchedulingError> {
        let p = self
            .store
            .live_provider(id)
            .await?
            .ok_or(SchedulingError::NotFound)?;
        Ok(self.store.schedule(p.id, self.clock.now()).await?.policy)
    }

    /// Replaces the caller's calendar feed token by the one hashing to `hash`.
    pub async fn rotate_calendar_token(
        &self,
        ctx: &Ctx,
        hash: String,
    ) -> Result<(), SchedulingError> {
        let p = self.own(ctx).await?;
        ensure_editable(&p)?;
        Ok(self
            .store
            .set_calendar_token(p.id, hash, self.clock.now())
            .await?)
    }

    /// The holds and bookings of the provider whose feed token hashes to
    /// `hash`, from a month ago on; an unknown token is not found.
    pub async fn calendar(
        &self,
        hash: &str,
    ) -> Result<Vec<crate::ports::CalendarEntry>, SchedulingError> {
        let provider = self
            .store
            .calendar_owner(hash)
            .await?
            .ok_or(SchedulingError::NotFound)?;
        let since = self.clock.now() - Duration::days(CALENDAR_PAST_DAYS);
        Ok(self.store.calendar(provider, since).await?)
    }

    /// A live provider's free slots of one service in `[from, to)`, shown in
    /// `tz` (default: the provider's zone).
    pub async fn slots(
        &self,
        id: ProviderId,
        service: ServiceId,
        from: Timestamp,
        to: Timestamp,
        tz: Option<&str>,
    ) -> Result<Vec<Slot>, SchedulingError> {
        in_range(&[("from", from), ("to", to)])?;
        let display = tz.map(|name| parse_time_zone("tz", name)).transpose()?;
        let p = self
            .store
            .live_provider(id)
            .await?
            .ok_or(SchedulingError::NotFound)?;
        let now = self.clock.now();
        let stored = self.store.schedule(p.id, from - Duration::days(1)).await?;
        let zone = zone_of(stored.time_zone.as_deref(), &p.region_time_zone);
        let query = SlotQuery::new(from, to, now, display.unwrap_or(zone))?;
        let Some(timing) = self.timing_of(p.id, service).await? else {
            return Err(SchedulingError::field(
                "service_id",
                "is not a service this provider offers",
            ));
        };
        let availability = availability_of(zone, stored)?;
        let reach = Duration::minutes(i64::from(
            timing.buffer_before_minutes + timing.buffer_after_minutes + timing.duration_minutes,
        ));
        let busy = self.store.busy(p.id, from - reach, to + reach).await?;
        Ok(free_slots(&availability, &timing, &busy, &query))
    }

    async fn timing_of(
        &self,
        provider: ProviderId,
        service: ServiceId,
    ) -> Result<Option<ServiceTiming>, StoreError> {
        let defaults = self.store.defaults().await?;
        Ok(self
            .store
            .timings(provider, Some(service), false)
            .await?
            .into_iter()
            .next()
            .map(|t| timing_in_force(defaults, t.set)))
    }
}

/// The stored schedule as the slot rules take it.
pub fn availability_of(zone: Tz, stored: StoredSchedule) -> Result<Availability, SchedulingError> {
    Availability::new(
        zone,
        stored.rules,
        stored.exceptions.into_iter().map(|e| e.exception).collect(),
    )
}

/// Instants in the years the platform takes (1900–9999), each named.
fn in_range(instants: &[(&str, Timestamp)]) -> Result<(), SchedulingError> {
    let refused: Vec<kernel::FieldError> = instants
        .iter()
        .filter_map(|(field, at)| kernel::dates::check_timestamp(field, *at).err())
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(SchedulingError::Validation(refused))
    }
}

fn merge(set: TimingPatch, patch: TimingPatch) -> TimingPatch {
    TimingPatch {
        duration_minutes: patch.duration_minutes.or(set.duration_minutes),
        slot_interval_minutes: patch.slot_interval_minutes.or(set.slot_interval_minutes),
        buffer_before_minutes: patch.buffer_before_minutes.or(set.buffer_before_minutes),
        buffer_after_minutes: patch.buffer_after_minutes.or(set.buffer_after_minutes),
        min_notice_minutes: patch.min_notice_minutes.or(set.min_notice_minutes),
        horizon_days: patch.horizon_days.or(set.horizon_days),
    }
}
