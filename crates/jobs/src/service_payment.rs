//! Mark paid: the `paid` transition with the sale it records in the provider's
//! books, written together or not at all.

use effects::Message;
use kernel::{Ctx, Precondition, StoreError};
use serde_json::json;

use crate::error::JobError;
use crate::machine::Action;
use crate::payment::{PaidWith, Sale};
use crate::ports::JobRecord;
use crate::service::{ATTEMPTS, JobService, party_of};
use crate::templates::money;

/// The provider's receipt: what was recorded and what the platform keeps.
pub(crate) fn payment_recorded(sale: &Sale) -> Message {
    Message {
        audience: effects::Audience::User(sale.provider_user_id),
        template: "job.payment_recorded".into(),
        subject: format!("Payment recorded for job #{}", sale.job_id),
        body: format!(
            "Job #{} was marked paid ({}): {} received, platform fee {}, your payout {}.\n\
             A paid invoice is in your books.",
            sale.job_id,
            sale.paid_with.method.as_str(),
            money(Some(sale.amount_cents), &sale.currency),
            money(Some(sale.split.fee_cents), &sale.currency),
            money(Some(sale.split.net_cents), &sale.currency),
        ),
        data: json!({ "job_id": sale.job_id }),
    }
}

impl JobService {
    /// The provider records the customer's payment of a completed job: the
    /// job becomes `paid`, and the provider's tenant gets the marketplace
    /// transaction (fee from the settings, never from input) and its paid
    /// invoice, in one transaction. A provider without a tenant is a 409.
    pub async fn mark_paid(
        &self,
        ctx: &Ctx,
        id: i64,
        paid_with: PaidWith,
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
            let currency = record.currency.clone();
            let mut change = self.change(ctx, record, party, Action::MarkPaid).await?;
            let tenant = self
                .repo()
                .provider_tenant(change.job.provider_id)
                .await?
                .ok_or(JobError::Conflict(
                    "the provider has no back-office tenant to record the payment in",
                ))?;
            let settings = self.repo().settings().await?;
            let sale = Sale::of(
                &change.job,
                &currency,
                tenant,
                settings.platform_fee_bps,
                paid_with.clone(),
                change.at,
            )?;
            change.effects = std::mem::take(&mut change.effects).message(payment_recorded(&sale));
            match self.repo().mark_paid(change, sale).await {
                Ok(saved) => return Ok(saved),
                Err(StoreError::Stale) if if_match.names_versions() => {
                    return Err(JobError::PreconditionFailed);
                }
                Err(StoreError::Stale) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(JobError::Stale)
    }
}
