//! The dispute use cases. Each reads in the caller's scope (absent = 404),
//! asks the rules in [`crate::dispute`] what the caller may do, adds the
//! effects of [`crate::notices`] and writes the result through one unit of work.

use std::sync::Arc;

use chrono::SubsecRound;
use kernel::{Clock, Ctx, Page, PageRequest, StoreError, Timestamp};
use uuid::Uuid;

use effects::{Audience, Effects};
use jobs::ports::{JobChange, ThreadChange};

use crate::dispute::{self, Dispute, DisputeStatus, DisputedJob, Raise, Resolver};
use crate::error::DisputeError;
use crate::notices;
use crate::ports::{DisputeRepository, DisputeScope, DisputeViewer};
use crate::unit_of_work::DisputeUnitOfWork;
use crate::unit_of_work::DisputeUnits;

/// The dispute use cases.
#[derive(Clone)]
pub struct DisputeService {
    repo: Arc<dyn DisputeRepository>,
    units: Arc<dyn DisputeUnits>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DisputeService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisputeService").finish_non_exhaustive()
    }
}

/// The storage's view of the caller.
pub fn viewer(ctx: &Ctx) -> DisputeViewer {
    ctx.viewer()
}

/// Filters and page of a dispute list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputeQuery {
    /// Only this status (`pending`, `resolved`).
    pub status: Option<String>,
    /// The page.
    pub page: PageRequest,
}

fn attachments_error(ids: &[Uuid]) -> DisputeError {
    let list = ids
        .iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    DisputeError::field(
        "attachment_ids",
        format!("not your attachments, or already evidence of a dispute: {list}"),
    )
}

/// How often a raise is written again after its job moved under it.
const ATTEMPTS: usize = 5;

/// Who hears of what happens in a disputed job's thread: both parties and
/// the region's managers.
fn thread_audience(job: &DisputedJob) -> [Audience; 2] {
    [
        Audience::Users(job.parties().to_vec()),
        Audience::RegionLsms(job.region_code.clone()),
    ]
}

/// The writes of a raise, in one unit: the dispute (its constraints refuse a
/// second open one and cited evidence), the job's `disputed` change by the
/// jobs crate's rule (compare-and-set: [`StoreError::Stale`] when the job
/// moved since the unit read it), the system message in the job's thread,
/// and the notices of [`notices::raised`]. Returns the stored dispute; the
/// caller commits.
pub async fn write_raise(
    unit: &mut dyn DisputeUnitOfWork,
    job: &DisputedJob,
    raise: &Raise,
    at: Timestamp,
) -> Result<Dispute, StoreError> {
    let jobs = unit.jobs();
    let record = jobs.load(job.id).await?;
    let disputes = unit.disputes();
    let id = disputes.insert(job, raise, at).await?;
    let outcome = record.job.disputed(raise.raised_by.party(), id);
    jobs.save(&JobChange {
        expected_version: record.job.version,
        job: outcome.job,
        actor: Some(raise.raised_by_id),
        events: outcome.events,
        thread: ThreadChange::None,
        effects: Effects::none(),
        slots: jobs::slots::SlotChange::Keep,
        at,
    })
    .await?;
    if let Some(thread) = job.thread_id {
        unit.threads()
            .system_message(
                thread,
                &notices::raised_text(raise),
                &thread_audience(job),
                at,
            )
            .await?;
    }
    let stored = Dispute::opened(id, job.clone(), raise.clone(), at);
    disputes.effects(&notices::raised(&stored), at).await?;
    Ok(stored)
}

/// The writes of a resolution, in one unit: the dispute's compare-and-set on
/// `pending` ([`StoreError::Stale`] for the loser of two racing
/// resolutions), the resolving LSM as the thread's manager unless one acted
/// before, the system message, and the notices of [`notices::resolved`].
pub async fn write_resolution(
    unit: &mut dyn DisputeUnitOfWork,
    resolved: &Dispute,
    by: Resolver,
    at: Timestamp,
) -> Result<(), StoreError> {
    let disputes = unit.disputes();
    disputes.resolve(resolved).await?;
    if let Some(thread) = resolved.job.thread_id {
        let threads = unit.threads();
        if let Resolver::Lsm(lsm) = by {
            threads.first_lsm(thread, lsm).await?;
        }
        let text = notices::resolved_text(resolved);
        threads
            .system_message(thread, &text, &thread_audience(&resolved.job), at)
            .await?;
    }
    disputes.effects(&notices::resolved(resolved, by), at).await
}

impl DisputeService {
    /// The use cases over `repo` and `units`, timed by `clock`.
    pub fn new(
        repo: Arc<dyn DisputeRepository>,
        units: Arc<dyn DisputeUnits>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { repo, units, clock }
    }

    /// Now, at the precision both backends store (microseconds), so what an
    /// event carries equals what a later read returns.
    fn now(&self) -> Timestamp {
        self.clock.now().trunc_subsecs(6)
    }

    /// The job's customer or provider raises a dispute (rules in [`dispute::raise`]).
    pub async fn raise(
        &self,
        ctx: &Ctx,
        job_id: i64,
        description: &str,
        attachment_ids: &[Uuid],
    ) -> Result<Dispute, DisputeError> {
        // Read, decide and write again when the job moved under the write.
        for _ in 0..ATTEMPTS {
            let job = self
                .repo
                .job(job_id, &viewer(ctx))
                .await?
                .ok_or(DisputeError::NotFound)?;
            let raise = dispute::raise(&job, ctx.user_id, description, attachment_ids)?;
            if !raise.attachment_ids.is_empty() {
                let unusable = self
                    .repo
                    .unusable_attachments(ctx.user_id, &raise.attachment_ids)
                    .await?;
                if !unusable.is_empty() {
                    return Err(attachments_error(&unusable));
                }
            }
            let mut unit = self.units.begin().await?;
            match write_raise(unit.as_mut(), &job, &raise, self.now()).await {
                Ok(stored) => {
                    unit.commit().await?;
                    return Ok(stored);
                }
                Err(StoreError::Stale) => continue,
                Err(StoreError::Conflict(kernel::Constraint::DisputeOfJob)) => {
                    return Err(DisputeError::Conflict(
                        "a dispute on this job is already open",
                    ));
                }
                // Linked by a racing raise between the check and the write.
                Err(StoreError::Conflict(kernel::Constraint::DisputeOfAttachment)) => {
                    return Err(attachments_error(&raise.attachment_ids));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(DisputeError::Store(StoreError::Stale))
    }

    /// One dispute the caller may see (parties, the region's LSMs, admins).
    pub async fn get(&self, ctx: &Ctx, id: i64) -> Result<Dispute, DisputeError> {
        self.repo
            .find_visible(id, &viewer(ctx))
            .await?
            .ok_or(DisputeError::NotFound)
    }

    /// `GET /disputes`: a party's disputes, an LSM's region's, an admin's all.
    pub async fn list(&self, ctx: &Ctx, q: DisputeQuery) -> Result<Page<Dispute>, DisputeError> {
        self.list_in(DisputeScope::Visible(viewer(ctx)), q).await
    }

    /// `GET /lsm/disputes`: the disputes of the caller's region (LSMs only).
    pub async fn region(&self, ctx: &Ctx, q: DisputeQuery) -> Result<Page<Dispute>, DisputeError> {
        let region = viewer(ctx).lsm_region.ok_or(DisputeError::Forbidden(
            "only LSMs have a region's disputes",
        ))?;
        self.list_in(DisputeScope::Region(region), q).await
    }

    async fn list_in(
        &self,
        scope: DisputeScope,
        q: DisputeQuery,
    ) -> Result<Page<Dispute>, DisputeError> {
        let status = q
            .status
            .as_deref()
            .map(|s| {
                DisputeStatus::parse(s)
                    .ok_or_else(|| DisputeError::field("status", "must be pending or resolved"))
            })
            .transpose()?;
        let before = q
            .page
            .after::<i64>()
            .map_err(|e| DisputeError::Validation(vec![e]))?;
        let rows = self
            .repo
            .list(&scope, status, before, q.page.limit + 1)
            .await?;
        Ok(Page::from_rows(rows, &q.page, |d| d.id))
    }

    /// An LSM of the job's region or an admin resolves an open dispute.
    pub async fn resolve(
        &self,
        ctx: &Ctx,
        id: i64,
        notes: &str,
        outcome: &str,
    ) -> Result<Dispute, DisputeError> {
        let v = viewer(ctx);
        let current = self
            .repo
            .find_visible(id, &v)
            .await?
            .ok_or(DisputeError::NotFound)?;
        let by = current.resolver(v.user_id, v.is_admin, v.lsm_region.as_deref())?;
        let at = self.now();
        let resolved = current.resolve(by, notes, outcome, at)?;
        let mut unit = self.units.begin().await?;
        match write_resolution(unit.as_mut(), &resolved, by, at).await {
            Ok(()) => {
                unit.commit().await?;
                Ok(resolved)
            }
            Err(StoreError::Stale) => {
                Err(DisputeError::Conflict("the dispute is already resolved"))
            }
            Err(e) => Err(e.into()),
        }
    }
}
