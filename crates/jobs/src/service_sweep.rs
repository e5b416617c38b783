//! The platform's own work on jobs: the response-deadline sweep (every
//! minute) and the daily refresh of providers' response figures.

use std::collections::BTreeMap;

use effects::Effects;
use kernel::{ProviderId, StoreError};

use crate::error::JobError;
use crate::machine::{Action, Facts};
use crate::metrics::{ResponseMetrics, ResponseSample, WINDOW_DAYS};
use crate::ports::{JobChange, JobRecord, ThreadChange};
use crate::service::{JobService, change_effects};
use crate::status::{ActionKind, Party};
use crate::unit_of_work::JobUnitOfWork;
use crate::warnings;

/// Jobs one sweep looks at; the next tick takes the rest.
pub const SWEEP_BATCH: u64 = 500;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Overdue jobs found.
    pub found: usize,
    /// Warnings written by this run (the others were taken by a concurrent run).
    pub warned: usize,
}

/// The writes of a missed deadline in one unit of work: the job's
/// compare-and-set (a concurrent sweep that already warned makes it
/// [`StoreError::Stale`], as does the once-only `deadline_missed` index),
/// its event and `job.updated`; then, under the provider's row lock, what
/// [`warnings::counts`] and [`warnings::after_warning`] decide: the counted
/// warning with its e-mail, and at the threshold the review flag with the
/// managers' notice.
pub async fn miss_deadline(
    unit: &mut dyn JobUnitOfWork,
    change: &JobChange,
    notice: Effects,
    threshold: i64,
) -> Result<(), StoreError> {
    let jobs = unit.jobs();
    jobs.save(change).await?;
    let job = &change.job;
    let standing = jobs
        .standing(job.provider_id, job.customer_id, change.at)
        .await?;
    if !warnings::counts(standing.last_warning_from_customer, change.at) {
        return Ok(());
    }
    let count = standing.warnings + 1;
    let review = warnings::after_warning(job, count, standing.under_review, threshold);
    jobs.count_warning(job, count, review.flag, change.at)
        .await?;
    jobs.effects(&notice, change.at).await?;
    jobs.effects(&review.effects, change.at).await
}

impl JobService {
    /// Warns about every `new` job whose response deadline passed unanswered:
    /// the `deadline_missed` transition by the system (compare-and-set; the
    /// once-only event index backs it) and, at most once per customer per
    /// day ([`crate::warnings::counts`]), the provider's warning and e-mail,
    /// and at the threshold the review flag with the region's managers told.
    /// Concurrent sweeps race on the compare-and-set: one warns, the others skip.
    pub async fn sweep_deadlines(&self) -> Result<SweepReport, JobError> {
        let now = self.now();
        let settings = self.repo().settings().await?;
        let due = self.repo().overdue(now, SWEEP_BATCH).await?;
        let mut report = SweepReport {
            found: due.len(),
            warned: 0,
        };
        for record in due {
            // The rule re-checks what the query selected; a job that no
            // longer qualifies is simply skipped.
            let Ok(outcome) =
                record
                    .job
                    .apply(Party::System, Action::MissDeadline, &Facts::default(), now)
            else {
                continue;
            };
            let updated = JobRecord {
                job: outcome.job.clone(),
                updated_at: now,
                ..record
            };
            // `job.updated` always; the provider's e-mail only with a counted warning.
            let mut effects = change_effects(&updated, ActionKind::MissDeadline);
            let notice = Effects {
                messages: std::mem::take(&mut effects.messages),
                ..Effects::none()
            };
            let change = JobChange {
                expected_version: updated.job.version - 1,
                effects,
                job: outcome.job,
                actor: None,
                events: outcome.events,
                thread: ThreadChange::None,
                // The answer is overdue: its slot is free for others again
                // (a late accept books it again if nobody took it).
                slots: crate::slots::SlotChange::Release,
                at: now,
            };
            let mut unit = self.units().begin().await?;
            match miss_deadline(unit.as_mut(), &change, notice, settings.warning_threshold).await {
                Ok(()) => {
                    unit.commit().await?;
                    report.warned += 1;
                }
                Err(StoreError::Stale) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(report)
    }

    /// Recomputes every provider's median response time and response rate
    /// over the jobs of the last [`WINDOW_DAYS`] days with
    /// [`ResponseMetrics::compute`]; providers without such jobs get none.
    /// Returns how many providers have figures.
    pub async fn refresh_response_figures(&self) -> Result<usize, JobError> {
        let now = self.now();
        let since = now - chrono::Duration::days(WINDOW_DAYS);
        let samples = self.repo().response_samples(since).await?;
        let mut by_provider: BTreeMap<ProviderId, Vec<ResponseSample>> = BTreeMap::new();
        for (provider, sample) in samples {
            by_provider.entry(provider).or_default().push(sample);
        }
        let figures: Vec<(ProviderId, ResponseMetrics)> = by_provider
            .into_iter()
            .map(|(p, s)| (p, ResponseMetrics::compute(&s, now)))
            .collect();
        let n = figures.len();
        self.repo().write_response_figures(figures, now).await?;
        Ok(n)
    }
}
