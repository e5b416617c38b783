//! Demand use cases: regional popularity (recompute, schedule, override,
//! listing) and the LSM's missing-service dashboard.

use std::sync::Arc;

use catalog::{Catalog, Region, Service, ServiceStatus};
use kernel::{Clock, Ctx, Page, PageRequest, Role, ServiceId};
use serde_json::json;

use crate::effects::AuditEntry;
use crate::error::SupplyError;
use crate::popularity::{WeeklySchedule, effective, window};
use crate::ports::{DemandRepository, PopularityRun, ServiceRequest};
use crate::service::decider_scope;
use ::effects::settings::PlatformSettings;

/// The job name runs are claimed under.
pub const POPULARITY_JOB: &str = "popularity";

/// The LSM dashboard: top missing keywords over the period and the raw list.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Days covered.
    pub days: i64,
    /// Keywords with their counts, most requested first.
    pub top_keywords: Vec<(String, i64)>,
    /// The requests, newest first.
    pub requests: Page<ServiceRequest>,
}

/// The demand use cases.
#[derive(Clone)]
pub struct DemandService {
    pub(crate) demand: Arc<dyn DemandRepository>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DemandService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemandService").finish_non_exhaustive()
    }
}

impl DemandService {
    /// The use cases over their ports.
    pub fn new(demand: Arc<dyn DemandRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { demand, clock }
    }

    /// Recomputes popularity now over the configured window.
    pub async fn recompute(&self, settings: &PlatformSettings) -> Result<u64, SupplyError> {
        let run = self.run_now(settings);
        Ok(self.demand.recompute_popularity(run).await?)
    }

    fn run_now(&self, settings: &PlatformSettings) -> PopularityRun {
        let now = self.clock.now();
        let (from, to) = window(now, settings.popularity_window_days());
        PopularityRun {
            from,
            to,
            top_k: settings.popularity_top_k(),
            min_searches: settings.popularity_min_searches(),
            now,
        }
    }

    /// Runs the weekly job if its current slot is unclaimed; `None` when
    /// another instance (or an earlier tick) already ran it.
    pub async fn run_scheduled(
        &self,
        schedule: &WeeklySchedule,
        settings: &PlatformSettings,
    ) -> Result<Option<u64>, SupplyError> {
        let slot = schedule.last_slot(self.clock.now());
        let run = self.run_now(settings);
        Ok(self
            .demand
            .recompute_for_slot(POPULARITY_JOB, slot, run)
            .await?)
    }

    /// The popular services of a region (override winning), most searched first.
    pub async fn popular(
        &self,
        catalog: &Catalog,
        region: &Region,
    ) -> Result<Vec<(Service, i64)>, SupplyError> {
        let rows = self.demand.popularity(region.code.clone()).await?;
        let mut out: Vec<(Service, i64)> = rows
            .into_iter()
            .filter(|r| effective(r.computed, r.admin_override))
            .filter_map(|r| {
                let s = catalog.service(r.service_id)?;
                (s.status == ServiceStatus::Approved).then(|| (s.clone(), r.search_count))
            })
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
        Ok(out)
    }

    /// Forces a service popular or not in a region (or all regions); `None` clears.
    pub async fn set_override(
        &self,
        ctx: &Ctx,
        catalog: &Catalog,
        service: ServiceId,
        region: Option<String>,
        value: Option<bool>,
    ) -> Result<u64, SupplyError> {
        ctx.require_role(Role::Admin)
            .map_err(|_| SupplyError::Forbidden("this route needs the admin role"))?;
        if catalog.service(service).is_none() {
            return Err(SupplyError::NotFound);
        }
        if let Some(code) = &region
            && catalog.regions().get(code).is_none()
        {
            return Err(SupplyError::field("region", "is not a region code"));
        }
        let audit = AuditEntry::new(
            ctx.user_id,
            Role::Admin,
            "popularity.override",
            ("service", service.to_string()),
            json!({"region": region, "is_popular": value}),
        );
        Ok(self
            .demand
            .set_override(service, region, value, audit, self.clock.now())
            .await?)
    }

    /// The LSM's dashboard over the last `days` (default 30, 1–365).
    pub async fn dashboard(
        &self,
        ctx: &Ctx,
        days: Option<i64>,
        reviewed: Option<bool>,
        page: &PageRequest,
    ) -> Result<Dashboard, SupplyError> {
        let region = ctx
            .lsm_region()
            .ok_or(SupplyError::Forbidden("this route needs the lsm role"))?
            .to_owned();
        let days = days.unwrap_or(30);
        if !(1..=365).contains(&days) {
            return Err(SupplyError::field("days", "must be from 1 to 365"));
        }
        let since = self.clock.now() - chrono::Duration::days(days);
        let top_keywords = self.demand.top_missing(region.clone(), since, 10).await?;
        let requests = self.demand.requests(region, since, reviewed, page).await?;
        Ok(Dashboard {
            days,
            top_keywords,
            requests,
        })
    }

    /// Marks a request of the caller's region reviewed.
    pub async fn review(&self, ctx: &Ctx, id: i64) -> Result<ServiceRequest, SupplyError> {
        let (scope, role) = decider_scope(ctx)?;
        let audit = AuditEntry::new(
            ctx.user_id,
            role,
            "service_request.review",
            ("service_request", id.to_string()),
            json!({}),
        );
        Ok(self
            .demand
            .review_request(scope, id, ctx.user_id, self.clock.now(), audit)
            .await?)
    }
}
