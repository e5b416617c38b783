//! Plain data of the billing domain.

use chrono::NaiveDate;
use kernel::{Currency, TenantId, Timestamp, UserId};

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a stored or wire name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The names, for error messages.
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

string_enum!(
    /// A user's place in a tenant.
    TenantRole { /// Created the tenant; manages staff.
    Owner = "owner", /// Works in the tenant.
    Staff = "staff" }
);

string_enum!(
    /// Where a tenant invitation is in its life (`revoked` is reserved for an owner's withdrawal).
    InvitationStatus {
        /// Waiting for the invitee, until it expires.
        Pending = "pending",
        /// The invitee joined the tenant.
        Accepted = "accepted",
        /// The invitee said no.
        Declined = "declined",
        /// Withdrawn by the tenant.
        Revoked = "revoked",
        /// Not answered in time.
        Expired = "expired",
    }
);

string_enum!(
    /// What a party is.
    PartyKind { /// A person.
    Person = "person", /// A company or other organisation.
    Organization = "organization" }
);

string_enum!(
    /// Where an invoice is in its life.
    InvoiceStatus {
        /// Editable, not yet sent.
        Draft = "draft",
        /// Sent; nothing paid (net of refunds).
        Issued = "issued",
        /// Some paid.
        PartiallyPaid = "partially_paid",
        /// Fully paid.
        Paid = "paid",
        Void = "void",
    }
);

string_enum!(
    /// Where a payment is.
    PaymentStatus { /// Recorded, not settled.
    Pending = "pending", /// Counts toward the invoice.
    Succeeded = "succeeded", /// Did not go through.
    Failed = "failed", /// Given back.
    Refunded = "refunded" }
);

string_enum!(
    /// How a payment was made.
    PaymentMethod { /// Cash.
    Cash = "cash", /// Cheque.
    Check = "check", /// Card.
    Card = "card", /// Transfer.
    BankTransfer = "bank_transfer", /// Anything else.
    Other = "other" }
);

/// The billing scope of an authenticated staff member: their tenant and role,
/// read from the database for each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantScope {
    /// The tenant every query is limited to.
    pub tenant_id: TenantId,
    /// The acting user.
    pub user_id: UserId,
    /// Their role in it.
    pub role: TenantRole,
}

/// A back-office tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// Unique URL name, used by the client portal.
    pub slug: String,
    pub created_at: Timestamp,
}

/// A client or counterparty of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: i64,
    /// Person or organisation.
    pub kind: PartyKind,
    /// Name shown on invoices.
    pub display_name: String,
    /// E-mail.
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// A person at a party, possibly with portal access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    /// The party they belong to.
    pub party_id: Option<i64>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail (portal login name).
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The marketplace account of this contact, if linked.
    pub marketplace_user_id: Option<i64>,
    /// Whether portal login is allowed.
    pub portal_enabled: bool,
    /// Whether a portal password was ever set (the hash itself never leaves storage).
    pub portal_password_set: bool,
    /// Last portal login.
    pub portal_last_login: Option<Timestamp>,
    /// Bumped whenever the portal password or access changes; portal tokens carry it.
    pub portal_credential_version: i64,
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// What was sold.
    pub description: String,
    /// How many (≥ 1).
    pub quantity: i64,
    /// Price of one, in cents.
    pub unit_price_cents: i64,
    /// quantity × unit price.
    pub amount_cents: i64,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    /// Number, unique in the tenant (`INV-000001`).
    pub number: String,
    /// The billed party.
    pub client_party_id: Option<i64>,
    pub status: InvoiceStatus,
    /// Currency of every amount.
    pub currency: Currency,
    /// Sum of the lines.
    pub amount_cents: i64,
    /// Deposit asked, ≤ amount.
    pub deposit_cents: i64,
    /// amount − (succeeded payments − their refunds).
    pub balance_cents: i64,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    /// When issued.
    pub issued_at: Option<Timestamp>,
    /// Free text.
    pub notes: Option<String>,
    /// Created by a marketplace job payment.
    pub is_marketplace_invoice: bool,
    /// Optimistic-concurrency version (the ETag).
    pub version: i64,
    /// The lines.
    pub lines: Vec<InvoiceLine>,
    pub created_at: Timestamp,
    /// Last changed.
    pub updated_at: Timestamp,
}

/// A payment on an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    /// The invoice.
    pub invoice_id: i64,
    /// Amount (> 0).
    pub amount_cents: i64,
    /// How much of it was given back (0 ≤ refunded ≤ amount).
    pub refunded_cents: i64,
    /// Why it was last refunded.
    pub refund_reason: Option<String>,
    /// Currency (the invoice's).
    pub currency: Currency,
    pub status: PaymentStatus,
    pub method: PaymentMethod,
    /// Cheque number, transfer id, …
    pub reference: Option<String>,
    /// When the money arrived.
    pub received_at: Timestamp,
    /// The client's idempotency key.
    pub idempotency_key: Option<String>,
    /// Fingerprint of the request that created it (for idempotent replays).
    pub request_hash: Option<String>,
    pub created_at: Timestamp,
}

/// An invitation to join a tenant as staff, addressed to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    /// The inviting tenant.
    pub tenant_id: TenantId,
    /// The invitee's e-mail, normalised.
    pub email: String,
    /// The owner who invited.
    pub invited_by: UserId,
    /// Stored status (see [`Invitation::status_at`] for the one to show).
    pub status: InvitationStatus,
    /// After this instant it can no longer be accepted.
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    /// When accepted, declined or found expired.
    pub decided_at: Option<Timestamp>,
}

/// An invitation as its invitee sees it: with the inviting tenant's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The tenant's display name.
    pub tenant_name: String,
}
