//! Rows to billing domain values.

use billing::{
    Contact, Invitation, InvitationStatus, Invoice, InvoiceLine, InvoiceStatus, Party, PartyKind,
    Payment, PaymentMethod, PaymentStatus,
};
use kernel::{Currency, StoreError, TenantId, UserId};

use crate::entities::{contacts, invoice_lines, invoices, parties, payments, tenant_invitations};

fn corrupt(what: &str, id: i64) -> StoreError {
    StoreError::backend(format!("stored {what} {id} does not parse"))
}

pub(super) fn party(row: parties::Model) -> Result<Party, StoreError> {
    Ok(Party {
        kind: PartyKind::parse(&row.kind).ok_or_else(|| corrupt("party", row.id))?,
        id: row.id,
        display_name: row.display_name,
        email: row.email,
        phone: row.phone,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(super) fn contact(row: contacts::Model) -> Contact {
    Contact {
        id: row.id,
        party_id: row.party_id,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        phone: row.phone,
        marketplace_user_id: row.marketplace_user_id,
        portal_enabled: row.portal_enabled,
        portal_password_set: row.portal_password_hash.is_some(),
        portal_last_login: row.portal_last_login,
        portal_credential_version: i64::from(row.portal_credential_version),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub(super) fn line(row: invoice_lines::Model) -> InvoiceLine {
    InvoiceLine {
        description: row.description,
        quantity: row.quantity,
        unit_price_cents: row.unit_price_cents,
        amount_cents: row.amount_cents,
    }
}

pub(super) fn invoice(
    row: invoices::Model,
    lines: Vec<invoice_lines::Model>,
) -> Result<Invoice, StoreError> {
    Ok(Invoice {
        status: InvoiceStatus::parse(&row.status).ok_or_else(|| corrupt("invoice", row.id))?,
        currency: Currency::from_stored(&row.currency).map_err(|_| corrupt("invoice", row.id))?,
        id: row.id,
        number: row.number,
        client_party_id: row.client_party_id,
        amount_cents: row.amount_cents,
        deposit_cents: row.deposit_cents,
        balance_cents: row.balance_cents,
        due_date: row.due_date,
        issued_at: row.issued_at,
        notes: row.notes,
        is_marketplace_invoice: row.is_marketplace_invoice,
        version: row.version,
        lines: lines.into_iter().map(line).collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(crate) fn payment(row: payments::Model) -> Result<Payment, StoreError> {
    Ok(Payment {
        status: PaymentStatus::parse(&row.status).ok_or_else(|| corrupt("payment", row.id))?,
        method: PaymentMethod::parse(&row.method).ok_or_else(|| corrupt("payment", row.id))?,
        currency: Currency::from_stored(&row.currency).map_err(|_| corrupt("payment", row.id))?,
        id: row.id,
        invoice_id: row.invoice_id,
        amount_cents: row.amount_cents,
        refunded_cents: row.refunded_cents,
        refund_reason: row.refund_reason,
        reference: row.reference,
        received_at: row.received_at,
        idempotency_key: row.idempotency_key,
        request_hash: row.request_hash,
        created_at: row.created_at,
    })
}

pub(super) fn invitation(row: tenant_invitations::Model) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        status: InvitationStatus::parse(&row.status)
            .ok_or_else(|| corrupt("invitation", row.id))?,
        id: row.id,
        tenant_id: TenantId(row.tenant_id),
        email: row.email,
        invited_by: UserId(row.invited_by),
        expires_at: row.expires_at,
        created_at: row.created_at,
        decided_at: row.decided_at,
    })
}
