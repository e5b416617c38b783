//! Reminders (issue 19): both parties of an accepted job are told
//! `reminder_hours_before` its start, exactly once per start across
//! instances — the reminder's row is the claim, written with its e-mails and
//! notifications. A cancelled job is never reminded; a rescheduled one is
//! reminded of its new start.

use chrono::Duration;
use effects::{Audience, Effects, Message};
use serde_json::json;

use crate::error::JobError;
use crate::ports::JobRecord;
use crate::service::JobService;

/// Jobs one pass looks at; the next tick takes the rest.
pub const REMINDER_BATCH: u64 = 500;

/// The reminder of `record`'s start to both parties.
pub fn reminder(record: &JobRecord) -> Effects {
    let job = &record.job;
    let when = job
        .agreed
        .scheduled_at
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
    let about = |audience| Message {
        audience,
        template: "job.reminder".into(),
        subject: format!("Reminder: job #{} starts {when}", job.id),
        body: format!(
            "Job #{} starts {when}: {}",
            job.id,
            crate::templates::terms_line(&job.agreed, &record.currency)
        ),
        data: json!({ "job_id": job.id, "scheduled_at": job.agreed.scheduled_at }),
    };
    Effects::none()
        .message(about(Audience::User(job.customer_id)))
        .message(about(Audience::ProviderOwner(job.provider_id)))
}

impl JobService {
    /// Sends the reminders due now; how many this instance sent.
    pub async fn send_reminders(&self) -> Result<usize, JobError> {
        let settings = self.repo().settings().await?;
        let now = self.now();
        let until = now + Duration::hours(settings.reminder_hours_before);
        let due = self
            .repo()
            .due_reminders(now, until, REMINDER_BATCH)
            .await?;
        let mut sent = 0;
        for record in due {
            let Some(start) = record.job.agreed.scheduled_at else {
                continue;
            };
            let mut unit = self.units().begin().await?;
            let jobs = unit.jobs();
            if !jobs.claim_reminder(record.job.id, start, now).await? {
                continue;
            }
            jobs.effects(&reminder(&record), now).await?;
            drop(jobs);
            unit.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }
}
