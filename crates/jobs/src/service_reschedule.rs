//! The reschedule use cases: propose a free slot, approve or decline the
//! other party's proposal (issue 19).

use effects::{Audience, Effects, EventType, Message, RealtimeEvent};
use kernel::{Ctx, Precondition, StoreError, Timestamp};
use serde_json::json;

use crate::error::JobError;
use crate::job::Outcome;
use crate::ports::{JobChange, JobRecord, ThreadChange};
use crate::reschedule;
use crate::service::{ATTEMPTS, JobService, party_of};
use crate::slots::{SlotChange, hold_for};
use crate::status::{EventKind, Party};
use crate::view;

/// Who hears of a reschedule step: the other party, and both parties' screens.
fn told(record: &JobRecord, by: Party, kind: EventKind) -> Effects {
    let job = &record.job;
    let (audience, what) = match (by, kind) {
        (Party::Customer, EventKind::RescheduleProposed) => (
            Audience::ProviderOwner(job.provider_id),
            "The customer proposed a new time",
        ),
        (_, EventKind::RescheduleProposed) => (
            Audience::User(job.customer_id),
            "The provider proposed a new time",
        ),
        (Party::Customer, EventKind::RescheduleApproved) => (
            Audience::ProviderOwner(job.provider_id),
            "The customer approved the new time",
        ),
        (_, EventKind::RescheduleApproved) => (
            Audience::User(job.customer_id),
            "The provider approved the new time",
        ),
        (Party::Customer, _) => (
            Audience::ProviderOwner(job.provider_id),
            "The customer declined the new time",
        ),
        (_, _) => (
            Audience::User(job.customer_id),
            "The provider declined the new time",
        ),
    };
    Effects::none()
        .message(Message {
            audience,
            template: format!("job.{}", kind.as_str()),
            subject: format!("Job #{}: {}", job.id, what.to_lowercase()),
            body: format!(
                "{what} for job #{}. Scheduled: {}",
                job.id,
                job.agreed
                    .scheduled_at
                    .map_or_else(|| "not set".to_owned(), |t| t.to_rfc3339())
            ),
            data: json!({ "job_id": job.id }),
        })
        .event(RealtimeEvent::new(
            Audience::Users(vec![job.customer_id, job.provider_user_id]),
            EventType::JobUpdated,
            view::job_json(record),
        ))
}

enum Step {
    Propose(Timestamp),
    Answer {
        approve: bool,
        reason: Option<String>,
    },
}

impl JobService {
    /// Either party proposes a free slot for a job booked by slot.
    pub async fn propose_reschedule(
        &self,
        ctx: &Ctx,
        id: i64,
        slot_start: Timestamp,
        if_match: Precondition,
    ) -> Result<JobRecord, JobError> {
        self.reschedule_step(ctx, id, Step::Propose(slot_start), if_match)
            .await
    }

    /// The other party approves (with `If-Match`) or declines the proposal.
    pub async fn answer_reschedule(
        &self,
        ctx: &Ctx,
        id: i64,
        approve: bool,
        reason: Option<String>,
        if_match: Precondition,
    ) -> Result<JobRecord, JobError> {
        // Trimmed, blank as none, at most 2000 clean characters.
        let reason = crate::parse_reason(reason.as_deref(), false)?;
        self.reschedule_step(ctx, id, Step::Answer { approve, reason }, if_match)
            .await
    }

    async fn reschedule_step(
        &self,
        ctx: &Ctx,
        id: i64,
        step: Step,
        if_match: Precondition,
    ) -> Result<JobRecord, JobError> {
        for _ in 0..ATTEMPTS {
            let record = self.get(ctx, id).await?;
            let party = party_of(ctx, &record.job).ok_or(JobError::Forbidden(
                "only the job's customer or provider may reschedule it",
            ))?;
            if matches!(step, Step::Answer { approve: true, .. }) && !if_match.names_versions() {
                // As for approving changes: what is approved is what was shown.
                return Err(JobError::PreconditionRequired(
                    "approving a reschedule needs `If-Match` with the version of the job you saw",
                ));
            }
            if !if_match.matches(record.job.version) {
                return Err(JobError::PreconditionFailed);
            }
            let facts = self.repo().facts(&record.job).await?;
            let now = self.now();
            let (outcome, slots): (Outcome, SlotChange) = match &step {
                Step::Propose(start) => {
                    let schedule = self
                        .repo()
                        .booking_schedule(record.job.provider_id, record.job.service_id, now)
                        .await?;
                    let hold = hold_for(&schedule, Some(*start), None, now, now)?
                        .ok_or_else(|| JobError::field("slot_start", "is required"))?;
                    reschedule::propose(&record.job, &facts, party, hold)?
                }
                Step::Answer { approve, reason } => {
                    reschedule::answer(&record.job, &facts, party, *approve, reason.clone())?
                }
            };
            let kind = outcome.events[0].kind;
            let updated = JobRecord {
                job: outcome.job.clone(),
                updated_at: now,
                ..record
            };
            let thread = ThreadChange::SystemMessage(match kind {
                EventKind::RescheduleProposed => "A new time was proposed.".into(),
                EventKind::RescheduleApproved => "The new time was approved.".into(),
                _ => "The new time was declined.".into(),
            });
            let change = JobChange {
                expected_version: updated.job.version - 1,
                effects: told(&updated, party, kind),
                job: outcome.job,
                actor: Some(ctx.user_id),
                events: outcome.events,
                thread,
                slots,
                at: now,
            };
            match self.repo().apply(change).await {
                Ok(saved) => return Ok(saved),
                Err(StoreError::Stale) if if_match.names_versions() => {
                    return Err(JobError::PreconditionFailed);
                }
                Err(StoreError::Stale) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(JobError::Stale)
    }
}
