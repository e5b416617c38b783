//! Rating a job: once, by its customer, after completion.

use effects::{Audience, Effects, Message};
use kernel::{Ctx, StoreError};
use serde_json::json;

use crate::error::JobError;
use crate::ports::RatingRecord;
use crate::rating::{Rating, RatingInput};
use crate::service::{JobService, party_of};

impl JobService {
    /// Rates a completed or paid job; the provider's figures follow in the same transaction.
    pub async fn rate(
        &self,
        ctx: &Ctx,
        id: i64,
        input: RatingInput,
    ) -> Result<RatingRecord, JobError> {
        let record = self.get(ctx, id).await?;
        let party = party_of(ctx, &record.job)
            .ok_or(JobError::Forbidden("only the job's customer may rate it"))?;
        let rating = Rating::parse(input)?;
        let rated = self.repo().is_rated(id).await?;
        Rating::allowed(&record.job, party, rated)?;
        let job = &record.job;
        let effects = Effects::none().message(Message {
            audience: Audience::ProviderOwner(job.provider_id),
            template: "job.rated".into(),
            subject: format!("Job #{} was rated {} of 5", job.id, rating.rating.get()),
            body: format!(
                "The customer rated job #{}: {} of 5 overall, {} for punctuality, {} for response time.",
                job.id,
                rating.rating.get(),
                rating.punctuality.get(),
                rating.response_time.get()
            ),
            data: json!({ "job_id": job.id }),
        });
        match self.repo().rate(job, &rating, effects, self.now()).await {
            Ok(r) => Ok(r),
            Err(StoreError::Conflict(kernel::Constraint::RatingOfJob)) => {
                Err(JobError::Conflict("this job is already rated"))
            }
            Err(e) => Err(e.into()),
        }
    }
}
