//! What the billing use cases need from storage and from the token signer.
//! Every method on tenant data takes the tenant and puts it in its query.

use async_trait::async_trait;
use chrono::NaiveDate;
use kernel::{Currency, StoreError, TenantId, Timestamp, UserId};

use crate::model::{
    Contact, Invitation, Invoice, InvoiceLine, InvoiceStatus, Party, PartyKind, Payment,
    PaymentMethod, ReceivedInvitation, Tenant, TenantRole,
};

/// The e-mail that goes out with a new invitation, queued in its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationMail {
    /// Fixed text, never the tenant's.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// A party to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParty {
    pub kind: PartyKind,
    pub display_name: String,
    /// E-mail.
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A contact to create or the full new state of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFields {
    pub party_id: Option<i64>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Linked marketplace user.
    pub marketplace_user_id: Option<i64>,
}

/// Invoice content written on create and on draft edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDraft {
    /// Billed party.
    pub client_party_id: Option<i64>,
    pub currency: Currency,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub deposit_cents: i64,
    /// Priced lines.
    pub lines: Vec<InvoiceLine>,
    /// Their sum.
    pub amount_cents: i64,
}

/// Filters of the invoice list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<InvoiceStatus>,
    /// Only this party's.
    pub client_party_id: Option<i64>,
    /// Only marketplace (or only other) invoices.
    pub is_marketplace: Option<bool>,
    /// Due on or before.
    pub due_before: Option<NaiveDate>,
    /// Due on or after.
    pub due_after: Option<NaiveDate>,
}

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    /// When received.
    pub received_at: Timestamp,
    /// Client key.
    pub idempotency_key: Option<String>,
    /// Fingerprint of the request.
    pub request_hash: Option<String>,
}

/// Tenants and membership.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TenantRepository: Send + Sync {
    /// The tenant and role of a user, read fresh.
    async fn membership(&self, user: UserId) -> Result<Option<(TenantId, TenantRole)>, StoreError>;
    /// Creates a tenant and makes `owner` its owner, in one transaction.
    /// `Conflict(Constraint::TenantSlug)` for a taken slug, `StoreError::Stale` if the user already has a tenant.
    async fn create_with_owner(
        &self,
        owner: UserId,
        name: &str,
        slug: &str,
        at: Timestamp,
    ) -> Result<Tenant, StoreError>;
    /// A tenant by id.
    async fn find(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// A tenant by slug.
    async fn find_by_slug(&self, slug: &str) -> Result<Option<Tenant>, StoreError>;
    /// In one transaction: marks the tenant's pending invitations to this e-mail that
    /// expired by `invitation.created_at` as expired, stores the new invitation and
    /// queues its e-mail. `StoreError::Stale` when a user with the e-mail already
    /// belongs to the tenant; `Conflict(Constraint::PendingInvitation)` when one is still pending.
    async fn invite(
        &self,
        invitation: Invitation,
        mail: InvitationMail,
    ) -> Result<Invitation, StoreError>;
    /// The tenant's invitations with id below `before`, newest first.
    async fn invitations(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Invitation>, StoreError>;
    /// Pending invitations addressed to the user's e-mail that expire after `now`,
    /// with id below `before`, newest first.
    async fn invitations_received(
        &self,
        user: UserId,
        now: Timestamp,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ReceivedInvitation>, StoreError>;
    /// One invitation, if it is addressed to the user's e-mail.
    async fn invitation_for(&self, user: UserId, id: i64)
    -> Result<Option<Invitation>, StoreError>;
    /// In one transaction: stores the accepted invitation (only if still pending:
    /// `StoreError::Stale` otherwise) and makes the user staff of its tenant
    /// (only if they belong to none: `StoreError::Stale` otherwise).
    async fn accept_invitation(&self, user: UserId, accepted: Invitation)
    -> Result<(), StoreError>;
    /// Stores a declined or expired invitation, only if it is still pending
    /// (`StoreError::Stale` otherwise).
    async fn close_invitation(&self, closed: Invitation) -> Result<(), StoreError>;
    /// The role of a user in the tenant, if they belong to it.
    async fn member_role(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<TenantRole>, StoreError>;
    /// How many owners the tenant has.
    async fn owner_count(&self, tenant: TenantId) -> Result<u64, StoreError>;
    /// Takes the user out of the tenant. `NotFound` if they are not in it;
    /// `StoreError::Stale` if they are its last owner (checked under a lock on
    /// the tenant, so two owners leaving at once cannot both go).
    async fn remove_member(
        &self,
        tenant: TenantId,
        user: UserId,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// Whether a user exists (for linking contacts).
    async fn user_exists(&self, user: i64) -> Result<bool, StoreError>;
}

/// Parties of a tenant.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PartyRepository: Send + Sync {
    async fn create(
        &self,
        tenant: TenantId,
        party: NewParty,
        at: Timestamp,
    ) -> Result<Party, StoreError>;
    /// A live party.
    async fn get(&self, tenant: TenantId, id: i64) -> Result<Option<Party>, StoreError>;
    /// Replaces the editable fields of a live party.
    async fn update(
        &self,
        tenant: TenantId,
        id: i64,
        party: NewParty,
        at: Timestamp,
    ) -> Result<Party, StoreError>;
    /// Live parties with id below `before`, newest first, at most `limit`.
    async fn list(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Party>, StoreError>;
    /// Soft-deletes a live party.
    async fn soft_delete(
        &self,
        tenant: TenantId,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
}

/// Contacts of a tenant.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ContactRepository: Send + Sync {
    async fn create(
        &self,
        tenant: TenantId,
        contact: ContactFields,
        at: Timestamp,
    ) -> Result<Contact, StoreError>;
    /// A live contact.
    async fn get(&self, tenant: TenantId, id: i64) -> Result<Option<Contact>, StoreError>;
    /// Replaces the editable fields of a live contact.
    async fn update(
        &self,
        tenant: TenantId,
        id: i64,
        contact: ContactFields,
        at: Timestamp,
    ) -> Result<Contact, StoreError>;
    /// Live contacts with id below `before`, newest first.
    async fn list(
        &self,
        tenant: TenantId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Contact>, StoreError>;
    /// Soft-deletes a live contact (its portal access ends with it).
    async fn soft_delete(
        &self,
        tenant: TenantId,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// Turns portal access on or off; a new hash replaces the old one. Every call
    /// bumps the contact's portal credential version (in the same statement), which
    /// ends the portal sessions opened before it.
    async fn set_portal(
        &self,
        tenant: TenantId,
        id: i64,
        enabled: bool,
        password_hash: Option<String>,
        at: Timestamp,
    ) -> Result<Contact, StoreError>;
    /// The live, portal-enabled contact a portal token speaks for, if its credential
    /// version is still the token's (one query; the tenant in its `WHERE`).
    async fn portal_contact(
        &self,
        tenant: TenantId,
        id: i64,
        credential_version: i64,
    ) -> Result<Option<Contact>, StoreError>;
    /// The live, portal-enabled contact with this e-mail, with its hash.
    async fn portal_login(
        &self,
        tenant: TenantId,
        email: &str,
    ) -> Result<Option<(Contact, String)>, StoreError>;
    /// Records a portal login.
    async fn touch_portal_login(
        &self,
        tenant: TenantId,
        id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
}

/// Invoices and payments of a tenant.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InvoiceRepository: Send + Sync {
    /// Creates a draft numbered `INV-nnnnnn` from the tenant's counter, taken in the
    /// same transaction as the insert (so numbers never collide and are never reused).
    async fn create(
        &self,
        tenant: TenantId,
        draft: InvoiceDraft,
        at: Timestamp,
    ) -> Result<Invoice, StoreError>;
    /// A live invoice with its lines.
    async fn get(&self, tenant: TenantId, id: i64) -> Result<Option<Invoice>, StoreError>;
    /// A live invoice of one party with one of `statuses`, with its lines (for the portal).
    async fn get_for_party(
        &self,
        tenant: TenantId,
        party: i64,
        statuses: Vec<InvoiceStatus>,
        id: i64,
    ) -> Result<Option<Invoice>, StoreError>;
    /// Live invoices matching the filter with id below `before`, newest first (without lines).
    async fn list(
        &self,
        tenant: TenantId,
        filter: InvoiceFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError>;
    /// Writes the invoice's new state (and lines, for drafts) if its version is still
    /// `expected`; `StoreError::Stale` otherwise. Bumps the version.
    async fn save(
        &self,
        tenant: TenantId,
        invoice: Invoice,
        expected: i64,
    ) -> Result<Invoice, StoreError>;
    /// Soft-deletes if the version is still `expected`.
    async fn soft_delete(
        &self,
        tenant: TenantId,
        id: i64,
        expected: i64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// In one transaction: the invoice's new balance and status (if its version is
    /// still `expected`) and the payment row. `StoreError::Stale` or the
    /// idempotency-key constraint on conflict.
    async fn record_payment(
        &self,
        tenant: TenantId,
        invoice: Invoice,
        expected: i64,
        payment: NewPayment,
        at: Timestamp,
    ) -> Result<Payment, StoreError>;
    /// In one transaction: the invoice's restored balance and status (if its version is
    /// still `expected`: `StoreError::Stale` otherwise) and the payment's new
    /// `refunded_cents`, status and reason (only if it is still succeeded with
    /// `refunded_before` refunded: `StoreError::Stale` otherwise).
    async fn refund_payment(
        &self,
        tenant: TenantId,
        invoice: Invoice,
        expected: i64,
        payment: Payment,
        refunded_before: i64,
    ) -> Result<Payment, StoreError>;
    /// A payment.
    async fn payment(&self, tenant: TenantId, id: i64) -> Result<Option<Payment>, StoreError>;
    /// A payment by idempotency key.
    async fn payment_by_key(
        &self,
        tenant: TenantId,
        key: &str,
    ) -> Result<Option<Payment>, StoreError>;
    /// Payments (optionally of one invoice) with id below `before`, newest first.
    async fn payments(
        &self,
        tenant: TenantId,
        invoice_id: Option<i64>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError>;
}

/// Who a portal token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalPrincipal {
    /// The contact.
    pub contact_id: i64,
    /// Their tenant.
    pub tenant_id: TenantId,
    /// The contact's portal credential version when the token was issued.
    pub credential_version: i64,
}

/// Signs portal tokens (their own audience, refused by staff routes).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait PortalTokens: Send + Sync {
    /// A token for the contact.
    fn issue(&self, principal: PortalPrincipal) -> Result<identity::AccessToken, String>;
}
