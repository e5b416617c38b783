//! The world the authorization matrix runs in, built once per backend: the
//! nine callers and two sides of every kind of object, and factories that make
//! a fresh object of a kind on a side.
//!
//! Side A ("own") belongs to the matrix's customer, provider (and its tenant,
//! with the portal contact) in New York, whose LSM is "LSM of the region".
//! Side B ("foreign") belongs to another customer and another provider in Los
//! Angeles, whose LSM is "LSM of another region"; none of side B's parties is
//! a caller of the matrix except that LSM and the admin.

use std::cell::Cell;

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::attachments_support::{png, uploaded};
use crate::helpers::{Reply, TestApp, id, text};
use crate::supply_support::{app_with_admin, applicant, lsm, service_id, user};

/// The callers, in the order of a matrix row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Anonymous,
    Customer,
    Provider,
    OtherProvider,
    OtherTenantStaff,
    Lsm,
    OtherLsm,
    Admin,
    Portal,
}

pub const ROLES: [Role; 9] = [
    Role::Anonymous,
    Role::Customer,
    Role::Provider,
    Role::OtherProvider,
    Role::OtherTenantStaff,
    Role::Lsm,
    Role::OtherLsm,
    Role::Admin,
    Role::Portal,
];

/// Whose object a cell is tried against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Own,
    Foreign,
}

/// The parties of one side.
pub struct Party {
    pub customer: String,
    pub customer_id: i64,
    pub customer_email: String,
    pub provider: String,
    pub provider_id: i64,
    pub lsm: String,
    pub zipcode: &'static str,
    /// The billing party the portal contact belongs to (side A's is a caller).
    pub portal_party: i64,
}

/// What a fresh object is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    NewJob,
    AcceptedJob,
    CompletedJob,
    ChangedJob,
    Thread,
    Dispute,
    DraftListing,
    Listing,
    SuspendedListing,
    Applicant,
    ApprovedProvider,
    SuspendedProvider,
    BanRequest,
    ServiceRequest,
    Notification,
    Attachment,
    BillingParty,
    Contact,
    DraftInvoice,
    IssuedInvoice,
    PortalInvoice,
    Payment,
    Sale,
    CompletedSale,
    Invitation,
    Staff,
    Service,
    OfferedService,
    ProviderProfile,
}

pub struct World {
    pub app: TestApp,
    tokens: Vec<(Role, String)>,
    pub own: Party,
    pub foreign: Party,
    pub walking: i64,
    plumbing: i64,
    seq: Cell<u32>,
}

impl World {
    /// The token a role calls with (none for the anonymous caller).
    pub fn token(&self, role: Role) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, t)| t.as_str())
    }

    pub fn party(&self, side: Side) -> &Party {
        match side {
            Side::Own => &self.own,
            Side::Foreign => &self.foreign,
        }
    }

    fn next(&self) -> u32 {
        let n = self.seq.get() + 1;
        self.seq.set(n);
        n
    }

    /// POST/PATCH/... as `token`; asserts success and returns the body.
    async fn ok(&self, method: &str, path: &str, token: &str, body: Value) -> Value {
        let r: Reply = self
            .app
            .call(method, path, Some(token), Some(&body))
            .await;
        assert!(
            r.status.is_success(),
            "arranging {method} {path}: {} {}",
            r.status,
            r.body
        );
        r.body
    }

    /// Makes a fresh object of `kind` on `side`; returns the id for its path.
    pub async fn make(&self, kind: Kind, side: Side) -> String {
        let p = self.party(side);
        match kind {
            Kind::NewJob => id(&self.book(p).await).to_string(),
            Kind::AcceptedJob => self.accepted(p).await.to_string(),
            Kind::CompletedJob => {
                let job = self.accepted(p).await;
                self.job_action(&p.provider, job, "complete").await;
                job.to_string()
            }
            Kind::ChangedJob => {
                let job = self.accepted(p).await;
                let path = format!("/api/v1/jobs/{job}");
                self.ok("PATCH", &path, &p.provider, json!({"price_cents": 6000}))
                    .await;
                job.to_string()
            }
            Kind::Thread => text(&self.book(p).await, "thread_id").to_owned(),
            Kind::Dispute => {
                let job = self.accepted(p).await;
                let path = format!("/api/v1/jobs/{job}/disputes");
                let body = json!({"description": "The walk never happened", "attachment_ids": []});
                id(&self.ok("POST", &path, &p.customer, body).await).to_string()
            }
            Kind::DraftListing => self.listing(p).await.to_string(),
            Kind::Listing => self.published(p).await.to_string(),
            Kind::SuspendedListing => {
                let listing = self.published(p).await;
                let path = format!("/api/v1/listings/{listing}/suspend");
                self.ok("POST", &path, &p.lsm, json!({"reason": "Checking"}))
                    .await;
                listing.to_string()
            }
            Kind::Applicant => self.applicant(p).await.1.to_string(),
            Kind::ApprovedProvider => self.approved(p).await.to_string(),
            Kind::SuspendedProvider => {
                let provider = self.approved(p).await;
                let path = format!("/api/v1/lsm/providers/{provider}/suspend");
                self.ok("POST", &path, &p.lsm, json!({"reason": "complaints"}))
                    .await;
                provider.to_string()
            }
            Kind::BanRequest => {
                let provider = self.approved(p).await;
                let path = format!("/api/v1/lsm/providers/{provider}/ban-requests");
                id(&self.ok("POST", &path, &p.lsm, json!({"reason": "fraud"})).await).to_string()
            }
            Kind::ServiceRequest => self.service_request(p).await.to_string(),
            Kind::Notification => self.notification(p).await.to_string(),
            Kind::Attachment => uploaded(&self.app, &p.customer, "photo.png", &png()).await,
            _ => self.make_books(kind, p).await,
        }
    }

    /// The back-office and catalog kinds.
    async fn make_books(&self, kind: Kind, p: &Party) -> String {
        let token = &p.provider;
        match kind {
            Kind::BillingParty => self.billing_party(token).await.to_string(),
            Kind::Contact => {
                let party = self.billing_party(token).await;
                let body = json!({"first_name": "Cy", "last_name": "Dee", "party_id": party});
                id(&self.ok("POST", "/api/v1/billing/contacts", token, body).await).to_string()
            }
            Kind::DraftInvoice => self.draft_invoice(token, None).await.to_string(),
            Kind::IssuedInvoice => self.issued_invoice(token, None).await.to_string(),
            Kind::PortalInvoice => self
                .issued_invoice(token, Some(p.portal_party))
                .await
                .to_string(),
            Kind::Payment => {
                let invoice = self.issued_invoice(token, None).await;
                let path = format!("/api/v1/billing/invoices/{invoice}/payments");
                let body = json!({"amount_cents": 100, "method": "cash"});
                id(&self.ok("POST", &path, token, body).await).to_string()
            }
            Kind::Sale => self.sale(p).await.to_string(),
            Kind::CompletedSale => {
                let sale = self.sale(p).await;
                let path = format!("/api/v1/marketplace/transactions/{sale}/complete");
                self.ok("POST", &path, token, json!({})).await;
                sale.to_string()
            }
            Kind::Invitation => {
                // Side B's invitations are answered by nobody, so each goes to a new address.
                let email = if std::ptr::eq(p, &self.own) {
                    p.customer_email.clone()
                } else {
                    format!("invitee{}@matrix.test", self.next())
                };
                let body = json!({"email": email});
                id(&self.ok("POST", "/api/v1/tenants/me/invitations", token, body).await)
                    .to_string()
            }
            Kind::Staff => self.staff(token).await.to_string(),
            Kind::Service | Kind::OfferedService | Kind::ProviderProfile => {
                self.catalog(kind, p).to_string()
            }
            other => panic!("no factory for {other:?}"),
        }
    }

    fn catalog(&self, kind: Kind, p: &Party) -> i64 {
        let own = std::ptr::eq(p, &self.own);
        match (kind, own) {
            (Kind::ProviderProfile, _) => p.provider_id,
            // The own provider offers dog walking; no caller offers plumbing.
            (_, true) => self.walking,
            (_, false) => self.plumbing,
        }
    }

    async fn book(&self, p: &Party) -> Value {
        let body = json!({
            "provider_id": p.provider_id, "service_id": self.walking,
            "description": "Two walks for Rex",
            "answers": {"dog_count": 1, "walk_length": "30 minutes"},
            "zipcode": p.zipcode, "price_cents": 5000
        });
        self.ok("POST", "/api/v1/jobs", &p.customer, body).await
    }

    async fn job_action(&self, token: &str, job: i64, action: &str) {
        let path = format!("/api/v1/jobs/{job}/{action}");
        self.ok("POST", &path, token, json!({})).await;
    }

    async fn accepted(&self, p: &Party) -> i64 {
        let job = id(&self.book(p).await);
        self.job_action(&p.provider, job, "accept").await;
        job
    }

    async fn listing(&self, p: &Party) -> i64 {
        let body = json!({"title": "Walks", "description": "Daily walks", "category": "pets",
            "price_type": "hourly", "price_cents": 2500});
        id(&self.ok("POST", "/api/v1/listings", &p.provider, body).await)
    }

    async fn published(&self, p: &Party) -> i64 {
        let listing = self.listing(p).await;
        let path = format!("/api/v1/listings/{listing}/publish");
        self.ok("POST", &path, &p.provider, json!({})).await;
        listing
    }

    /// A fresh applicant in the side's region; returns (token, provider id).
    async fn applicant(&self, p: &Party) -> (String, i64) {
        let n = self.next();
        let email = format!("applicant{n}@matrix.test");
        let phone = format!("212-555-{:04}", 1000 + n);
        applicant(&self.app, &email, p.zipcode, &phone, &[self.walking]).await
    }

    async fn approved(&self, p: &Party) -> i64 {
        let (_, provider) = self.applicant(p).await;
        let path = format!("/api/v1/lsm/providers/{provider}/approve");
        self.ok("POST", &path, &p.lsm, json!({})).await;
        provider
    }

    async fn service_request(&self, p: &Party) -> i64 {
        let n = self.next();
        let path = format!("/api/v1/search?q=zither%20tuning%20{n}&zipcode={}", p.zipcode);
        let r = self.app.get(&path, None).await;
        r.body["service_request_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no service request in {}", r.body))
    }

    /// The side's LSM's newest notification (every application sends one).
    async fn notification(&self, p: &Party) -> i64 {
        self.applicant(p).await;
        let r = self.app.get("/api/v1/notifications", Some(&p.lsm)).await;
        id(&r.body["items"][0])
    }

    async fn billing_party(&self, token: &str) -> i64 {
        let body = json!({"kind": "person", "display_name": "Client"});
        id(&self.ok("POST", "/api/v1/billing/parties", token, body).await)
    }

    async fn draft_invoice(&self, token: &str, party: Option<i64>) -> i64 {
        let body = json!({"client_party_id": party,
            "lines": [{"description": "Work", "quantity": 1, "unit_price_cents": 10_000}]});
        id(&self.ok("POST", "/api/v1/billing/invoices", token, body).await)
    }

    async fn issued_invoice(&self, token: &str, party: Option<i64>) -> i64 {
        let invoice = self.draft_invoice(token, party).await;
        let path = format!("/api/v1/billing/invoices/{invoice}/issue");
        self.ok("POST", &path, token, json!({})).await;
        invoice
    }

    async fn sale(&self, p: &Party) -> i64 {
        let body = json!({"service_description": "Walks", "amount_cents": 2500,
            "transaction_date": "2026-11-29", "client_user_id": p.customer_id});
        id(&self.ok("POST", "/api/v1/marketplace/transactions", &p.provider, body).await)
    }

    /// A fresh user who joined the owner's tenant; returns the user id.
    async fn staff(&self, owner: &str) -> i64 {
        let n = self.next();
        let email = format!("staff{n}@matrix.test");
        let token = user(&self.app, &email, "customer").await;
        join(self, owner, &token, &email).await;
        user_id(&self.app, &token).await
    }
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    id(&app.get("/api/v1/me", Some(token)).await.body["user"])
}

/// `owner` invites `email`, whose holder (`token`) accepts.
async fn join(world: &World, owner: &str, token: &str, email: &str) {
    let body = json!({"email": email});
    let invitation = id(&world
        .ok("POST", "/api/v1/tenants/me/invitations", owner, body)
        .await);
    let path = format!("/api/v1/tenant-invitations/{invitation}/accept");
    world.ok("POST", &path, token, json!({})).await;
}

/// An approved provider of `zipcode` offering `service`, approved by
/// `lsm_token`; returns (token, id).
async fn approved_provider(
    app: &TestApp,
    lsm_token: &str,
    email: &str,
    (zipcode, phone): (&str, &str),
    service: i64,
) -> (String, i64) {
    let (token, provider) = applicant(app, email, zipcode, phone, &[service]).await;
    let r = app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{provider}/approve"),
            Some(lsm_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (token, provider)
}

/// A contact of the provider's tenant with portal access; returns (party, portal token).
async fn portal_contact(world: &World, provider: &str) -> (i64, String) {
    let party = world.billing_party(provider).await;
    let body = json!({"first_name": "Pat", "last_name": "Client", "email": "pat@client.test", "party_id": party});
    let contact = id(&world
        .ok("POST", "/api/v1/billing/contacts", provider, body)
        .await);
    let path = format!("/api/v1/billing/contacts/{contact}/portal");
    let body = json!({"enabled": true, "password": "client portal pass"});
    world.ok("PUT", &path, provider, body).await;
    let tenant = world.app.get("/api/v1/tenants/me", Some(provider)).await;
    let login = json!({"tenant_slug": text(&tenant.body, "slug"), "email": "pat@client.test",
        "password": "client portal pass"});
    let r = world.app.post("/api/v1/portal/login", &login).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (party, text(&r.body, "access_token").to_owned())
}

async fn side(app: &TestApp, lsm_token: String, zipcode: &'static str, tag: &str, walking: i64) -> Party {
    let phone = if tag == "own" { "212-555-0001" } else { "213-555-0002" };
    let customer_email = format!("customer-{tag}@matrix.test");
    let customer = user(app, &customer_email, "customer").await;
    let customer_id = user_id(app, &customer).await;
    let provider_email = format!("provider-{tag}@matrix.test");
    let (provider, provider_id) =
        approved_provider(app, &lsm_token, &provider_email, (zipcode, phone), walking).await;
    Party {
        customer,
        customer_id,
        customer_email,
        provider,
        provider_id,
        lsm: lsm_token,
        zipcode,
        portal_party: 0,
    }
}

/// Builds the world on `backend`.
pub async fn world(backend: Backend) -> World {
    let (app, admin) = app_with_admin(backend).await;
    let walking = service_id(&app, "dog-walking").await;
    let plumbing = service_id(&app, "plumbing").await;
    let nyc = lsm(&app, &admin, "lsm-nyc@matrix.test", "nyc").await;
    let la = lsm(&app, &admin, "lsm-la@matrix.test", "la").await;
    let own = side(&app, nyc.clone(), "10001", "own", walking).await;
    let foreign = side(&app, la.clone(), "90001", "foreign", walking).await;
    // The other provider offers handyman work, so dog walking is not theirs to toggle.
    let handyman = service_id(&app, "handyman").await;
    let place = ("10001", "212-555-0003");
    let (other, _) =
        approved_provider(&app, &nyc, "other-provider@matrix.test", place, handyman).await;
    let staff = user(&app, "other-staff@matrix.test", "customer").await;
    let mut world = World {
        app,
        tokens: Vec::new(),
        own,
        foreign,
        walking,
        plumbing,
        seq: Cell::new(0),
    };
    join(&world, &other, &staff, "other-staff@matrix.test").await;
    let (own_party, portal) = portal_contact(&world, &world.own.provider.clone()).await;
    let foreign_party = world.billing_party(&world.foreign.provider.clone()).await;
    world.own.portal_party = own_party;
    world.foreign.portal_party = foreign_party;
    world.tokens = vec![
        (Role::Customer, world.own.customer.clone()),
        (Role::Provider, world.own.provider.clone()),
        (Role::OtherProvider, other),
        (Role::OtherTenantStaff, staff),
        (Role::Lsm, nyc),
        (Role::OtherLsm, la),
        (Role::Admin, admin),
        (Role::Portal, portal),
    ];
    world
}
