//! Marking a job paid (SPEC §4 Jobs, phase 1 manual payment): how the customer
//! paid, and the sale it records in the provider's books — a marketplace
//! transaction with the platform's fee, and a paid marketplace invoice.

use chrono::NaiveDate;
use kernel::{FieldError, TenantId, Timestamp, UserId};

use crate::error::JobError;
use crate::fees::{FeeSplit, platform_fee};
use crate::job::Job;

/// How the customer paid (the billing payment methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PayMethod {
    /// Cash, the default.
    #[default]
    Cash,
    Check,
    Card,
    BankTransfer,
    /// Anything else.
    Other,
}

impl PayMethod {
    /// Every method.
    pub const ALL: [PayMethod; 5] = [
        Self::Cash,
        Self::Check,
        Self::Card,
        Self::BankTransfer,
        Self::Other,
    ];

    /// The stored and wire name (the same as billing's `payments.method`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::Check => "check",
            Self::Card => "card",
            Self::BankTransfer => "bank_transfer",
            Self::Other => "other",
        }
    }

    /// Reads a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The same method as the books record it.
    pub fn billing(self) -> billing::PaymentMethod {
        match self {
            Self::Cash => billing::PaymentMethod::Cash,
            Self::Check => billing::PaymentMethod::Check,
            Self::Card => billing::PaymentMethod::Card,
            Self::BankTransfer => billing::PaymentMethod::BankTransfer,
            Self::Other => billing::PaymentMethod::Other,
        }
    }
}

/// The body of `POST /jobs/{id}/mark-paid`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaidWith {
    pub method: PayMethod,
    /// A receipt or cheque number, 1–255 clean characters.
    pub reference: Option<String>,
}

impl PaidWith {
    /// Validates the raw fields; an absent method is cash.
    pub fn parse(method: Option<&str>, reference: Option<&str>) -> Result<Self, JobError> {
        let mut errors = Vec::new();
        let method = match method {
            None => PayMethod::Cash,
            Some(m) => PayMethod::parse(m).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "method",
                    "must be one of cash, check, card, bank_transfer, other",
                ));
                PayMethod::Cash
            }),
        };
        let reference =
            kernel::text::optional_bounded("reference", reference, 255).unwrap_or_else(|e| {
                errors.push(e);
                None
            });
        if errors.is_empty() {
            Ok(Self { method, reference })
        } else {
            Err(JobError::Validation(errors))
        }
    }
}

/// What a job's marketplace transaction records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaleKind {
    /// The job marked paid: a completed transaction, its invoice paid.
    #[default]
    JobPayment,
    /// A customer's late cancel: a pending transaction, its invoice issued
    /// and open until the provider records the customer's payment.
    CancellationFee,
}

impl SaleKind {
    /// The stored and wire name (`marketplace_transactions.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JobPayment => "job_payment",
            Self::CancellationFee => "cancellation_fee",
        }
    }

    /// The transaction's status when recorded.
    pub fn status(self) -> &'static str {
        match self {
            Self::JobPayment => "completed",
            Self::CancellationFee => "pending",
        }
    }
}

/// The sale a paid job records in the provider's tenant: the marketplace
/// transaction (status `completed`) and its paid invoice with one line and
/// one succeeded payment. Every amount comes from the job and the fee rule,
/// never from input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// The provider's back-office tenant.
    pub tenant_id: TenantId,
    /// The provider's user.
    pub provider_user_id: UserId,
    /// The customer.
    pub client_user_id: UserId,
    /// The job paid.
    pub job_id: i64,
    /// The invoice line and the transaction's description.
    pub service_description: String,
    /// The job's price.
    pub amount_cents: i64,
    /// Its currency.
    pub currency: String,
    /// The platform's cut and the provider's payout.
    pub split: FeeSplit,
    /// The day of the payment (UTC, from the use case's clock).
    pub transaction_date: NaiveDate,
    /// How the customer paid, and the reference given (a fee is not paid yet).
    pub paid_with: PaidWith,
    /// A payment, or a cancellation fee.
    pub kind: SaleKind,
    pub at: Timestamp,
}

impl Sale {
    /// The sale of a job just marked paid (`job.paid_at` set by the rule).
    pub fn of(
        job: &Job,
        currency: &str,
        tenant_id: TenantId,
        fee_bps: u32,
        paid_with: PaidWith,
        now: Timestamp,
    ) -> Result<Self, JobError> {
        let amount_cents = job
            .agreed
            .price_cents
            .filter(|p| *p > 0)
            .ok_or(JobError::Conflict("the job has no price to be paid"))?;
        Ok(Self {
            tenant_id,
            provider_user_id: job.provider_user_id,
            client_user_id: job.customer_id,
            job_id: job.id,
            service_description: kernel::text::truncate_chars(
                &format!("Job #{}: {}", job.id, job.terms.description),
                500,
            ),
            amount_cents,
            currency: currency.to_owned(),
            split: platform_fee(amount_cents, fee_bps),
            transaction_date: now.date_naive(),
            paid_with,
            kind: SaleKind::JobPayment,
            at: now,
        })
    }

    /// The fee of a customer's late cancel, `fee_cents` > 0, with the
    /// platform's share of it.
    pub fn cancellation_fee(
        job: &Job,
        currency: &str,
        tenant_id: TenantId,
        fee_bps: u32,
        fee_cents: i64,
        now: Timestamp,
    ) -> Self {
        Self {
            tenant_id,
            provider_user_id: job.provider_user_id,
            client_user_id: job.customer_id,
            job_id: job.id,
            service_description: kernel::text::truncate_chars(
                &format!(
                    "Cancellation fee, job #{}: {}",
                    job.id, job.terms.description
                ),
                500,
            ),
            amount_cents: fee_cents,
            currency: currency.to_owned(),
            split: platform_fee(fee_cents, fee_bps),
            transaction_date: now.date_naive(),
            paid_with: PaidWith::default(),
            kind: SaleKind::CancellationFee,
            at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_defaults_to_cash_and_refuses_unknown_names() {
        assert_eq!(PaidWith::parse(None, None).unwrap().method, PayMethod::Cash);
        assert_eq!(
            PaidWith::parse(Some("bank_transfer"), Some("  #12 ")).unwrap(),
            PaidWith {
                method: PayMethod::BankTransfer,
                reference: Some("#12".into())
            }
        );
        assert!(PaidWith::parse(Some("bitcoin"), None).is_err());
        assert!(PaidWith::parse(None, Some(&"x".repeat(256))).is_err());
        assert!(PaidWith::parse(None, Some("a\u{0}b")).is_err());
    }
}
