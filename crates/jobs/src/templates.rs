//! The notifications and e-mails a job change sends. Subjects are fixed text
//! with ids, never text a client wrote; bodies bound what they quote. Money
//! is written by `kernel::money_text` in the job's currency.

use effects::{Audience, Message};
use kernel::text::truncate_chars;
use serde_json::json;

use crate::job::{Job, Terms};
use crate::ports::JobRecord;
use crate::status::ActionKind;

/// A price in the job's `currency` (minor units), or "no price yet".
pub(crate) fn money(cents: Option<i64>, currency: &str) -> String {
    cents.map_or_else(
        || "no price yet".to_owned(),
        |c| kernel::money_text::format_stored(c, currency),
    )
}

/// A one-line summary of terms priced in `currency`, for system messages.
pub fn terms_line(t: &Terms, currency: &str) -> String {
    let when = t.scheduled_at.map_or_else(
        || "unscheduled".to_owned(),
        |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    format!(
        "{} · {} · \"{}\"",
        money(t.price_cents, currency),
        when,
        truncate_chars(&t.description, 80)
    )
}

/// The provider hears of a new job.
pub fn job_requested(record: &JobRecord) -> Message {
    let job = &record.job;
    Message {
        audience: Audience::ProviderOwner(job.provider_id),
        template: "job.requested".into(),
        subject: format!("New job request #{}", job.id),
        body: format!(
            "A customer asked for a job: {}\nPlease answer before {}.",
            terms_line(&job.terms, &record.currency),
            job.response_deadline.format("%Y-%m-%d %H:%M UTC")
        ),
        data: json!({ "job_id": job.id }),
    }
}

/// The other party hears of a transition.
pub fn job_changed(record: &JobRecord, action: ActionKind) -> Option<Message> {
    let job = &record.job;
    let (to_customer, what) = match action {
        ActionKind::Accept => (true, "was accepted by the provider"),
        ActionKind::Reject => (true, "was declined by the provider"),
        ActionKind::Complete => (true, "was marked completed by the provider"),
        ActionKind::MarkPaid => (true, "was marked paid"),
        ActionKind::Edit => (true, "has new terms waiting for your approval"),
        ActionKind::Cancel => (false, "was cancelled by the customer"),
        ActionKind::ApproveChanges => (false, "changes were approved by the customer"),
        ActionKind::DeclineChanges => (false, "changes were declined by the customer"),
        ActionKind::MissDeadline => return Some(deadline_missed(job)),
    };
    let audience = if to_customer {
        Audience::User(job.customer_id)
    } else {
        Audience::ProviderOwner(job.provider_id)
    };
    Some(Message {
        audience,
        template: format!("job.{}", action_name(action)),
        subject: format!("Job #{} {what}", job.id),
        body: format!(
            "Job #{} {what}.\nTerms: {}",
            job.id,
            terms_line(&job.terms, &record.currency)
        ),
        data: json!({ "job_id": job.id, "status": job.status.as_str() }),
    })
}

/// The provider is warned about a missed deadline.
pub fn deadline_missed(job: &Job) -> Message {
    Message {
        audience: Audience::ProviderOwner(job.provider_id),
        template: "job.deadline_missed".into(),
        subject: format!("You missed the response deadline of job #{}", job.id),
        body: format!(
            "Job #{} was not answered before {}. A warning was added to your profile; \
             repeated warnings put it under review.",
            job.id,
            job.response_deadline.format("%Y-%m-%d %H:%M UTC")
        ),
        data: json!({ "job_id": job.id }),
    }
}

/// The region's managers hear that a provider is under review.
pub fn provider_under_review(job: &Job, warnings: i64) -> Message {
    Message {
        audience: Audience::RegionLsms(job.region_code.clone()),
        template: "provider.under_review".into(),
        subject: format!("Provider #{} is under review", job.provider_id),
        body: format!(
            "Provider #{} reached {warnings} missed response deadlines and is in your review queue.",
            job.provider_id
        ),
        data: json!({ "provider_id": job.provider_id.0, "warnings": warnings }),
    }
}

/// The stored name of an action, for templates.
pub fn action_name(action: ActionKind) -> &'static str {
    match action {
        ActionKind::Accept => "accepted",
        ActionKind::Reject => "rejected",
        ActionKind::Cancel => "cancelled",
        ActionKind::Complete => "completed",
        ActionKind::MarkPaid => "paid",
        ActionKind::Edit => "edited",
        ActionKind::ApproveChanges => "changes_approved",
        ActionKind::DeclineChanges => "changes_declined",
        ActionKind::MissDeadline => "deadline_missed",
    }
}
