//! Fresh objects of every kind the matrix's paths name, made on either side
//! through the API as their owners would make them.

use serde_json::{Value, json};

use crate::attachments_support::{png, uploaded};
use crate::authz_matrix::world::{Party, Side, World, join, user_id};
use crate::helpers::{id, text};
use crate::supply_support::{applicant, user};

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
    AvailabilityException,
    Session,
}

impl World {
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
                id(&self
                    .ok("POST", &path, &p.lsm, json!({"reason": "fraud"}))
                    .await)
                .to_string()
            }
            Kind::ServiceRequest => self.service_request(p).await.to_string(),
            Kind::Notification => self.notification(p).await.to_string(),
            Kind::Attachment => uploaded(&self.app, &p.customer, "photo.png", &png()).await,
            Kind::AvailabilityException => {
                let start = chrono::Utc::now() + chrono::Duration::days(1);
                let body = json!({
                    "kind": "time_off", "reason": "Matrix check",
                    "start": start.to_rfc3339(),
                    "end": (start + chrono::Duration::hours(2)).to_rfc3339(),
                });
                let path = "/api/v1/providers/me/availability/exceptions";
                id(&self.ok("POST", path, &p.provider, body).await).to_string()
            }
            _ => self.make_books(kind, side).await,
        }
    }

    /// The back-office and catalog kinds.
    async fn make_books(&self, kind: Kind, side: Side) -> String {
        let p = self.party(side);
        let token = &p.provider;
        match kind {
            Kind::BillingParty => self.billing_party(token).await.to_string(),
            Kind::Contact => {
                let party = self.billing_party(token).await;
                let body = json!({"first_name": "Cy", "last_name": "Dee", "party_id": party});
                id(&self
                    .ok("POST", "/api/v1/billing/contacts", token, body)
                    .await)
                .to_string()
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
                let email = if side == Side::Own {
                    p.customer_email.clone()
                } else {
                    format!("invitee{}@matrix.test", self.next())
                };
                let body = json!({"email": email});
                id(&self
                    .ok("POST", "/api/v1/tenants/me/invitations", token, body)
                    .await)
                .to_string()
            }
            Kind::Staff => self.staff(token).await.to_string(),
            Kind::Session => {
                // A fresh sign-in of the side's customer: the session to end.
                let body =
                    json!({"email": p.customer_email, "password": crate::supply_support::PASSWORD});
                let signed_in = self.app.post("/api/v1/auth/login", &body).await;
                let access = text(&signed_in.body, "access_token").to_owned();
                let listed = self.app.get("/api/v1/me/sessions", Some(&access)).await;
                listed.body["items"]
                    .as_array()
                    .and_then(|items| items.iter().find(|s| s["current"] == true))
                    .map(|s| text(s, "id").to_owned())
                    .unwrap_or_else(|| panic!("no current session in {}", listed.body))
            }
            Kind::Service | Kind::OfferedService | Kind::ProviderProfile => {
                self.catalog(kind, side).to_string()
            }
            other => panic!("no factory for {other:?}"),
        }
    }

    /// The query string an operation needs beyond its path (none for most).
    pub fn query(&self, path: &str) -> String {
        if path != "/api/v1/providers/{id}/slots" {
            return String::new();
        }
        let from = chrono::Utc::now();
        let to = from + chrono::Duration::days(2);
        format!(
            "?service_id={}&from={}&to={}",
            self.walking,
            from.format("%Y-%m-%dT%H:%M:%SZ"),
            to.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }

    fn catalog(&self, kind: Kind, side: Side) -> i64 {
        let p = self.party(side);
        let own = side == Side::Own;
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
        let path = format!(
            "/api/v1/search?q=zither%20tuning%20{n}&zipcode={}",
            p.zipcode
        );
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

    pub async fn billing_party(&self, token: &str) -> i64 {
        let body = json!({"kind": "person", "display_name": "Client"});
        id(&self
            .ok("POST", "/api/v1/billing/parties", token, body)
            .await)
    }

    async fn draft_invoice(&self, token: &str, party: Option<i64>) -> i64 {
        let body = json!({"client_party_id": party,
            "lines": [{"description": "Work", "quantity": 1, "unit_price_cents": 10_000}]});
        id(&self
            .ok("POST", "/api/v1/billing/invoices", token, body)
            .await)
    }

    async fn issued_invoice(&self, token: &str, party: Option<i64>) -> i64 {
        let invoice = self.draft_invoice(token, party).await;
        let path = format!("/api/v1/billing/invoices/{invoice}/issue");
        self.ok("POST", &path, token, json!({})).await;
        invoice
    }

    async fn sale(&self, p: &Party) -> i64 {
        // Only a client of the provider may be named: the customer has booked
        // it once (once only: open requests per pair are limited).
        let jobs = self.app.get("/api/v1/jobs", Some(&p.customer)).await;
        let booked = jobs.body["items"]
            .as_array()
            .is_some_and(|j| j.iter().any(|j| j["provider_id"] == p.provider_id));
        if !booked {
            self.book(p).await;
        }
        let body = json!({"service_description": "Walks", "amount_cents": 2500,
            "transaction_date": "2026-11-29", "client_user_id": p.customer_id});
        id(&self
            .ok(
                "POST",
                "/api/v1/marketplace/transactions",
                &p.provider,
                body,
            )
            .await)
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
