//! The expected status of every caller against every operation with an id in
//! its path, on the own side's object and on a foreign one.
//!
//! A row is nine letters, one per caller in this order: anonymous, customer,
//! provider, other provider, staff of another tenant, LSM of the region, LSM
//! of another region, admin, portal contact. `1` 401, `3` 403, `4` 404, `o` the
//! operation's success status, `c` 409 (allowed, but a caller before it already
//! changed the object), `a` allowed with a status that depends on who went
//! before (anything but 401, 403, 404 and 5xx).

use crate::authz_matrix::objects::Kind;

/// One operation of the document and what every caller gets from it.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    /// What the id in the path names.
    pub kind: Kind,
    /// A body valid for the allowed caller (refusals must not hide behind a 422).
    pub body: Option<&'static str>,
    /// The status of an `o` cell.
    pub ok: u16,
    pub own: &'static str,
    pub foreign: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    kind: Kind,
    (body, ok): (Option<&'static str>, u16),
    (own, foreign): (&'static str, &'static str),
) -> Op {
    Op {
        method,
        path,
        kind,
        body,
        ok,
        own,
        foreign,
    }
}

const NONE: Option<&str> = None;
/// Public reads that ignore any token: everybody, a portal token too.
const PUBLIC: (&str, &str) = ("ooooooooo", "ooooooooo");
/// Public reads that know a signed-in reader: a portal token is a bad token there.
const PUBLIC_READER: (&str, &str) = ("oooooooo1", "oooooooo1");
/// Admin routes: every other caller lacks the role, whoever's object it is.
const ADMIN: (&str, &str) = ("1333333o1", "1333333o1");
/// Back-office routes: the tenant's staff; callers without a tenant lack the right.
const TENANT: (&str, &str) = ("13o443331", "134443331");
/// Region decisions: the region's LSM, then the admin, who finds the decision
/// taken; another region's object is not found.
const REGION: (&str, &str) = ("13333o4c1", "133334oc1");
/// Region decisions that may be taken again: the LSM and the admin both succeed.
const REGION_AGAIN: (&str, &str) = ("13333o4o1", "133334oo1");
/// Seen by the job's parties, its region's LSM and the admin.
const JOB_READ: (&str, &str) = ("1oo44o4o1", "144444oo1");
/// The job's provider acts; the customer, LSM and admin see the job but may not.
const JOB_PROVIDER: (&str, &str) = ("13o443431", "144444331");
/// Either party acts, under rules the matrix's objects do not meet.
const JOB_PARTIES_RULED: (&str, &str) = ("1aa443431", "144444331");
/// The job's customer acts.
const JOB_CUSTOMER: (&str, &str) = ("1o3443431", "144444331");
/// A conversation's participants; the admin reads every thread (audit).
const THREAD_READ: (&str, &str) = ("1oo4444o1", "1444444o1");
/// A conversation's participants act; the admin sees the thread but may not.
const THREAD: (&str, &str) = ("1oo444431", "144444431");
/// A listing's owner: other providers are not found, other callers lack the role.
const LISTING_OWNER: (&str, &str) = ("13o433331", "134433331");
/// Moderation: the region's LSM, then the admin, who finds it done; callers
/// without the role are refused.
const MODERATION: (&str, &str) = REGION;
/// A sale: its seller's staff act, its client reads.
const SALE_ACT: (&str, &str) = ("13o444441", "144444441");

const REASON: Option<&str> = Some(r#"{"reason": "Matrix check"}"#);
const LINES: &str =
    r#"{"lines": [{"description": "Work", "quantity": 2, "unit_price_cents": 500}]}"#;

/// The matrix, in the order it runs (accepting an invitation changes the
/// customer's tenant, so it goes last).
#[rustfmt::skip]
pub const MATRIX: &[Op] = &[
    op("GET", "/api/v1/services/{id}", Kind::Service, (NONE, 200), PUBLIC),
    op("GET", "/api/v1/providers/{id}", Kind::ProviderProfile, (NONE, 200), PUBLIC),
    op("GET", "/api/v1/providers/{id}/reviews", Kind::ProviderProfile, (NONE, 200), PUBLIC),
    op("PATCH", "/api/v1/providers/me/services/{service_id}", Kind::OfferedService,
        (Some(r#"{"is_active": true}"#), 200), ("13o433331", "134433331")),
    op("GET", "/api/v1/providers/{id}/slots", Kind::ProviderProfile, (NONE, 200), PUBLIC),
    op("DELETE", "/api/v1/providers/me/availability/exceptions/{id}", Kind::AvailabilityException,
        (NONE, 204), LISTING_OWNER),
    op("PUT", "/api/v1/admin/popularity/{service_id}", Kind::Service,
        (Some(r#"{"is_popular": true}"#), 200), ADMIN),
    op("PATCH", "/api/v1/admin/services/{id}", Kind::Service,
        (Some(r#"{"description": "Edited by the authorization matrix"}"#), 200), ADMIN),
    op("POST", "/api/v1/admin/ban-requests/{id}/approve", Kind::BanRequest, (NONE, 200), ADMIN),
    op("POST", "/api/v1/admin/ban-requests/{id}/reject", Kind::BanRequest, (NONE, 200), ADMIN),
    op("POST", "/api/v1/lsm/providers/{id}/approve", Kind::Applicant, (NONE, 200), REGION),
    op("POST", "/api/v1/lsm/providers/{id}/reject", Kind::Applicant, (REASON, 200), REGION),
    op("POST", "/api/v1/lsm/providers/{id}/suspend", Kind::ApprovedProvider, (REASON, 200), REGION),
    op("POST", "/api/v1/lsm/providers/{id}/reinstate", Kind::SuspendedProvider, (NONE, 200), REGION),
    op("POST", "/api/v1/lsm/providers/{id}/clear-warnings", Kind::ApprovedProvider, (NONE, 200), REGION_AGAIN),
    op("POST", "/api/v1/lsm/providers/{id}/ban-requests", Kind::ApprovedProvider, (REASON, 201), REGION),
    op("POST", "/api/v1/lsm/service-requests/{id}/review", Kind::ServiceRequest, (NONE, 200), REGION_AGAIN),
    op("POST", "/api/v1/notifications/{id}/read", Kind::Notification, (NONE, 200),
        ("14444o441", "144444o41")),
    op("GET", "/api/v1/attachments/{id}", Kind::Attachment, (NONE, 200), ("1o4444441", "144444441")),
    op("GET", "/api/v1/jobs/{id}", Kind::NewJob, (NONE, 200), JOB_READ),
    op("GET", "/api/v1/jobs/{id}/events", Kind::NewJob, (NONE, 200), JOB_READ),
    op("PATCH", "/api/v1/jobs/{id}", Kind::AcceptedJob, (Some(r#"{"price_cents": 6000}"#), 200), JOB_PROVIDER),
    op("POST", "/api/v1/jobs/{id}/accept", Kind::NewJob, (NONE, 200), JOB_PROVIDER),
    op("POST", "/api/v1/jobs/{id}/reject", Kind::NewJob, (REASON, 200), JOB_PROVIDER),
    op("POST", "/api/v1/jobs/{id}/complete", Kind::AcceptedJob, (NONE, 200), JOB_PROVIDER),
    op("POST", "/api/v1/jobs/{id}/mark-paid", Kind::CompletedJob, (NONE, 200), JOB_PROVIDER),
    // The matrix sends no If-Match: the customer, allowed, gets 428 (an approval
    // must name the version it approves; jobs_negotiation.rs approves for real).
    op("POST", "/api/v1/jobs/{id}/approve", Kind::ChangedJob, (NONE, 428), JOB_CUSTOMER),
    op("POST", "/api/v1/jobs/{id}/decline-changes", Kind::ChangedJob, (NONE, 200), JOB_CUSTOMER),
    // The provider may cancel too, but only an accepted job: on a new one it is a 409.
    op("POST", "/api/v1/jobs/{id}/cancel", Kind::NewJob, (REASON, 200), ("1oc443431", "144444331")),
    op("GET", "/api/v1/jobs/{id}/cancellation-preview", Kind::NewJob, (NONE, 200), JOB_READ),
    // Either party may reschedule; the matrix's jobs are not booked by slot,
    // so the parties get a 4xx of the rules (422, 428, 409), never a refusal.
    op("POST", "/api/v1/jobs/{id}/reschedule", Kind::AcceptedJob,
        (Some(r#"{"slot_start": "2030-01-07T15:00:00Z"}"#), 200), JOB_PARTIES_RULED),
    op("POST", "/api/v1/jobs/{id}/reschedule/approve", Kind::AcceptedJob, (NONE, 200), JOB_PARTIES_RULED),
    op("POST", "/api/v1/jobs/{id}/reschedule/decline", Kind::AcceptedJob, (NONE, 200), JOB_PARTIES_RULED),
    op("POST", "/api/v1/jobs/{id}/rating", Kind::CompletedJob,
        (Some(r#"{"rating": 5, "punctuality_rating": 4, "response_time": 5}"#), 201), JOB_CUSTOMER),
    op("POST", "/api/v1/jobs/{id}/disputes", Kind::AcceptedJob,
        (Some(r#"{"description": "The walk never happened", "attachment_ids": []}"#), 201),
        ("1oc443431", "144444331")),
    op("GET", "/api/v1/disputes/{id}", Kind::Dispute, (NONE, 200), JOB_READ),
    op("POST", "/api/v1/lsm/disputes/{id}/resolve", Kind::Dispute,
        (Some(r#"{"resolution_notes": "Half back", "outcome": "split"}"#), 200),
        ("13344o4c1", "144444oc1")),
    op("GET", "/api/v1/threads/{id}", Kind::Thread, (NONE, 200), THREAD_READ),
    op("GET", "/api/v1/threads/{id}/messages", Kind::Thread, (NONE, 200), THREAD_READ),
    op("POST", "/api/v1/threads/{id}/messages", Kind::Thread, (Some(r#"{"body": "Hello"}"#), 201), THREAD),
    op("POST", "/api/v1/threads/{id}/read", Kind::Thread, (NONE, 200), THREAD),
    op("POST", "/api/v1/threads/{id}/archive", Kind::Thread, (NONE, 200), THREAD),
    op("POST", "/api/v1/threads/{id}/block", Kind::Thread, (NONE, 200), ("13o444431", "144444431")),
    op("GET", "/api/v1/listings/{id}", Kind::Listing, (NONE, 200), PUBLIC_READER),
    op("PATCH", "/api/v1/listings/{id}", Kind::Listing, (Some(r#"{"title": "Walks, daily"}"#), 200),
        LISTING_OWNER),
    op("POST", "/api/v1/listings/{id}/publish", Kind::DraftListing, (NONE, 200), LISTING_OWNER),
    op("POST", "/api/v1/listings/{id}/unpublish", Kind::Listing, (NONE, 200), LISTING_OWNER),
    op("POST", "/api/v1/listings/{id}/suspend", Kind::Listing, (REASON, 200), MODERATION),
    op("POST", "/api/v1/listings/{id}/reinstate", Kind::SuspendedListing, (REASON, 200),
        MODERATION),
    op("POST", "/api/v1/listings/{id}/threads", Kind::Listing,
        (Some(r#"{"body": "Is Saturday free?"}"#), 201), ("1o33o3331", "1o33o3331")),
    op("GET", "/api/v1/marketplace/transactions/{id}", Kind::Sale, (NONE, 200), ("1oo444441", "144444441")),
    op("POST", "/api/v1/marketplace/transactions/{id}/complete", Kind::Sale, (NONE, 200), SALE_ACT),
    op("POST", "/api/v1/marketplace/transactions/{id}/cancel", Kind::Sale, (NONE, 200), SALE_ACT),
    op("POST", "/api/v1/marketplace/transactions/{id}/refund", Kind::CompletedSale, (NONE, 200), SALE_ACT),
    op("GET", "/api/v1/billing/parties/{id}", Kind::BillingParty, (NONE, 200), TENANT),
    op("PATCH", "/api/v1/billing/parties/{id}", Kind::BillingParty,
        (Some(r#"{"kind": "person", "display_name": "Renamed"}"#), 200), TENANT),
    op("DELETE", "/api/v1/billing/parties/{id}", Kind::BillingParty, (NONE, 204), TENANT),
    op("GET", "/api/v1/billing/contacts/{id}", Kind::Contact, (NONE, 200), TENANT),
    op("PATCH", "/api/v1/billing/contacts/{id}", Kind::Contact,
        (Some(r#"{"first_name": "Cy", "last_name": "Renamed"}"#), 200), TENANT),
    op("DELETE", "/api/v1/billing/contacts/{id}", Kind::Contact, (NONE, 204), TENANT),
    op("PUT", "/api/v1/billing/contacts/{id}/portal", Kind::Contact,
        (Some(r#"{"enabled": false}"#), 200), TENANT),
    op("GET", "/api/v1/billing/invoices/{id}", Kind::IssuedInvoice, (NONE, 200), TENANT),
    op("PATCH", "/api/v1/billing/invoices/{id}", Kind::DraftInvoice, (Some(LINES), 200), TENANT),
    op("DELETE", "/api/v1/billing/invoices/{id}", Kind::DraftInvoice, (NONE, 204), TENANT),
    op("POST", "/api/v1/billing/invoices/{id}/issue", Kind::DraftInvoice, (NONE, 200), TENANT),
    op("POST", "/api/v1/billing/invoices/{id}/void", Kind::IssuedInvoice, (NONE, 200), TENANT),
    op("POST", "/api/v1/billing/invoices/{id}/payments", Kind::IssuedInvoice,
        (Some(r#"{"amount_cents": 100, "method": "cash"}"#), 201), TENANT),
    op("POST", "/api/v1/billing/payments/{id}/refund", Kind::Payment, (NONE, 200), TENANT),
    op("GET", "/api/v1/portal/invoices/{id}", Kind::PortalInvoice, (NONE, 200), ("11111111o", "111111114")),
    op("DELETE", "/api/v1/tenants/me/staff/{user_id}", Kind::Staff, (NONE, 204), ("13o433331", "134433331")),
    // Only its own user ends a session; anyone else's is not found.
    op("DELETE", "/api/v1/me/sessions/{id}", Kind::Session, (NONE, 204), ("1o4444441", "144444441")),
    op("POST", "/api/v1/tenant-invitations/{id}/decline", Kind::Invitation, (NONE, 200),
        ("1o4444441", "144444441")),
    op("POST", "/api/v1/tenant-invitations/{id}/accept", Kind::Invitation, (NONE, 200),
        ("1o4444441", "144444441")),
];
