//! The invoice rules: pricing lines with checked arithmetic, the status
//! machine (draft → issued → partially_paid → paid; void from draft or issued),
//! payments and refunds against the balance, optimistic versions.

use kernel::{FieldError, Timestamp};

use crate::error::BillingError;
use crate::model::{Invoice, InvoiceLine, InvoiceStatus};

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

/// The number of a tenant's next invoice, given how many it has
/// (deleted ones included, so numbers are never reused): `INV-000001`, …
pub fn number_after(existing: u64) -> String {
    format!("INV-{:06}", existing.saturating_add(1))
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
    /// Refuses with 412 when the client's `If-Match` version is not the stored one.
    pub fn ensure_version(&self, expected: Option<i64>) -> Result<(), BillingError> {
        match expected {
            Some(v) if v != self.version => Err(BillingError::Stale {
                current: self.version,
            }),
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
                    "must not exceed the balance of {} cents",
                    self.balance_cents
                ),
            ));
        }
        self.balance_cents -= amount_cents;
        self.status = if self.balance_cents == 0 {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::PartiallyPaid
        };
        Ok(())
    }

    /// Gives a succeeded payment back: the balance grows again.
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
        self.status = if balance == self.amount_cents {
            InvoiceStatus::Issued
        } else {
            InvoiceStatus::PartiallyPaid
        };
        Ok(())
    }
}

#[cfg(test)]
#[path = "invoice_tests.rs"]
mod tests;
