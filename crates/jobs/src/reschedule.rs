//! Rescheduling a job booked by slot (issue 19), as a negotiation: either
//! party proposes a free slot, the other approves (naming the version it saw)
//! or declines. While a proposal waits, a second is refused; its range is
//! held beside the job's own until the answer.

use kernel::Timestamp;
use serde_json::json;

use crate::error::JobError;
use crate::job::{Job, JobEvent, Outcome};
use crate::machine::Facts;
use crate::slots::{NewHold, SlotChange};
use crate::status::{EventKind, JobStatus, Party};

/// A proposal awaiting its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    /// The proposed slot's start.
    pub slot_start: Timestamp,
    /// Who proposed it.
    pub by: Party,
}

fn open(job: &Job, action: &'static str) -> Result<(), JobError> {
    if matches!(job.status, JobStatus::New | JobStatus::InProgress) {
        Ok(())
    } else {
        Err(JobError::InvalidTransition {
            action,
            status: job.status.as_str(),
        })
    }
}

fn party_only(by: Party) -> Result<(), JobError> {
    if by == Party::System {
        return Err(JobError::Forbidden("only the job's parties reschedule it"));
    }
    Ok(())
}

/// `by` proposes `hold` (a free slot, checked by [`crate::slots::hold_for`]).
pub fn propose(
    job: &Job,
    facts: &Facts,
    by: Party,
    hold: NewHold,
) -> Result<(Outcome, SlotChange), JobError> {
    party_only(by)?;
    open(job, "reschedule")?;
    if !facts.by_slot {
        return Err(JobError::field(
            "slot_start",
            "this job was not booked by slot: its provider changes the time with PATCH /jobs/{id}",
        ));
    }
    if facts.proposal.is_some() {
        return Err(JobError::ProposalPending);
    }
    if job.agreed.scheduled_at == Some(hold.slot_start) {
        return Err(JobError::field("slot_start", "is the job's start already"));
    }
    let mut next = job.clone();
    next.version += 1;
    let event = JobEvent {
        kind: EventKind::RescheduleProposed,
        actor: by,
        data: json!({ "slot_start": hold.slot_start, "by": by.as_str() }),
    };
    Ok((
        Outcome {
            job: next,
            events: vec![event],
        },
        SlotChange::Propose(hold, by),
    ))
}

/// The other party's answer: approved, the job moves to the proposed start
/// (a new job keeps its hold until its response deadline); declined, it stays.
pub fn answer(
    job: &Job,
    facts: &Facts,
    by: Party,
    approve: bool,
    reason: Option<String>,
) -> Result<(Outcome, SlotChange), JobError> {
    party_only(by)?;
    open(
        job,
        if approve {
            "approve a reschedule of"
        } else {
            "decline a reschedule of"
        },
    )?;
    let proposal = facts.proposal.ok_or(JobError::Conflict(
        "no reschedule proposal awaits an answer",
    ))?;
    if proposal.by == by {
        return Err(JobError::Forbidden(
            "the other party answers a reschedule proposal",
        ));
    }
    let mut next = job.clone();
    next.version += 1;
    let (kind, data, change) = if approve {
        next.terms.scheduled_at = Some(proposal.slot_start);
        next.agreed.scheduled_at = Some(proposal.slot_start);
        let booked = job.status == JobStatus::InProgress;
        (
            EventKind::RescheduleApproved,
            json!({ "slot_start": proposal.slot_start, "before": job.agreed.scheduled_at }),
            SlotChange::Approve {
                booked,
                expires_at: (!booked).then_some(job.response_deadline),
            },
        )
    } else {
        (
            EventKind::RescheduleDeclined,
            json!({ "slot_start": proposal.slot_start, "reason": reason }),
            SlotChange::Decline,
        )
    };
    Ok((
        Outcome {
            job: next,
            events: vec![JobEvent {
                kind,
                actor: by,
                data,
            }],
        },
        change,
    ))
}
