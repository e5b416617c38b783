//! Invoices: create, edit while draft, issue, void, soft delete, list.
//!
//! Every change is a compare-and-set on the invoice's version. Without
//! `If-Match` a change that loses a race is re-read and the rule applied again
//! (bounded by [`MAX_ATTEMPTS`]), so only the rule itself refuses it; with
//! `If-Match` the precondition is checked on every fresh read, so a lost race
//! is a 412 unless the header is `*`.

use chrono::NaiveDate;
use kernel::dates::check_date;
use kernel::{Ctx, Currency, FieldError, Page, PageRequest, StoreError};

use super::{BillingService, into_page, page_start};
use crate::error::BillingError;
use crate::invoice::{LineInput, Precondition, check_deposit, price_lines};
use crate::model::{Invoice, InvoiceStatus, TenantScope};
use crate::ports::{InvoiceDraft, InvoiceFilter};
use crate::values::{Fields, optional_text};

/// How many times a change is re-read and re-applied when others change the invoice first.
pub(super) const MAX_ATTEMPTS: usize = 64;

/// The answer when every attempt lost a race.
pub(super) const TOO_FAST: BillingError =
    BillingError::Conflict("the invoice is changing too fast; retry");

/// Invoice fields as sent; on edit, `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct InvoiceInput {
    /// Billed party (same tenant).
    pub client_party_id: Option<Option<i64>>,
    /// ISO 4217 code; default USD.
    pub currency: Option<String>,
    /// Due date.
    pub due_date: Option<Option<NaiveDate>>,
    pub notes: Option<Option<String>>,
    pub deposit_cents: Option<i64>,
    /// Lines (replace all on edit).
    pub lines: Option<Vec<LineInput>>,
}

/// Filters of the invoice list as sent.
#[derive(Debug, Clone, Default)]
pub struct InvoiceListQuery {
    /// Status name.
    pub status: Option<String>,
    /// Party id.
    pub client_party_id: Option<i64>,
    /// Marketplace invoices only, or none.
    pub is_marketplace: Option<bool>,
    /// Due on or before.
    pub due_before: Option<NaiveDate>,
    /// Due on or after.
    pub due_after: Option<NaiveDate>,
}

impl BillingService {
    async fn draft_of(
        &self,
        scope: &TenantScope,
        input: InvoiceInput,
        current: Option<&Invoice>,
    ) -> Result<InvoiceDraft, BillingError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let currency = match (input.currency, current) {
            (Some(code), _) => Currency::parse(&code)
                .map_err(|e| errors.push(FieldError::new("currency", e.to_string())))
                .unwrap_or_default(),
            (None, Some(inv)) => inv.currency,
            (None, None) => Currency::USD,
        };
        let (lines, amount_cents) = match (input.lines, current) {
            (Some(lines), _) => price_lines(&lines).unwrap_or_else(|mut e| {
                errors.append(&mut e);
                (Vec::new(), 0)
            }),
            (None, Some(inv)) => (inv.lines.clone(), inv.amount_cents),
            (None, None) => {
                errors.push(FieldError::new("lines", "is required"));
                (Vec::new(), 0)
            }
        };
        let deposit_cents = input
            .deposit_cents
            .or(current.map(|i| i.deposit_cents))
            .unwrap_or(0);
        if errors.iter().all(|e| !e.field.starts_with("lines"))
            && let Err(e) = check_deposit(deposit_cents, amount_cents)
        {
            errors.push(e);
        }
        let notes = match input.notes {
            Some(n) => optional_text("notes", n.as_deref(), 5_000)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten(),
            None => current.and_then(|i| i.notes.clone()),
        };
        let client_party_id = match input.client_party_id {
            Some(p) => p,
            None => current.and_then(|i| i.client_party_id),
        };
        let due_date = match input.due_date {
            Some(Some(d)) => check_date("due_date", d).map_err(|e| errors.push(e)).ok(),
            Some(None) => None,
            None => current.and_then(|i| i.due_date),
        };
        if !errors.is_empty() {
            return Err(BillingError::Validation(errors));
        }
        // Only a party the request names is checked (another tenant's is a 404).
        if let Some(Some(party)) = input.client_party_id
            && self.parties.get(scope.tenant_id, party).await?.is_none()
        {
            return Err(BillingError::NotFound);
        }
        Ok(InvoiceDraft {
            client_party_id,
            currency,
            due_date,
            notes,
            deposit_cents,
            lines,
            amount_cents,
        })
    }

    /// Creates a draft invoice priced from its lines.
    pub async fn create_invoice(
        &self,
        ctx: &Ctx,
        input: InvoiceInput,
    ) -> Result<Invoice, BillingError> {
        let scope = self.scope(ctx).await?;
        let draft = self.draft_of(&scope, input, None).await?;
        // Storage takes the number from the tenant's counter in the same transaction.
        Ok(self
            .invoices
            .create(scope.tenant_id, draft, self.clock.now())
            .await?)
    }

    /// A live invoice with its lines.
    pub async fn invoice(&self, ctx: &Ctx, id: i64) -> Result<Invoice, BillingError> {
        let scope = self.scope(ctx).await?;
        self.invoices
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)
    }

    /// Reads the invoice, checks `If-Match`, applies `apply` and saves it if
    /// nobody changed it meanwhile; a lost race starts over from a fresh read.
    async fn change<F, Fut>(
        &self,
        ctx: &Ctx,
        id: i64,
        precondition: &Precondition,
        mut apply: F,
    ) -> Result<Invoice, BillingError>
    where
        F: FnMut(TenantScope, Invoice) -> Fut,
        Fut: std::future::Future<Output = Result<Invoice, BillingError>>,
    {
        let scope = self.scope(ctx).await?;
        for _ in 0..MAX_ATTEMPTS {
            let current = self
                .invoices
                .get(scope.tenant_id, id)
                .await?
                .ok_or(BillingError::NotFound)?;
            current.ensure_version(precondition)?;
            let expected = current.version;
            let mut next = apply(scope, current).await?;
            next.updated_at = self.clock.now();
            match self.invoices.save(scope.tenant_id, next, expected).await {
                Err(StoreError::Stale) => continue,
                other => return Ok(other?),
            }
        }
        Err(TOO_FAST)
    }

    /// Edits a draft.
    pub async fn update_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        precondition: &Precondition,
        input: InvoiceInput,
    ) -> Result<Invoice, BillingError> {
        self.change(ctx, id, precondition, |scope, current| {
            let input = input.clone();
            async move {
                current.ensure_editable()?;
                let draft = self.draft_of(&scope, input, Some(&current)).await?;
                Ok(Invoice {
                    client_party_id: draft.client_party_id,
                    currency: draft.currency,
                    due_date: draft.due_date,
                    notes: draft.notes,
                    deposit_cents: draft.deposit_cents,
                    amount_cents: draft.amount_cents,
                    balance_cents: draft.amount_cents,
                    lines: draft.lines,
                    ..current
                })
            }
        })
        .await
    }

    /// Draft → issued.
    pub async fn issue_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        precondition: &Precondition,
    ) -> Result<Invoice, BillingError> {
        let now = self.clock.now();
        self.change(ctx, id, precondition, |_, mut inv| async move {
            inv.issue(now)?;
            Ok(inv)
        })
        .await
    }

    /// Draft or unpaid issued → void.
    pub async fn void_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        precondition: &Precondition,
    ) -> Result<Invoice, BillingError> {
        self.change(ctx, id, precondition, |_, mut inv| async move {
            inv.void()?;
            Ok(inv)
        })
        .await
    }

    /// Soft-deletes an invoice without succeeded payments.
    pub async fn delete_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        precondition: &Precondition,
    ) -> Result<(), BillingError> {
        let scope = self.scope(ctx).await?;
        for _ in 0..MAX_ATTEMPTS {
            let invoice = self
                .invoices
                .get(scope.tenant_id, id)
                .await?
                .ok_or(BillingError::NotFound)?;
            invoice.ensure_version(precondition)?;
            invoice.ensure_deletable()?;
            let now = self.clock.now();
            match self
                .invoices
                .soft_delete(scope.tenant_id, id, invoice.version, now)
                .await
            {
                Err(StoreError::Stale) => continue,
                other => return Ok(other?),
            }
        }
        Err(TOO_FAST)
    }

    /// Live invoices matching the filters, newest first.
    pub async fn invoices(
        &self,
        ctx: &Ctx,
        query: InvoiceListQuery,
        page: &PageRequest,
    ) -> Result<Page<Invoice>, BillingError> {
        let scope = self.scope(ctx).await?;
        let mut f = Fields::default();
        let status = match query.status.as_deref() {
            None => None,
            Some(s) => f.take(InvoiceStatus::parse(s).ok_or_else(|| {
                FieldError::new(
                    "status",
                    format!("must be one of {}", InvoiceStatus::names()),
                )
            })),
        };
        let due_before = query
            .due_before
            .and_then(|d| f.take(check_date("due_before", d)));
        let due_after = query
            .due_after
            .and_then(|d| f.take(check_date("due_after", d)));
        f.finish()?;
        if let Some(party) = query.client_party_id
            && self.parties.get(scope.tenant_id, party).await?.is_none()
        {
            return Err(BillingError::NotFound);
        }
        let before = page_start(scope.tenant_id, page)?;
        let filter = InvoiceFilter {
            statuses: status.into_iter().collect(),
            client_party_id: query.client_party_id,
            is_marketplace: query.is_marketplace,
            due_before,
            due_after,
        };
        let rows = self
            .invoices
            .list(scope.tenant_id, filter, before, page.limit + 1)
            .await?;
        Ok(into_page(scope.tenant_id, rows, page, |i| i.id))
    }
}
