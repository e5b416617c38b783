//! A transition as the rules compute it: the new job, its events, what its
//! thread gets and the effects, ready for a store to write.

use kernel::Ctx;

use crate::error::JobError;
use crate::machine::{Action, Facts};
use crate::ports::{JobChange, JobRecord, ThreadChange};
use crate::service::{JobService, change_effects};
use crate::status::{ActionKind, Party};
use crate::templates;

impl JobService {
    /// The change `action` makes, with the facts read from the repository.
    pub(crate) async fn change(
        &self,
        ctx: &Ctx,
        record: JobRecord,
        party: Party,
        action: Action,
    ) -> Result<JobChange, JobError> {
        let facts: Facts = self.repo().facts(&record.job).await?;
        self.change_given(ctx, record, party, action, &facts)
    }

    /// The change `action` makes, given the facts the rule needs.
    pub(crate) fn change_given(
        &self,
        ctx: &Ctx,
        record: JobRecord,
        party: Party,
        action: Action,
        facts: &Facts,
    ) -> Result<JobChange, JobError> {
        let kind = action.kind();
        if let Action::Edit(patch) = &action
            && patch.scheduled_at.is_some()
            && facts.by_slot
        {
            return Err(JobError::field(
                "scheduled_at",
                "a job booked by slot moves by POST /jobs/{id}/reschedule",
            ));
        }
        let now = self.now();
        let before = record.job.terms.clone();
        let outcome = record.job.apply(party, action, facts, now)?;
        let thread = match kind {
            ActionKind::Reject => ThreadChange::SoftDelete { by: ctx.user_id },
            ActionKind::Edit => ThreadChange::SystemMessage(format!(
                "The provider proposed new terms: {} → {}",
                templates::terms_line(&before, &record.currency),
                templates::terms_line(&outcome.job.terms, &record.currency)
            )),
            ActionKind::DeclineChanges => ThreadChange::SystemMessage(format!(
                "The customer declined the new terms; back to {}",
                templates::terms_line(&outcome.job.terms, &record.currency)
            )),
            ActionKind::ApproveChanges => {
                ThreadChange::SystemMessage("The customer approved the new terms.".into())
            }
            _ => ThreadChange::None,
        };
        let updated = JobRecord {
            job: outcome.job.clone(),
            updated_at: now,
            ..record
        };
        Ok(JobChange {
            slots: crate::slots::SlotChange::after(record.job.status, outcome.job.status),
            expected_version: updated.job.version - 1,
            effects: change_effects(&updated, kind),
            job: outcome.job,
            actor: Some(ctx.user_id),
            events: outcome.events,
            thread,
            at: now,
        })
    }
}
