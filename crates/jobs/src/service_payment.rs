//! Mark paid: the `paid` transition with the sale it records in the provider's
//! books, written together or not at all.

use billing::Invoice;
use billing::books::MarketplaceBill;
use billing::ports::NewPayment;
use effects::Message;
use kernel::{Ctx, Precondition, StoreError};
use serde_json::json;

use crate::error::JobError;
use crate::machine::Action;
use crate::payment::{PaidWith, Sale};
use crate::ports::{JobChange, JobRecord};
use crate::service::{ATTEMPTS, JobService, party_of};
use crate::templates::money;
use crate::unit_of_work::JobUnitOfWork;

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
    /// The provider records the customer's payment of a completed job, in one
    /// unit of work: the `paid` transition, the marketplace transaction (fee
    /// from the settings, never from input), then — in the provider's books —
    /// its invoice, issued and paid by billing's invoice rules, with its
    /// payment. A provider without a tenant is a 409.
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
            let mut unit = self.units().begin().await?;
            let jobs = unit.jobs();
            let facts = jobs.facts(&record.job).await?;
            let mut change = self.change_given(ctx, record, party, Action::MarkPaid, &facts)?;
            let tenant =
                jobs.provider_tenant(change.job.provider_id)
                    .await?
                    .ok_or(JobError::Conflict(
                        "the provider has no back-office tenant to record the payment in",
                    ))?;
            let settings = jobs.settings().await?;
            let sale = Sale::of(
                &change.job,
                &currency,
                tenant,
                settings.platform_fee_bps,
                paid_with.clone(),
                change.at,
            )?;
            change.effects = std::mem::take(&mut change.effects).message(payment_recorded(&sale));
            drop(jobs);
            match write_paid(unit.as_mut(), &change, &sale).await {
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
}

/// The writes of a job marked paid, in the order the unit of work needs:
/// the transition (compare-and-set: [`StoreError::Stale`] when the job
/// moved), the job as saved, the marketplace transaction, then in the
/// provider's books its invoice — issued and paid by billing's rules — with
/// its payment. Returns the job as saved; the caller commits.
pub async fn write_paid(
    unit: &mut dyn JobUnitOfWork,
    change: &JobChange,
    sale: &Sale,
) -> Result<JobRecord, JobError> {
    let (invoice, payment) = paid_invoice(sale)?;
    let jobs = unit.jobs();
    jobs.save(change).await?;
    let saved = jobs.load(change.job.id).await?;
    let sale_id = jobs.insert_sale(sale).await?;
    drop(jobs);
    let books = unit.books(sale.tenant_id);
    let invoice = books.insert_invoice(invoice, sale_id).await?;
    books.insert_payment(&invoice, payment, sale.at).await?;
    Ok(saved)
}

/// The sale's invoice as billing's rules leave it once the whole amount is
/// paid (issued, then the payment applied: `paid`, balance 0), and that payment.
pub(crate) fn paid_invoice(sale: &Sale) -> Result<(Invoice, NewPayment), JobError> {
    let unbillable = |_| JobError::Conflict("the job's price cannot be invoiced");
    let mut invoice = Invoice::marketplace(
        MarketplaceBill {
            client_party_id: None,
            currency: &sale.currency,
            amount_cents: sale.amount_cents,
            description: &sale.service_description,
            due_date: sale.transaction_date,
            notes: format!("Marketplace job #{}", sale.job_id),
        },
        sale.at,
    )
    .map_err(unbillable)?;
    invoice
        .apply_payment(sale.amount_cents)
        .map_err(unbillable)?;
    let payment = NewPayment {
        amount_cents: sale.amount_cents,
        method: sale.paid_with.method.billing(),
        reference: sale.paid_with.reference.clone(),
        received_at: sale.at,
        idempotency_key: None,
        request_hash: None,
    };
    Ok((invoice, payment))
}
