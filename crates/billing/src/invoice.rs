//! The invoice rules: pricing lines with checked arithmetic, the status
//! machine (draft → issued → partially_paid → paid; void from draft or issued),
//! payments and (partial) refunds against the balance, optimistic versions
//! and the `If-Match` precondition.

use kernel::{FieldError, Timestamp};

use crate::error::BillingError;
use crate::model::{Invoice, InvoiceLine, InvoiceStatus, Payment, PaymentStatus};

/// A line as the client sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// What is sold.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Price of one, in cents.
    pub unit_price_cents: i64,
}

/// Most lines an invoice may have.
pub const MAX_LINES: usize = 100;

/// Validates the lines and prices them; every overflow is a field error, never a wrap.
pub fn price_lines(lines: &[LineInput]) -> Result<(Vec<InvoiceLine>, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    if lines.is_empty() || lines.len() > MAX_LINES {
        errors.push(FieldError::new(
            "lines",
            format!("must hold 1 to {MAX_LINES} lines"),
        ));
    }
    let mut priced = Vec::with_capacity(lines.len());
    let mut total: Option<i64> = Some(0);
    for (i, line) in lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        let description = crate::values::text(&field("description"), &line.description, 500);
        if !(1..=1_000_000).contains(&line.quantity) {
            errors.push(FieldError::new(
                field("quantity"),
                "must be between 1 and 1000000",
            ));
        }
        if line.unit_price_cents < 0 {
            errors.push(FieldError::new(
                field("unit_price_cents"),
                "must not be negative",
            ));
        }
        let amount = line.quantity.checked_mul(line.unit_price_cents);
        if amount.is_none() {
            errors.push(FieldError::new(
                field("unit_price_cents"),
                "quantity × unit price is too large",
            ));
        }
        total = total.zip(amount).and_then(|(t, a)| t.checked_add(a));
        match description {
            Ok(description) => priced.push(InvoiceLine {
                description,
                quantity: line.quantity,
                unit_price_cents: line.unit_price_cents,
                amount_cents: amount.unwrap_or_default(),
            }),
            Err(e) => errors.push(e),
        }
    }
    let total = match total {
        Some(t) => t,
        None => {
            errors.push(FieldError::new("lines", "the invoice total is too large"));
            0
        }
    };
    if errors.is_empty() {
        Ok((priced, total))
    } else {
        Err(errors)
    }
}

/// The printed number of a tenant's `seq`-th invoice (taken from the tenant's
/// counter, so deleted numbers are never reused): `INV-000001`, …
pub fn invoice_number(seq: i64) -> String {
    format!("INV-{seq:06}")
}

/// Most characters a refund reason may have.
pub const MAX_REFUND_REASON: usize = 500;

/// An optional refund reason: trimmed, blank is none, at most
/// [`MAX_REFUND_REASON`] characters, no control or invisible characters.
pub fn refund_reason(input: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = input.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    kernel::text::check_text(text).map_err(|issue| FieldError::new("reason", issue.message()))?;
    if text.chars().count() > MAX_REFUND_REASON {
        return Err(FieldError::new(
            "reason",
            format!("must be at most {MAX_REFUND_REASON} characters"),
        ));
    }
    Ok(Some(text.to_owned()))
}

pub use kernel::Precondition;

/// The status a balance means on an issued invoice: nothing paid, some, or all.
pub fn status_for_balance(balance_cents: i64, amount_cents: i64) -> InvoiceStatus {
    if balance_cents == 0 {
        InvoiceStatus::Paid
    } else if balance_cents == amount_cents {
        InvoiceStatus::Issued
    } else {
        InvoiceStatus::PartiallyPaid
    }
}

/// The balance an invoice of `amount_cents` has after these payments:
/// amount − Σ(succeeded or refunded payments' amount − their refunded cents).
pub fn balance_after(amount_cents: i64, payments: &[Payment]) -> i64 {
    let net_paid: i64 = payments
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded | PaymentStatus::Refunded))
        .map(|p| p.amount_cents - p.refunded_cents)
        .sum();
    amount_cents - net_paid
}

impl Payment {
    /// What can still be given back.
    pub fn refundable_cents(&self) -> i64 {
        match self.status {
            PaymentStatus::Succeeded => self.amount_cents - self.refunded_cents,
            _ => 0,
        }
    }

    /// Gives back `amount_cents` (all that remains when `None`) of a succeeded
    /// payment and returns how much; refunded in full, it becomes `refunded`.
    /// A new reason replaces the stored one.
    pub fn refund(
        &mut self,
        amount_cents: Option<i64>,
        reason: Option<String>,
    ) -> Result<i64, BillingError> {
        if let Some(amount) = amount_cents {
            check_payment_amount(amount).map_err(|e| BillingError::Validation(vec![e]))?;
        }
        match self.status {
            PaymentStatus::Succeeded => {}
            PaymentStatus::Refunded => {
                return Err(BillingError::Conflict(
                    "this payment is already refunded in full",
                ));
            }
            _ => {
                return Err(BillingError::Conflict(
                    "only succeeded payments can be refunded",
                ));
            }
        }
        let remaining = self.refundable_cents();
        let amount = amount_cents.unwrap_or(remaining);
        if amount > remaining {
            return Err(BillingError::field(
                "amount_cents",
                format!(
                    "must not exceed the {} still refundable ({remaining} in minor units)",
                    kernel::Money::new(remaining, self.currency)
                ),
            ));
        }
        self.refunded_cents += amount;
        if self.refunded_cents == self.amount_cents {
            self.status = PaymentStatus::Refunded;
        }
        if reason.is_some() {
            self.refund_reason = reason;
        }
        Ok(amount)
    }
}

/// A deposit is between 0 and the amount.
pub fn check_deposit(deposit_cents: i64, amount_cents: i64) -> Result<(), FieldError> {
    if (0..=amount_cents).contains(&deposit_cents) {
        Ok(())
    } else {
        Err(FieldError::new(
            "deposit_cents",
            "must be between 0 and the invoice amount",
        ))
    }
}

/// Payment amounts are positive.
pub fn check_payment_amount(amount_cents: i64) -> Result<(), FieldError> {
    if amount_cents > 0 {
        Ok(())
    } else {
        Err(FieldError::new("amount_cents", "must be positive"))
    }
}

impl Invoice {
    /// Refuses with 412 when `If-Match` names none of the stored version.
    pub fn ensure_version(&self, precondition: &Precondition) -> Result<(), BillingError> {
        match precondition {
            Precondition::Versions(tags) if !tags.contains(&self.version) => {
                Err(BillingError::Stale {
                    current: self.version,
                })
            }
            _ => Ok(()),
        }
    }

    /// Only drafts can be edited.
    pub fn ensure_editable(&self) -> Result<(), BillingError> {
        if self.status == InvoiceStatus::Draft {
            Ok(())
        } else {
            Err(BillingError::Conflict("only draft invoices can be edited"))
        }
    }

    /// Draft → issued; an invoice of nothing cannot be issued.
    pub fn issue(&mut self, now: Timestamp) -> Result<(), BillingError> {
        self.ensure_editable()
            .map_err(|_| BillingError::Conflict("only draft invoices can be issued"))?;
        if self.amount_cents <= 0 {
            return Err(BillingError::field(
                "lines",
                "an invoice of zero cannot be issued",
            ));
        }
        self.status = InvoiceStatus::Issued;
        self.issued_at = Some(now);
        self.balance_cents = self.amount_cents;
        Ok(())
    }

    /// Draft or issued (nothing paid) → void.
    pub fn void(&mut self) -> Result<(), BillingError> {
        match self.status {
            InvoiceStatus::Draft | InvoiceStatus::Issued => {
                self.status = InvoiceStatus::Void;
                Ok(())
            }
            InvoiceStatus::Void => Err(BillingError::Conflict("the invoice is already void")),
            _ => Err(BillingError::Conflict(
                "only draft or unpaid issued invoices can be voided",
            )),
        }
    }

    /// An invoice with succeeded payments cannot be deleted (void or refund it instead).
    pub fn ensure_deletable(&self) -> Result<(), BillingError> {
        match self.status {
            InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid => Err(BillingError::Conflict(
                "an invoice with payments cannot be deleted; refund and void it instead",
            )),
            _ => Ok(()),
        }
    }

    /// Applies a succeeded payment: only on issued or partially paid invoices, never above the balance.
    pub fn apply_payment(&mut self, amount_cents: i64) -> Result<(), BillingError> {
        check_payment_amount(amount_cents).map_err(|e| BillingError::Validation(vec![e]))?;
        if !matches!(
            self.status,
            InvoiceStatus::Issued | InvoiceStatus::PartiallyPaid
        ) {
            return Err(BillingError::Conflict(
                "payments are accepted only on issued or partially paid invoices",
            ));
        }
        if amount_cents > self.balance_cents {
            return Err(BillingError::field(
                "amount_cents",
                format!(
                    "must not exceed the balance of {} ({} in minor units)",
                    kernel::Money::new(self.balance_cents, self.currency),
                    self.balance_cents
                ),
            ));
        }
        self.balance_cents -= amount_cents;
        self.status = status_for_balance(self.balance_cents, self.amount_cents);
        Ok(())
    }

    /// Gives (part of) a succeeded payment back: the balance grows again and the
    /// status follows it, so a paid invoice can become partially paid or issued.
    pub fn apply_refund(&mut self, amount_cents: i64) -> Result<(), BillingError> {
        let restored = self
            .balance_cents
            .checked_add(amount_cents)
            .filter(|b| *b <= self.amount_cents);
        let (InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid, Some(balance)) =
            (self.status, restored)
        else {
            return Err(BillingError::Conflict(
                "this payment cannot be refunded on the invoice's current state",
            ));
        };
        self.balance_cents = balance;
        self.status = status_for_balance(balance, self.amount_cents);
        Ok(())
    }
}

#[cfg(test)]
#[path = "invoice_tests.rs"]
mod tests;
