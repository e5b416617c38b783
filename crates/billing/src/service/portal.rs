//! The client portal: login by tenant slug, e-mail and password; a contact
//! reads the issued invoices of its own party only.

use kernel::{Page, PageRequest};

use super::{BillingService, into_page, page_start};
use crate::error::BillingError;
use crate::model::{Contact, Invoice, InvoiceStatus};
use crate::ports::{InvoiceFilter, PortalPrincipal};

/// What a portal contact may see.
const VISIBLE: [InvoiceStatus; 3] = [
    InvoiceStatus::Issued,
    InvoiceStatus::PartiallyPaid,
    InvoiceStatus::Paid,
];

impl BillingService {
    /// Checks portal credentials. Unknown tenant, unknown or deleted contact,
    /// disabled portal and wrong password all fail alike.
    pub async fn portal_login(
        &self,
        tenant_slug: &str,
        email: &str,
        password: &str,
    ) -> Result<identity::AccessToken, BillingError> {
        // A slug that cannot exist is answered like an unknown one, without a query.
        let tenant = match crate::values::slug(tenant_slug) {
            Ok(slug) => self.tenants.find_by_slug(&slug).await?,
            Err(_) => None,
        };
        let email = identity::Email::parse(email).ok();
        let found = match (&tenant, &email) {
            (Some(t), Some(e)) => self.contacts.portal_login(t.id, e.as_str()).await?,
            _ => None,
        };
        let verified = self
            .hasher
            .verify(password, found.as_ref().map(|(_, h)| h.clone()))
            .await
            .map_err(BillingError::from)?;
        let (Some(tenant), Some((contact, _)), true) = (tenant, found, verified) else {
            return Err(BillingError::InvalidCredentials);
        };
        self.contacts
            .touch_portal_login(tenant.id, contact.id, self.clock.now())
            .await?;
        // The version read with the hash that was just checked: a password change
        // or access toggle after that read has moved it on, so the token is born dead.
        let principal = PortalPrincipal {
            contact_id: contact.id,
            tenant_id: tenant.id,
            credential_version: contact.portal_credential_version,
        };
        self.portal_tokens
            .issue(principal)
            .map_err(|e| BillingError::Store(kernel::StoreError::backend(e)))
    }

    /// The contact behind a portal token, if it is still live and enabled and its
    /// credentials did not change since the token was issued.
    async fn portal_contact(&self, who: PortalPrincipal) -> Result<Contact, BillingError> {
        let contact = self
            .contacts
            .portal_contact(who.tenant_id, who.contact_id, who.credential_version)
            .await?;
        contact.ok_or(BillingError::InvalidCredentials)
    }

    /// The issued invoices of the contact's party, newest first.
    pub async fn portal_invoices(
        &self,
        who: PortalPrincipal,
        page: &PageRequest,
    ) -> Result<Page<Invoice>, BillingError> {
        let contact = self.portal_contact(who).await?;
        let Some(party) = contact.party_id else {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        let before = page_start(who.tenant_id, page)?;
        let filter = InvoiceFilter {
            client_party_id: Some(party),
            statuses: VISIBLE.to_vec(),
            ..InvoiceFilter::default()
        };
        let rows = self
            .invoices
            .list(who.tenant_id, filter, before, page.limit + 1)
            .await?;
        Ok(into_page(who.tenant_id, rows, page, |i| i.id))
    }

    /// One issued invoice of the contact's party.
    pub async fn portal_invoice(
        &self,
        who: PortalPrincipal,
        id: i64,
    ) -> Result<Invoice, BillingError> {
        let contact = self.portal_contact(who).await?;
        let party = contact.party_id.ok_or(BillingError::NotFound)?;
        let invoice = self
            .invoices
            .get_for_party(who.tenant_id, party, VISIBLE.to_vec(), id)
            .await?;
        invoice.ok_or(BillingError::NotFound)
    }
}
