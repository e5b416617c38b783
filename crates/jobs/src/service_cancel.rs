//! Cancelling a job (issue 19): a customer's late cancel costs the fee of the
//! policy the job was booked under, booked in the provider's books; a
//! provider withdrawing from an accepted job never charges the customer and
//! may count as a warning. Either way the job's slot is released, in one
//! unit of work with the transition.

use effects::{Audience, Message};
use kernel::{Ctx, Precondition, StoreError, Timestamp};
use scheduling::{CancellationPreview, cancellation_fee};
use serde_json::json;

use crate::error::JobError;
use crate::machine::Action;
use crate::payment::Sale;
use crate::ports::{JobChange, JobRecord};
use crate::service::{ATTEMPTS, JobService, party_of};
use crate::status::{JobStatus, Party};
use crate::templates::money;
use crate::unit_of_work::JobUnitOfWork;
use crate::warnings;

/// What cancelling `record` at `now` would cost its customer, under the
/// policy it was booked with (`None`: booked before policies, free).
pub fn preview(record: &JobRecord, cap_bps: u32, now: Timestamp) -> Option<CancellationPreview> {
    let policy = record.cancellation_policy?;
    let job = &record.job;
    Some(cancellation_fee(
        policy,
        job.status == JobStatus::InProgress,
        job.agreed.price_cents,
        job.agreed.scheduled_at,
        now,
        cap_bps,
    ))
}

fn fee_charged(sale: &Sale) -> [Message; 2] {
    let amount = money(Some(sale.amount_cents), &sale.currency);
    let about = |audience, body: String| Message {
        audience,
        template: "job.cancellation_fee".into(),
        subject: format!("Cancellation fee for job #{}", sale.job_id),
        body,
        data: json!({ "job_id": sale.job_id, "fee_cents": sale.amount_cents }),
    };
    [
        about(
            Audience::User(sale.client_user_id),
            format!(
                "Job #{} was cancelled inside its cancellation window: a fee of {amount} is due to the provider.",
                sale.job_id
            ),
        ),
        about(
            Audience::User(sale.provider_user_id),
            format!(
                "Job #{} was cancelled late by the customer: an invoice for the {amount} fee is in your books.",
                sale.job_id
            ),
        ),
    ]
}

fn withdrawn(job: &crate::job::Job, reason: &str) -> Message {
    Message {
        audience: Audience::User(job.customer_id),
        template: "job.cancelled_by_provider".into(),
        subject: format!("Job #{} was cancelled by the provider", job.id),
        body: format!(
            "The provider cancelled job #{}: {reason}\nNothing is charged to you.",
            job.id
        ),
        data: json!({ "job_id": job.id, "status": job.status.as_str() }),
    }
}

impl JobService {
    /// What a customer's cancel would cost now.
    pub async fn cancellation_preview(
        &self,
        ctx: &Ctx,
        id: i64,
    ) -> Result<(JobRecord, Option<CancellationPreview>), JobError> {
        let record = self.get(ctx, id).await?;
        let settings = self.repo().settings().await?;
        let found = preview(&record, settings.cancellation_fee_cap_bps, self.now());
        Ok((record, found))
    }

    /// Cancels the job for its customer or its provider, in one unit of work.
    pub(crate) async fn cancel(
        &self,
        ctx: &Ctx,
        id: i64,
        action: Action,
        if_match: Precondition,
    ) -> Result<JobRecord, JobError> {
        for _ in 0..ATTEMPTS {
            let record = self.get(ctx, id).await?;
            let party = party_of(ctx, &record.job).ok_or(JobError::Forbidden(
                "only the job's customer or provider may change it",
            ))?;
            if !if_match.matches(record.job.version) {
                return Err(JobError::PreconditionFailed);
            }
            let mut unit = self.units().begin().await?;
            match self
                .write_cancel(unit.as_mut(), ctx, record, party, action.clone())
                .await
            {
                Ok(saved) => {
                    unit.commit().await?;
                    return Ok(saved);
                }
                Err(JobError::Store(StoreError::Stale)) if if_match.names_versions() => {
                    return Err(JobError::PreconditionFailed);
                }
                Err(JobError::Store(StoreError::Stale)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(JobError::Stale)
    }

    async fn write_cancel(
        &self,
        unit: &mut dyn JobUnitOfWork,
        ctx: &Ctx,
        record: JobRecord,
        party: Party,
        action: Action,
    ) -> Result<JobRecord, JobError> {
        let jobs = unit.jobs();
        let facts = jobs.facts(&record.job).await?;
        let settings = jobs.settings().await?;
        let now = self.now();
        let fee = match party {
            Party::Customer => {
                preview(&record, settings.cancellation_fee_cap_bps, now).map_or(0, |p| p.fee_cents)
            }
            _ => 0,
        };
        let currency = record.currency.clone();
        let reason = match &action {
            Action::Cancel { reason } => reason.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let mut change: JobChange = self.change_given(ctx, record, party, action, &facts)?;
        let tenant = if fee > 0 {
            jobs.provider_tenant(change.job.provider_id).await?
        } else {
            None
        };
        let sale = tenant.map(|t| {
            Sale::cancellation_fee(
                &change.job,
                &currency,
                t,
                settings.platform_fee_bps,
                fee,
                now,
            )
        });
        if party == Party::Provider {
            // The customer hears it from the provider's side, not the template's.
            change.effects.messages = vec![withdrawn(&change.job, &reason)];
        }
        if let Some(sale) = &sale {
            for m in fee_charged(sale) {
                change.effects = std::mem::take(&mut change.effects).message(m);
            }
        }
        jobs.save(&change).await?;
        let saved = jobs.load(change.job.id).await?;
        if let Some(sale) = &sale {
            let sale_id = jobs.insert_sale(sale).await?;
            drop(jobs);
            let invoice = fee_invoice(sale)?;
            unit.books(sale.tenant_id)
                .insert_invoice(invoice, sale_id)
                .await?;
            return Ok(saved);
        }
        if party == Party::Provider && settings.provider_cancel_counts_as_warning {
            let job = &change.job;
            let standing = jobs.standing(job.provider_id, job.customer_id, now).await?;
            let count = standing.warnings + 1;
            let review = warnings::after_warning(
                job,
                count,
                standing.under_review,
                settings.warning_threshold,
            );
            jobs.count_warning(job, count, review.flag, now).await?;
            jobs.effects(&review.effects, now).await?;
        }
        Ok(saved)
    }
}

/// The fee's invoice: issued by billing's rules, open until paid.
fn fee_invoice(sale: &Sale) -> Result<billing::Invoice, JobError> {
    billing::Invoice::marketplace(
        billing::books::MarketplaceBill {
            client_party_id: None,
            currency: &sale.currency,
            amount_cents: sale.amount_cents,
            description: &sale.service_description,
            due_date: sale.transaction_date,
            notes: format!("Cancellation fee, marketplace job #{}", sale.job_id),
        },
        sale.at,
    )
    .map_err(|_| JobError::Conflict("the cancellation fee cannot be invoiced"))
}
