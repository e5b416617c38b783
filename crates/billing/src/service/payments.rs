//! Payments and refunds: idempotent, and exact under concurrency through
//! optimistic versions on the invoice (retried, never lost or doubled).

use kernel::dates::check_timestamp;
use kernel::{Ctx, Page, PageRequest, StoreError, Timestamp};

use super::invoices::{MAX_ATTEMPTS, TOO_FAST};
use super::{BillingService, into_page, page_start};
use crate::error::BillingError;
use crate::invoice::{check_payment_amount, refund_reason};
use crate::model::{Invoice, Payment, PaymentMethod, TenantScope};
use crate::ports::NewPayment;
use crate::values::{Fields, optional_text};

/// A payment as sent.
#[derive(Debug, Clone)]
pub struct PaymentInput {
    /// Amount (> 0, ≤ balance).
    pub amount_cents: i64,
    /// Method name.
    pub method: String,
    pub reference: Option<String>,
    /// When received (default now).
    pub received_at: Option<Timestamp>,
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
}

/// A refund as sent: both fields optional.
#[derive(Debug, Clone, Default)]
pub struct RefundInput {
    /// How much to give back (> 0, ≤ what remains refundable); all that remains when absent.
    pub amount_cents: Option<i64>,
    /// Why (at most 500 characters).
    pub reason: Option<String>,
}

/// A recorded (or replayed) payment with the invoice after it.
#[derive(Debug, Clone)]
pub struct PaymentOutcome {
    /// The payment.
    pub payment: Payment,
    /// The invoice's state now.
    pub invoice: Invoice,
    /// Whether this answers a retry of an earlier request.
    pub replayed: bool,
}

fn fingerprint(
    invoice_id: i64,
    input: &PaymentInput,
    method: PaymentMethod,
    reference: Option<&str>,
) -> String {
    let received = input
        .received_at
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    format!(
        "{invoice_id}|{}|{}|{}|{received}",
        input.amount_cents,
        method.as_str(),
        reference.unwrap_or("")
    )
}

impl BillingService {
    /// Records a succeeded payment; the invoice's balance and status change in the same transaction.
    pub async fn record_payment(
        &self,
        ctx: &Ctx,
        invoice_id: i64,
        input: PaymentInput,
    ) -> Result<PaymentOutcome, BillingError> {
        let scope = self.scope(ctx).await?;
        let mut f = Fields::default();
        f.take(check_payment_amount(input.amount_cents));
        let method = f.take(PaymentMethod::parse(&input.method).ok_or_else(|| {
            kernel::FieldError::new(
                "method",
                format!("must be one of {}", PaymentMethod::names()),
            )
        }));
        let reference = f.take(optional_text("reference", input.reference.as_deref(), 255));
        if let Some(at) = input.received_at {
            f.take(check_timestamp("received_at", at));
        }
        let key = input.idempotency_key.as_deref().map(str::trim);
        if key.is_some_and(|k| {
            k.is_empty() || k.len() > 255 || !k.bytes().all(|b| b.is_ascii_graphic())
        }) {
            f.0.push(kernel::FieldError::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ));
        }
        f.finish()?;
        let (Some(method), Some(reference)) = (method, reference) else {
            return Err(BillingError::Validation(Vec::new()));
        };
        let hash = fingerprint(invoice_id, &input, method, reference.as_deref());
        if let Some(key) = key
            && let Some(existing) = self.invoices.payment_by_key(scope.tenant_id, key).await?
        {
            return self.replay(&scope, existing, &hash).await;
        }
        let payment = NewPayment {
            amount_cents: input.amount_cents,
            method,
            reference,
            received_at: input.received_at.unwrap_or_else(|| self.clock.now()),
            idempotency_key: key.map(str::to_owned),
            request_hash: Some(hash.clone()),
        };
        for _ in 0..MAX_ATTEMPTS {
            let mut invoice = self
                .invoices
                .get(scope.tenant_id, invoice_id)
                .await?
                .ok_or(BillingError::NotFound)?;
            let expected = invoice.version;
            invoice.updated_at = self.clock.now();
            if let Err(refusal) = invoice.apply_payment(payment.amount_cents) {
                // The invoice may have changed because this very request, sent twice,
                // was just recorded: that is a replay, not a refusal.
                return match self.recorded_under(&scope, key).await? {
                    Some(existing) => self.replay(&scope, existing, &hash).await,
                    None => Err(refusal),
                };
            }
            match self
                .invoices
                .record_payment(
                    scope.tenant_id,
                    invoice.clone(),
                    expected,
                    payment.clone(),
                    self.clock.now(),
                )
                .await
            {
                Ok(recorded) => {
                    invoice.version = expected + 1;
                    return Ok(PaymentOutcome {
                        payment: recorded,
                        invoice,
                        replayed: false,
                    });
                }
                Err(StoreError::Stale) => {
                    if let Some(existing) = self.recorded_under(&scope, key).await? {
                        return self.replay(&scope, existing, &hash).await;
                    }
                }
                Err(StoreError::Conflict(kernel::Constraint::PaymentIdempotencyKey)) => {
                    // The same key won a race in flight: answer with that payment.
                    let existing = self
                        .recorded_under(&scope, key)
                        .await?
                        .ok_or(BillingError::NotFound)?;
                    return self.replay(&scope, existing, &hash).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(TOO_FAST)
    }

    /// The payment already recorded under the request's idempotency key, if any.
    async fn recorded_under(
        &self,
        scope: &TenantScope,
        key: Option<&str>,
    ) -> Result<Option<Payment>, BillingError> {
        match key {
            Some(key) => Ok(self.invoices.payment_by_key(scope.tenant_id, key).await?),
            None => Ok(None),
        }
    }

    async fn replay(
        &self,
        scope: &TenantScope,
        existing: Payment,
        hash: &str,
    ) -> Result<PaymentOutcome, BillingError> {
        if existing.request_hash.as_deref() != Some(hash) {
            return Err(BillingError::field(
                "Idempotency-Key",
                "was already used for a different request",
            ));
        }
        let invoice = self
            .invoices
            .get(scope.tenant_id, existing.invoice_id)
            .await?
            .ok_or(BillingError::NotFound)?;
        Ok(PaymentOutcome {
            payment: existing,
            invoice,
            replayed: true,
        })
    }

    /// Gives back part or all of a succeeded payment; the invoice's balance grows
    /// back and its status follows. Both rows are compare-and-set in one
    /// transaction, re-read and re-applied when a concurrent change wins.
    pub async fn refund_payment(
        &self,
        ctx: &Ctx,
        payment_id: i64,
        input: RefundInput,
    ) -> Result<PaymentOutcome, BillingError> {
        let scope = self.scope(ctx).await?;
        let mut f = Fields::default();
        if let Some(amount) = input.amount_cents {
            f.take(check_payment_amount(amount));
        }
        let reason = f.take(refund_reason(input.reason.as_deref())).flatten();
        f.finish()?;
        for _ in 0..MAX_ATTEMPTS {
            let mut payment = self
                .invoices
                .payment(scope.tenant_id, payment_id)
                .await?
                .ok_or(BillingError::NotFound)?;
            let refunded_before = payment.refunded_cents;
            let given = payment.refund(input.amount_cents, reason.clone())?;
            let mut invoice = self
                .invoices
                .get(scope.tenant_id, payment.invoice_id)
                .await?
                .ok_or(BillingError::NotFound)?;
            let expected = invoice.version;
            invoice.apply_refund(given)?;
            invoice.updated_at = self.clock.now();
            match self
                .invoices
                .refund_payment(
                    scope.tenant_id,
                    invoice.clone(),
                    expected,
                    payment,
                    refunded_before,
                )
                .await
            {
                Ok(refunded) => {
                    invoice.version = expected + 1;
                    return Ok(PaymentOutcome {
                        payment: refunded,
                        invoice,
                        replayed: false,
                    });
                }
                Err(StoreError::Stale) => {
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(TOO_FAST)
    }

    /// Payments, optionally of one invoice, newest first.
    pub async fn payments(
        &self,
        ctx: &Ctx,
        invoice_id: Option<i64>,
        page: &PageRequest,
    ) -> Result<Page<Payment>, BillingError> {
        let scope = self.scope(ctx).await?;
        if let Some(id) = invoice_id
            && self.invoices.get(scope.tenant_id, id).await?.is_none()
        {
            return Err(BillingError::NotFound);
        }
        let before = page_start(scope.tenant_id, page)?;
        let rows = self
            .invoices
            .payments(scope.tenant_id, invoice_id, before, page.limit + 1)
            .await?;
        Ok(into_page(scope.tenant_id, rows, page, |p| p.id))
    }
}
