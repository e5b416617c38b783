//! The job as the rules see it, its negotiable terms, and the events a change records.

use kernel::{ProviderId, ServiceId, Timestamp, UserId};
use serde_json::{Value, json};

use crate::error::JobError;
use crate::machine::{Action, Facts};
use crate::status::{EventKind, JobStatus, Party};

/// What the provider may renegotiate: price, schedule, description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Quoted price in cents; `None` until quoted.
    pub price_cents: Option<i64>,
    /// When the work is planned.
    pub scheduled_at: Option<Timestamp>,
    /// What the customer asked for.
    pub description: String,
}

impl Terms {
    /// The JSON recorded in `edited` events (`before` and `after`).
    pub fn to_json(&self) -> Value {
        json!({
            "price_cents": self.price_cents,
            "scheduled_at": self.scheduled_at,
            "description": self.description,
        })
    }

    /// Reads terms back from an `edited` event's `before` or `after`.
    pub fn from_json(value: &Value) -> Option<Self> {
        let price_cents = match &value["price_cents"] {
            Value::Null => None,
            v => Some(v.as_i64()?),
        };
        let scheduled_at = match &value["scheduled_at"] {
            Value::Null => None,
            v => Some(serde_json::from_value(v.clone()).ok()?),
        };
        let description = value["description"].as_str()?.to_owned();
        Some(Self {
            price_cents,
            scheduled_at,
            description,
        })
    }
}

/// The largest price a job may carry: 10^10 minor units (a hundred million
/// dollars), far above any home service and far below what sums of prices
/// could overflow.
pub const MAX_PRICE_CENTS: i64 = 10_000_000_000;

/// A price's field error, if it is negative or above [`MAX_PRICE_CENTS`].
pub fn check_price(price_cents: Option<i64>) -> Option<kernel::FieldError> {
    let p = price_cents?;
    if p < 0 {
        Some(kernel::FieldError::new(
            "price_cents",
            "must not be negative",
        ))
    } else if p > MAX_PRICE_CENTS {
        Some(kernel::FieldError::new(
            "price_cents",
            format!("must be at most {MAX_PRICE_CENTS}"),
        ))
    } else {
        None
    }
}

/// A provider's edit: only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermsPatch {
    /// New price in cents.
    pub price_cents: Option<i64>,
    /// New schedule.
    pub scheduled_at: Option<Timestamp>,
    /// New description.
    pub description: Option<String>,
}

impl TermsPatch {
    /// Checks each field present: price from 0 to [`MAX_PRICE_CENTS`], schedule in range, description 1–4000 clean characters.
    pub fn validated(self) -> Result<Self, JobError> {
        let mut errors = Vec::new();
        errors.extend(check_price(self.price_cents));
        if let Some(at) = self.scheduled_at
            && let Err(e) = kernel::dates::check_timestamp("scheduled_at", at)
        {
            errors.push(e);
        }
        let description = match self.description {
            Some(d) => match parse_description(&d) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        if self.price_cents.is_none() && self.scheduled_at.is_none() && description.is_none() {
            errors.push(kernel::FieldError::new(
                "body",
                "give at least one of price_cents, scheduled_at, description",
            ));
        }
        if !errors.is_empty() {
            return Err(JobError::Validation(errors));
        }
        Ok(Self {
            description,
            ..self
        })
    }

    fn apply_to(&self, terms: &Terms) -> Terms {
        Terms {
            price_cents: self.price_cents.or(terms.price_cents),
            scheduled_at: self.scheduled_at.or(terms.scheduled_at),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| terms.description.clone()),
        }
    }
}

/// A job description: trimmed, 1 to 4000 characters, through the text normaliser.
pub fn parse_description(input: &str) -> Result<String, kernel::FieldError> {
    kernel::text::bounded("description", input, 4000)
}

/// A job, as the rules need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Id (0 before it is stored).
    pub id: i64,
    /// The customer's user id.
    pub customer_id: UserId,
    /// The provider.
    pub provider_id: ProviderId,
    /// The provider's user id.
    pub provider_user_id: UserId,
    /// The booked catalog service.
    pub service_id: ServiceId,
    /// The region the job is in.
    pub region_code: String,
    /// Where it stands.
    pub status: JobStatus,
    /// The terms the job shows: the agreed ones, or the provider's pending
    /// proposal while `pending_approval` is set.
    pub terms: Terms,
    /// The terms in force: the initial ones, or the last the customer
    /// approved. An edit never moves them; a decline restores them.
    pub agreed: Terms,
    /// The provider proposed new terms and the customer has not answered yet.
    pub pending_approval: bool,
    /// When the provider must have answered.
    pub response_deadline: Timestamp,
    /// When the provider accepted or rejected.
    pub responded_at: Option<Timestamp>,
    /// The provider's reason for rejecting, or the customer's for declining changes.
    pub rejection_reason: Option<String>,
    /// The customer's reason for cancelling.
    pub cancellation_reason: Option<String>,
    /// When the work was completed.
    pub completed_at: Option<Timestamp>,
    /// When it was marked paid.
    pub paid_at: Option<Timestamp>,
    /// The deadline sweep already warned for this job.
    pub deadline_warning_issued: bool,
    /// Optimistic-concurrency version; each change adds one.
    pub version: i64,
}

/// One `job_events` row to record.
#[derive(Debug, Clone, PartialEq)]
pub struct JobEvent {
    /// What happened.
    pub kind: EventKind,
    /// Who did it.
    pub actor: Party,
    /// Details (before/after of an edit, reasons).
    pub data: Value,
}

/// A transition's result: the new job and what it recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The job after the change (its `version` is one more).
    pub job: Job,
    /// The events to record, in order.
    pub events: Vec<JobEvent>,
}

impl Job {
    /// A dispute `dispute_id` opened by `by` (the customer or the provider).
    /// Nothing of the job changes but its version — so a decision taken on
    /// the job before the dispute loses its compare-and-set and is taken
    /// again, seeing it (the freeze holds under concurrency) — and its
    /// history, which records `disputed`.
    pub fn disputed(&self, by: Party, dispute_id: i64) -> Outcome {
        Outcome {
            job: Job {
                version: self.version + 1,
                ..self.clone()
            },
            events: vec![JobEvent {
                kind: EventKind::Disputed,
                actor: by,
                data: json!({ "dispute_id": dispute_id }),
            }],
        }
    }

    /// Applies `action` by `actor`: the new job and its events, or why not.
    /// The rules are [`crate::machine::TRANSITIONS`]; this only performs the effect.
    pub fn apply(
        &self,
        actor: Party,
        action: Action,
        facts: &Facts,
        now: Timestamp,
    ) -> Result<Outcome, JobError> {
        if let Action::Reject { reason } = &action
            && reason.trim().is_empty()
        {
            // Whoever built the action: a rejection always says why.
            return Err(JobError::field("reason", "is required"));
        }
        if let Action::Cancel { reason } = &action
            && actor == Party::Provider
            && reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            // A provider withdrawing from an accepted job says why.
            return Err(JobError::field("reason", "is required"));
        }
        let edge = crate::machine::edge_for(self, actor, &action, facts, now)?;
        let mut job = self.clone();
        job.version += 1;
        let data = job.perform(action, now);
        if let Some(to) = edge.to {
            job.status = to;
        }
        Ok(Outcome {
            job,
            events: vec![JobEvent {
                kind: edge.event,
                actor,
                data,
            }],
        })
    }

    /// Changes the fields an action touches; returns the event's data.
    fn perform(&mut self, action: Action, now: Timestamp) -> Value {
        match action {
            Action::Accept => {
                self.responded_at = Some(now);
                json!({})
            }
            Action::Reject { reason } => {
                self.responded_at = Some(now);
                self.rejection_reason = Some(reason.clone());
                json!({ "reason": reason })
            }
            Action::Cancel { reason } => {
                self.cancellation_reason = reason.clone();
                json!({ "reason": reason })
            }
            Action::Complete => {
                self.completed_at = Some(now);
                json!({})
            }
            Action::MarkPaid => {
                self.paid_at = Some(now);
                json!({ "price_cents": self.agreed.price_cents })
            }
            Action::Edit(patch) => {
                // A new proposal replaces a pending one; the agreed terms stay.
                let before = self.terms.clone();
                self.terms = patch.apply_to(&before);
                self.pending_approval = true;
                json!({
                    "before": before.to_json(),
                    "after": self.terms.to_json(),
                    "agreed": self.agreed.to_json(),
                })
            }
            Action::ApproveChanges => {
                self.agreed = self.terms.clone();
                self.pending_approval = false;
                json!({ "terms": self.terms.to_json() })
            }
            Action::DeclineChanges { reason } => {
                let declined = std::mem::replace(&mut self.terms, self.agreed.clone());
                self.pending_approval = false;
                self.rejection_reason = reason.clone();
                json!({
                    "reason": reason,
                    "declined": declined.to_json(),
                    "restored": self.terms.to_json(),
                })
            }
            Action::MissDeadline => {
                self.deadline_warning_issued = true;
                json!({ "response_deadline": self.response_deadline })
            }
        }
    }
}

/// A reason given with a transition: trimmed, 1 to 2000 characters through
/// the text normaliser; `required` refuses an absent or blank one.
pub fn parse_reason(input: Option<&str>, required: bool) -> Result<Option<String>, JobError> {
    match kernel::text::optional_bounded("reason", input, 2000) {
        Ok(None) if required => Err(JobError::field("reason", "is required")),
        Ok(reason) => Ok(reason),
        Err(e) => Err(JobError::Validation(vec![e])),
    }
}
