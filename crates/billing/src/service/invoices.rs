//! Invoices: create, edit while draft, issue, void, soft delete, list.

use chrono::NaiveDate;
use kernel::{Ctx, Currency, FieldError, Page, PageRequest, StoreError};

use super::{BillingService, into_page, page_start};
use crate::error::BillingError;
use crate::invoice::{LineInput, check_deposit, price_lines};
use crate::model::{Invoice, InvoiceStatus, TenantScope};
use crate::ports::{InvoiceDraft, InvoiceFilter, VERSION_CONFLICT};
use crate::values::optional_text;

/// Invoice fields as sent; on edit, `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct InvoiceInput {
    /// Billed party (same tenant).
    pub client_party_id: Option<Option<i64>>,
    /// ISO 4217 code; default USD.
    pub currency: Option<String>,
    /// Due date.
    pub due_date: Option<Option<NaiveDate>>,
    /// Notes.
    pub notes: Option<Option<String>>,
    /// Deposit.
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
            Some(d) => d,
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
        // Numbers are assigned by storage; two creates racing for one number retry.
        for _ in 0..5 {
            match self.invoices.create(scope.tenant_id, draft.clone()).await {
                Err(StoreError::Conflict(c)) if c.contains("number") => continue,
                other => return Ok(other?),
            }
        }
        Err(BillingError::Conflict(
            "could not assign an invoice number; retry",
        ))
    }

    /// A live invoice with its lines.
    pub async fn invoice(&self, ctx: &Ctx, id: i64) -> Result<Invoice, BillingError> {
        let scope = self.scope(ctx).await?;
        self.invoices
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)
    }

    async fn change(
        &self,
        ctx: &Ctx,
        id: i64,
        if_match: Option<i64>,
        apply: impl FnOnce(&mut Invoice) -> Result<(), BillingError>,
    ) -> Result<Invoice, BillingError> {
        let scope = self.scope(ctx).await?;
        let mut invoice = self
            .invoices
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        invoice.ensure_version(if_match)?;
        let expected = invoice.version;
        apply(&mut invoice)?;
        self.invoices
            .save(scope.tenant_id, invoice, expected)
            .await
            .map_err(|e| stale(e, expected))
    }

    /// Edits a draft.
    pub async fn update_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        if_match: Option<i64>,
        input: InvoiceInput,
    ) -> Result<Invoice, BillingError> {
        let scope = self.scope(ctx).await?;
        let current = self
            .invoices
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        current.ensure_version(if_match)?;
        current.ensure_editable()?;
        let draft = self.draft_of(&scope, input, Some(&current)).await?;
        let expected = current.version;
        let next = Invoice {
            client_party_id: draft.client_party_id,
            currency: draft.currency,
            due_date: draft.due_date,
            notes: draft.notes,
            deposit_cents: draft.deposit_cents,
            amount_cents: draft.amount_cents,
            balance_cents: draft.amount_cents,
            lines: draft.lines,
            ..current
        };
        self.invoices
            .save(scope.tenant_id, next, expected)
            .await
            .map_err(|e| stale(e, expected))
    }

    /// Draft → issued.
    pub async fn issue_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        if_match: Option<i64>,
    ) -> Result<Invoice, BillingError> {
        let now = self.clock.now();
        self.change(ctx, id, if_match, |inv| inv.issue(now)).await
    }

    /// Draft or unpaid issued → void.
    pub async fn void_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        if_match: Option<i64>,
    ) -> Result<Invoice, BillingError> {
        self.change(ctx, id, if_match, Invoice::void).await
    }

    /// Soft-deletes an invoice without succeeded payments.
    pub async fn delete_invoice(
        &self,
        ctx: &Ctx,
        id: i64,
        if_match: Option<i64>,
    ) -> Result<(), BillingError> {
        let scope = self.scope(ctx).await?;
        let invoice = self
            .invoices
            .get(scope.tenant_id, id)
            .await?
            .ok_or(BillingError::NotFound)?;
        invoice.ensure_version(if_match)?;
        invoice.ensure_deletable()?;
        let now = self.clock.now();
        self.invoices
            .soft_delete(scope.tenant_id, id, invoice.version, now)
            .await
            .map_err(|e| stale(e, invoice.version))
    }

    /// Live invoices matching the filters, newest first.
    pub async fn invoices(
        &self,
        ctx: &Ctx,
        query: InvoiceListQuery,
        page: &PageRequest,
    ) -> Result<Page<Invoice>, BillingError> {
        let scope = self.scope(ctx).await?;
        let status = match query.status.as_deref() {
            None => None,
            Some(s) => Some(InvoiceStatus::parse(s).ok_or_else(|| {
                BillingError::field(
                    "status",
                    format!("must be one of {}", InvoiceStatus::names()),
                )
            })?),
        };
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
            due_before: query.due_before,
            due_after: query.due_after,
        };
        let rows = self
            .invoices
            .list(scope.tenant_id, filter, before, page.limit + 1)
            .await?;
        Ok(into_page(scope.tenant_id, rows, page.limit, |i| i.id))
    }
}

/// A lost optimistic race is a 412 like a stale `If-Match`.
pub(super) fn stale(e: StoreError, expected: i64) -> BillingError {
    match e {
        StoreError::Conflict(c) if c == VERSION_CONFLICT => BillingError::Stale {
            current: expected + 1,
        },
        other => other.into(),
    }
}
