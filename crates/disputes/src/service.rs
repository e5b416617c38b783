//! The dispute use cases. Each reads in the caller's scope (absent = 404),
//! asks the rules in [`crate::dispute`] what the caller may do, adds the
//! effects of [`crate::notices`] and hands the result to the repository.

use std::sync::Arc;

use chrono::SubsecRound;
use kernel::{Clock, Ctx, Page, PageRequest, Role, StoreError, Timestamp};
use uuid::Uuid;

use crate::dispute::{self, Dispute, DisputeStatus};
use crate::error::DisputeError;
use crate::notices;
use crate::ports::{DisputeRepository, DisputeScope, DisputeViewer, NewDispute, Resolution};

/// The dispute use cases.
#[derive(Clone)]
pub struct DisputeService {
    repo: Arc<dyn DisputeRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for DisputeService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisputeService").finish_non_exhaustive()
    }
}

/// The storage's view of the caller.
pub fn viewer(ctx: &Ctx) -> DisputeViewer {
    DisputeViewer {
        user_id: ctx.user_id,
        is_admin: ctx.has_role(Role::Admin),
        lsm_region: ctx
            .has_role(Role::Lsm)
            .then(|| ctx.region.clone())
            .flatten(),
    }
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

impl DisputeService {
    /// The use cases over `repo`, timed by `clock`.
    pub fn new(repo: Arc<dyn DisputeRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
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
        let new = NewDispute {
            job,
            system_message: notices::raised_text(&raise),
            raise,
            effects_for: notices::raised,
            at: self.now(),
        };
        let attachments = new.raise.attachment_ids.clone();
        match self.repo.raise(new).await {
            Err(StoreError::Conflict(kernel::Constraint::DisputeOfJob)) => Err(
                DisputeError::Conflict("a dispute on this job is already open"),
            ),
            // Linked by a racing raise between the check and the write.
            Err(StoreError::Conflict(kernel::Constraint::DisputeOfAttachment)) => {
                Err(attachments_error(&attachments))
            }
            other => Ok(other?),
        }
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
        let resolution = Resolution {
            system_message: notices::resolved_text(&resolved),
            effects: notices::resolved(&resolved, by),
            dispute: resolved,
            resolver: by,
            at,
        };
        match self.repo.resolve(resolution).await {
            Err(StoreError::Stale) => {
                Err(DisputeError::Conflict("the dispute is already resolved"))
            }
            other => Ok(other?),
        }
    }
}
