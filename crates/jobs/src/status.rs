//! The closed vocabularies of jobs: statuses, parties, actions and event kinds.

/// Where a job stands (SPEC §4 Jobs diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Requested by the customer; waits for the provider's answer.
    New,
    /// Accepted by the provider.
    InProgress,
    /// Done; waits for payment.
    Completed,
    /// Withdrawn by the customer.
    Cancelled,
    /// Paid (phase 1: marked paid by the provider).
    Paid,
    /// Refused by the provider, with a reason.
    RejectedBySp,
}

impl JobStatus {
    /// Every status, for exhaustive tests and documentation.
    pub const ALL: [JobStatus; 6] = [
        Self::New,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
        Self::Paid,
        Self::RejectedBySp,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Paid => "paid",
            Self::RejectedBySp => "rejected_by_sp",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No transition leaves a terminal status.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Cancelled | Self::Paid | Self::RejectedBySp)
    }
}

/// Which side of a job an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The job's customer.
    Customer,
    /// The job's provider.
    Provider,
    /// The platform itself (the deadline sweep).
    System,
}

impl Party {
    /// The role recorded on events and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Provider => "service_provider",
            Self::System => "system",
        }
    }
}

/// The name of an action, independent of its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// Provider accepts a new job.
    Accept,
    /// Provider refuses a new job.
    Reject,
    /// Customer withdraws.
    Cancel,
    /// Provider finishes the work.
    Complete,
    /// Provider records the payment.
    MarkPaid,
    /// Provider changes price, schedule or description.
    Edit,
    /// Customer accepts the provider's changes.
    ApproveChanges,
    /// Customer refuses them; the previous terms come back.
    DeclineChanges,
    /// The response deadline passed without an answer.
    MissDeadline,
}

/// What a `job_events` row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The job was requested.
    Created,
    /// See [`ActionKind::Accept`].
    Accepted,
    /// See [`ActionKind::Reject`].
    Rejected,
    /// See [`ActionKind::Edit`]; data holds `before` and `after`.
    Edited,
    /// See [`ActionKind::ApproveChanges`].
    ChangesApproved,
    /// See [`ActionKind::DeclineChanges`]; data holds the restored terms.
    ChangesDeclined,
    /// See [`ActionKind::Cancel`].
    Cancelled,
    /// See [`ActionKind::Complete`].
    Completed,
    /// See [`ActionKind::MarkPaid`].
    Paid,
    /// See [`ActionKind::MissDeadline`].
    DeadlineMissed,
    /// A dispute was raised.
    Disputed,
    /// The customer rated the job.
    Rated,
    /// A party proposed a new slot; data holds `slot_start` and `by`.
    RescheduleProposed,
    /// The other party approved it: the job moved to `slot_start`.
    RescheduleApproved,
    /// The other party declined it; data holds the reason, if any.
    RescheduleDeclined,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [Self; 15] = [
        Self::Created,
        Self::Accepted,
        Self::Rejected,
        Self::Edited,
        Self::ChangesApproved,
        Self::ChangesDeclined,
        Self::Cancelled,
        Self::Completed,
        Self::Paid,
        Self::DeadlineMissed,
        Self::Disputed,
        Self::Rated,
        Self::RescheduleProposed,
        Self::RescheduleApproved,
        Self::RescheduleDeclined,
    ];

    /// The stored name (the `ck_job_events_kind` values).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Edited => "edited",
            Self::ChangesApproved => "changes_approved",
            Self::ChangesDeclined => "changes_declined",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::Paid => "paid",
            Self::DeadlineMissed => "deadline_missed",
            Self::Disputed => "disputed",
            Self::Rated => "rated",
            Self::RescheduleProposed => "reschedule_proposed",
            Self::RescheduleApproved => "reschedule_approved",
            Self::RescheduleDeclined => "reschedule_declined",
        }
    }

    /// Whether a job has at most one event of this kind: the rule the
    /// storage's partial unique index `uq_job_events_job_id_kind_once`
    /// enforces (a racing second one is `Constraint::JobEventOnce`, which the
    /// job store reports as a lost race). `persistence/tests/liveness.rs`
    /// checks the index lists exactly these kinds on both backends.
    pub fn once_per_job(self) -> bool {
        !matches!(
            self,
            Self::Edited
                | Self::ChangesApproved
                | Self::ChangesDeclined
                | Self::Disputed
                | Self::RescheduleProposed
                | Self::RescheduleApproved
                | Self::RescheduleDeclined
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("done"), None);
    }
}
