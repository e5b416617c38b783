//! The dispute and its rules: who may raise one on which job, what a raise
//! holds, who may resolve and how. Pure functions of their inputs.

use jobs::JobStatus;
use kernel::{Timestamp, UserId};
use uuid::Uuid;

use crate::error::DisputeError;

/// Longest description and resolution notes, in characters.
pub const MAX_TEXT: usize = 4000;
/// Most attachments a dispute holds.
pub const MAX_ATTACHMENTS: usize = 10;

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeStatus {
    /// Open: the job's completion and payment are frozen.
    Pending,
    /// Decided by an LSM or an admin.
    Resolved,
}

impl DisputeStatus {
    /// Every status.
    pub const ALL: [Self; 2] = [Self::Pending, Self::Resolved];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Resolved => "resolved",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What the resolver decided. A record only: it moves no money (phase 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The customer was right.
    InFavorOfCustomer,
    /// The provider was right.
    InFavorOfProvider,
    /// Both partly.
    Split,
    /// Nothing to decide.
    Dismissed,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Self; 4] = [
        Self::InFavorOfCustomer,
        Self::InFavorOfProvider,
        Self::Split,
        Self::Dismissed,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InFavorOfCustomer => "in_favor_of_customer",
            Self::InFavorOfProvider => "in_favor_of_provider",
            Self::Split => "split",
            Self::Dismissed => "dismissed",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Which party raised the dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RaisedBy {
    /// The job's customer.
    Customer,
    /// The job's provider.
    Provider,
}

impl RaisedBy {
    /// The same side of the job, as the jobs crate names it.
    pub fn party(self) -> jobs::Party {
        match self {
            Self::Customer => jobs::Party::Customer,
            Self::Provider => jobs::Party::Provider,
        }
    }
}

impl RaisedBy {
    /// Both parties.
    pub const ALL: [Self; 2] = [Self::Customer, Self::Provider];

    /// The stored and wire name (`disputes.raised_by_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Provider => "service_provider",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// How messages name the party.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Customer => "the customer",
            Self::Provider => "the provider",
        }
    }
}

/// The job as a dispute needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputedJob {
    /// The job.
    pub id: i64,
    /// Its status.
    pub status: JobStatus,
    /// The customer's user.
    pub customer_id: UserId,
    /// The provider's user.
    pub provider_user_id: UserId,
    /// The region whose LSMs mediate.
    pub region_code: String,
    /// The job thread.
    pub thread_id: Option<Uuid>,
}

impl DisputedJob {
    /// Both parties: customer, provider.
    pub fn parties(&self) -> [UserId; 2] {
        [self.customer_id, self.provider_user_id]
    }
}

/// A stored dispute with the facts of its job that scope and notices need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    pub id: i64,
    /// The job, its parties and region.
    pub job: DisputedJob,
    /// Who raised it.
    pub raised_by_id: UserId,
    /// As which party.
    pub raised_by: RaisedBy,
    /// The raiser's account of the problem.
    pub description: String,
    /// Evidence: the raiser's attachment ids, in the order given.
    pub attachment_ids: Vec<Uuid>,
    /// Open or resolved.
    pub status: DisputeStatus,
    /// The decision, once resolved.
    pub outcome: Option<Outcome>,
    /// Who resolved it.
    pub resolved_by: Option<UserId>,
    pub resolution_notes: Option<String>,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

impl Dispute {
    /// The dispute `raise` opened as `id` on `job` at `at`: pending.
    pub fn opened(id: i64, job: DisputedJob, raise: Raise, at: Timestamp) -> Dispute {
        Dispute {
            id,
            job,
            raised_by_id: raise.raised_by_id,
            raised_by: raise.raised_by,
            description: raise.description,
            attachment_ids: raise.attachment_ids,
            status: DisputeStatus::Pending,
            outcome: None,
            resolved_by: None,
            resolution_notes: None,
            created_at: at,
            resolved_at: None,
        }
    }

    /// The party that did not raise it.
    pub fn other_party(&self) -> UserId {
        match self.raised_by {
            RaisedBy::Customer => self.job.provider_user_id,
            RaisedBy::Provider => self.job.customer_id,
        }
    }
}

/// A checked request to raise a dispute on a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raise {
    /// The raiser.
    pub raised_by_id: UserId,
    /// As which party.
    pub raised_by: RaisedBy,
    /// Trimmed, 1–4000 characters.
    pub description: String,
    /// At most ten, no duplicates (ownership is checked against storage).
    pub attachment_ids: Vec<Uuid>,
}

/// Raising: only the job's customer or provider (403 for anyone else who may
/// see the job), on any job the provider has answered — in progress,
/// completed, paid, cancelled after acceptance, or rejected (whose thread the
/// dispute reopens). A `new` job is not disputable (409): the customer can
/// still cancel it and the provider reject it.
pub fn raise(
    job: &DisputedJob,
    raiser: UserId,
    description: &str,
    attachment_ids: &[Uuid],
) -> Result<Raise, DisputeError> {
    let raised_by = if raiser == job.customer_id {
        RaisedBy::Customer
    } else if raiser == job.provider_user_id {
        RaisedBy::Provider
    } else {
        return Err(DisputeError::Forbidden(
            "only the job's customer or provider raises a dispute",
        ));
    };
    let mut errors = Vec::new();
    let description = kernel::text::bounded("description", description, MAX_TEXT)
        .map_err(|e| errors.push(e))
        .ok();
    if let Err(e) = check_attachments(attachment_ids) {
        errors.push(e);
    }
    match description {
        Some(description) if errors.is_empty() => {
            if job.status == JobStatus::New {
                return Err(DisputeError::Conflict(
                    "a job the provider has not answered yet cannot be disputed",
                ));
            }
            Ok(Raise {
                raised_by_id: raiser,
                raised_by,
                description,
                attachment_ids: attachment_ids.to_vec(),
            })
        }
        _ => Err(DisputeError::Validation(errors)),
    }
}

fn check_attachments(ids: &[Uuid]) -> Result<(), kernel::FieldError> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(kernel::FieldError::new(
            "attachment_ids",
            format!("at most {MAX_ATTACHMENTS} attachments"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(**id)) {
        return Err(kernel::FieldError::new(
            "attachment_ids",
            format!("{dup} is listed twice"),
        ));
    }
    Ok(())
}

/// Who resolves: an admin, or an LSM of the dispute's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// A regional manager.
    Lsm(UserId),
    /// A platform operator.
    Admin(UserId),
}

impl Resolver {
    /// The acting user.
    pub fn user(self) -> UserId {
        match self {
            Self::Lsm(u) | Self::Admin(u) => u,
        }
    }
}

impl Dispute {
    /// Who the caller may resolve as, given what they may see: an admin, or
    /// an LSM of the job's region; a party (or an LSM elsewhere who somehow
    /// sees it) is refused with 403.
    pub fn resolver(
        &self,
        user: UserId,
        is_admin: bool,
        lsm_region: Option<&str>,
    ) -> Result<Resolver, DisputeError> {
        if lsm_region == Some(self.job.region_code.as_str()) {
            Ok(Resolver::Lsm(user))
        } else if is_admin {
            Ok(Resolver::Admin(user))
        } else {
            Err(DisputeError::Forbidden(
                "only an LSM of the job's region or an admin resolves a dispute",
            ))
        }
    }

    /// Resolves an open dispute with required notes and an outcome; a
    /// resolved dispute is a 409. Returns the resolved dispute.
    pub fn resolve(
        &self,
        by: Resolver,
        notes: &str,
        outcome: &str,
        at: Timestamp,
    ) -> Result<Dispute, DisputeError> {
        let mut errors = Vec::new();
        let notes = kernel::text::bounded("resolution_notes", notes, MAX_TEXT)
            .map_err(|e| errors.push(e))
            .ok();
        let outcome = Outcome::parse(outcome);
        if outcome.is_none() {
            errors.push(kernel::FieldError::new(
                "outcome",
                "must be one of in_favor_of_customer, in_favor_of_provider, split, dismissed",
            ));
        }
        let (Some(notes), Some(outcome)) = (notes, outcome) else {
            return Err(DisputeError::Validation(errors));
        };
        if self.status != DisputeStatus::Pending {
            return Err(DisputeError::Conflict("the dispute is already resolved"));
        }
        Ok(Dispute {
            status: DisputeStatus::Resolved,
            outcome: Some(outcome),
            resolved_by: Some(by.user()),
            resolution_notes: Some(notes),
            resolved_at: Some(at),
            ..self.clone()
        })
    }
}
