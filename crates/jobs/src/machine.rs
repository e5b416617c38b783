//! The job lifecycle as data (SPEC §4 Jobs):
//!
//! ```text
//!             accept                complete               mark-paid
//!    new ───────────────▶ in_progress ───────────▶ completed ───────────▶ paid
//!     │ \ reject(reason)      │ cancel
//!     │  ▶ rejected_by_sp     ▼
//!     └── cancel ───────▶ cancelled
//! ```
//!
//! plus the negotiation loops on `new` and `in_progress` (edit, approve,
//! decline) and the system's deadline warning on `new`. Each row of
//! [`TRANSITIONS`] is one edge: the statuses it leaves from, where it goes
//! (`None` keeps the status), who may take it, the guard beyond the status,
//! and the event it records. [`edge_for`] is the only reader.

use kernel::Timestamp;

use crate::error::JobError;
use crate::job::{Job, TermsPatch, parse_reason};
use crate::status::{ActionKind, EventKind, JobStatus, Party};

/// What an actor asks of a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Provider accepts.
    Accept,
    /// Provider refuses, with a reason.
    Reject {
        /// Why (required, 1–2000 characters).
        reason: String,
    },
    /// Customer withdraws.
    Cancel {
        /// Why, if they say.
        reason: Option<String>,
    },
    /// Provider finishes.
    Complete,
    /// Provider records the payment.
    MarkPaid,
    /// Provider changes the terms (validated with [`TermsPatch::validated`]).
    Edit(TermsPatch),
    /// Customer accepts the pending proposal: it becomes the agreed terms.
    /// The use case only takes it with an `If-Match` naming the version the
    /// customer saw, so what is approved is what was shown.
    ApproveChanges,
    /// Customer refuses the pending proposal: the agreed terms are restored,
    /// however many edits came before.
    DeclineChanges {
        /// Why, if they say.
        reason: Option<String>,
    },
    /// The sweep found the response deadline passed without an answer.
    MissDeadline,
}

impl Action {
    /// A rejection: the reason is required (trimmed, 1–2000 characters).
    pub fn reject(reason: Option<&str>) -> Result<Self, JobError> {
        let reason = parse_reason(reason, true)?.unwrap_or_default();
        Ok(Self::Reject { reason })
    }

    /// A cancellation, with an optional reason (at most 2000 characters).
    pub fn cancel(reason: Option<&str>) -> Result<Self, JobError> {
        Ok(Self::Cancel {
            reason: parse_reason(reason, false)?,
        })
    }

    /// Declining the pending proposal, with an optional reason.
    pub fn decline_changes(reason: Option<&str>) -> Result<Self, JobError> {
        Ok(Self::DeclineChanges {
            reason: parse_reason(reason, false)?,
        })
    }

    /// The action's name.
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Accept => ActionKind::Accept,
            Self::Reject { .. } => ActionKind::Reject,
            Self::Cancel { .. } => ActionKind::Cancel,
            Self::Complete => ActionKind::Complete,
            Self::MarkPaid => ActionKind::MarkPaid,
            Self::Edit(_) => ActionKind::Edit,
            Self::ApproveChanges => ActionKind::ApproveChanges,
            Self::DeclineChanges { .. } => ActionKind::DeclineChanges,
            Self::MissDeadline => ActionKind::MissDeadline,
        }
    }
}

/// What the rules need to know that the job row does not hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// A dispute on the job is open: completion and payment are frozen.
    pub open_dispute: bool,
    /// The provider is approved and neither suspended nor banned.
    pub provider_active: bool,
    /// The job was booked by slot: it holds a range of the provider's time,
    /// and its start moves only by reschedule.
    pub by_slot: bool,
    /// The reschedule proposal awaiting its answer, if any.
    pub proposal: Option<crate::reschedule::Proposal>,
}

/// A guard beyond the status and the party.
type Guard = fn(&Job, &Facts, Timestamp) -> Result<(), JobError>;

/// One edge of the lifecycle.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    /// The action.
    pub action: ActionKind,
    /// The statuses it may start from.
    pub from: &'static [JobStatus],
    /// Where it goes; `None` keeps the status.
    pub to: Option<JobStatus>,
    /// Who may take it.
    pub by: Party,
    /// Further conditions.
    pub guard: Guard,
    /// The event it records.
    pub event: EventKind,
}

use JobStatus::{Completed, InProgress, New};

fn always(_: &Job, _: &Facts, _: Timestamp) -> Result<(), JobError> {
    Ok(())
}

fn provider_active(_: &Job, facts: &Facts, _: Timestamp) -> Result<(), JobError> {
    if facts.provider_active {
        Ok(())
    } else {
        Err(JobError::Conflict(
            "a suspended or banned provider cannot take jobs",
        ))
    }
}

fn no_dispute(_: &Job, facts: &Facts, _: Timestamp) -> Result<(), JobError> {
    if facts.open_dispute {
        Err(JobError::Conflict(
            "a dispute on this job is open; it must be resolved first",
        ))
    } else {
        Ok(())
    }
}

fn completable(job: &Job, facts: &Facts, now: Timestamp) -> Result<(), JobError> {
    if job.pending_approval {
        return Err(JobError::Conflict(
            "the customer has not approved the latest changes",
        ));
    }
    no_dispute(job, facts, now)
}

fn payable(job: &Job, facts: &Facts, now: Timestamp) -> Result<(), JobError> {
    if job.agreed.price_cents.is_none_or(|p| p <= 0) {
        return Err(JobError::Conflict("the job has no price to be paid"));
    }
    no_dispute(job, facts, now)
}

fn changes_pending(job: &Job, _: &Facts, _: Timestamp) -> Result<(), JobError> {
    if job.pending_approval {
        Ok(())
    } else {
        Err(JobError::Conflict(
            "there are no changes waiting for approval",
        ))
    }
}

fn deadline_passed(job: &Job, _: &Facts, now: Timestamp) -> Result<(), JobError> {
    if job.deadline_warning_issued || job.responded_at.is_some() || now < job.response_deadline {
        Err(JobError::Conflict(
            "the response deadline has not been missed",
        ))
    } else {
        Ok(())
    }
}

/// Every edge of the lifecycle; anything not listed is refused.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        action: ActionKind::Accept,
        from: &[New],
        to: Some(InProgress),
        by: Party::Provider,
        guard: provider_active,
        event: EventKind::Accepted,
    },
    Transition {
        action: ActionKind::Reject,
        from: &[New],
        to: Some(JobStatus::RejectedBySp),
        by: Party::Provider,
        guard: always,
        event: EventKind::Rejected,
    },
    Transition {
        action: ActionKind::Cancel,
        from: &[New, InProgress],
        to: Some(JobStatus::Cancelled),
        by: Party::Customer,
        guard: always,
        event: EventKind::Cancelled,
    },
    // The provider may withdraw from a job it accepted, with a reason; it
    // never costs the customer, and may count as a warning (the use case).
    Transition {
        action: ActionKind::Cancel,
        from: &[InProgress],
        to: Some(JobStatus::Cancelled),
        by: Party::Provider,
        guard: always,
        event: EventKind::Cancelled,
    },
    Transition {
        action: ActionKind::Complete,
        from: &[InProgress],
        to: Some(Completed),
        by: Party::Provider,
        guard: completable,
        event: EventKind::Completed,
    },
    Transition {
        action: ActionKind::MarkPaid,
        from: &[Completed],
        to: Some(JobStatus::Paid),
        by: Party::Provider,
        guard: payable,
        event: EventKind::Paid,
    },
    Transition {
        action: ActionKind::Edit,
        from: &[New, InProgress],
        to: None,
        by: Party::Provider,
        guard: always,
        event: EventKind::Edited,
    },
    Transition {
        action: ActionKind::ApproveChanges,
        from: &[New, InProgress],
        to: None,
        by: Party::Customer,
        guard: changes_pending,
        event: EventKind::ChangesApproved,
    },
    Transition {
        action: ActionKind::DeclineChanges,
        from: &[New, InProgress],
        to: None,
        by: Party::Customer,
        guard: changes_pending,
        event: EventKind::ChangesDeclined,
    },
    Transition {
        action: ActionKind::MissDeadline,
        from: &[New],
        to: None,
        by: Party::System,
        guard: deadline_passed,
        event: EventKind::DeadlineMissed,
    },
];

fn verb(action: ActionKind) -> &'static str {
    match action {
        ActionKind::Accept => "accept",
        ActionKind::Reject => "reject",
        ActionKind::Cancel => "cancel",
        ActionKind::Complete => "complete",
        ActionKind::MarkPaid => "mark paid",
        ActionKind::Edit => "edit",
        ActionKind::ApproveChanges => "approve changes to",
        ActionKind::DeclineChanges => "decline changes to",
        ActionKind::MissDeadline => "warn about",
    }
}

/// The edge `actor` may take with `action` from the job's state, or why not:
/// 403 when the party has no such right, 409 when the status or a guard forbids it.
pub fn edge_for(
    job: &Job,
    actor: Party,
    action: &Action,
    facts: &Facts,
    now: Timestamp,
) -> Result<&'static Transition, JobError> {
    let kind = action.kind();
    // An action may have an edge per party (a cancel by either side).
    let edge = TRANSITIONS
        .iter()
        .find(|t| t.action == kind && t.by == actor)
        .or_else(|| TRANSITIONS.iter().find(|t| t.action == kind))
        .ok_or(JobError::Internal("an action without an edge".into()))?;
    if edge.by != actor {
        return Err(JobError::Forbidden(match edge.by {
            Party::Customer => "only the job's customer may do this",
            Party::Provider => "only the job's provider may do this",
            Party::System => "only the platform may do this",
        }));
    }
    if !edge.from.contains(&job.status) {
        return Err(JobError::InvalidTransition {
            action: verb(kind),
            status: job.status.as_str(),
        });
    }
    (edge.guard)(job, facts, now)?;
    Ok(edge)
}
