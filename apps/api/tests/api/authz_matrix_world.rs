//! The world the authorization matrix runs in, built once per backend: the
//! nine callers and the parties of two sides (objects are made by
//! `authz_matrix_objects.rs`).
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

/// The app, its callers and the two sides.
pub struct World {
    pub app: TestApp,
    tokens: Vec<(Role, String)>,
    pub own: Party,
    pub foreign: Party,
    pub walking: i64,
    pub plumbing: i64,
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

    pub fn next(&self) -> u32 {
        let n = self.seq.get() + 1;
        self.seq.set(n);
        n
    }

    /// POST/PATCH/... as `token`; asserts success and returns the body.
    pub async fn ok(&self, method: &str, path: &str, token: &str, body: Value) -> Value {
        let r: Reply = self.app.call(method, path, Some(token), Some(&body)).await;
        assert!(
            r.status.is_success(),
            "arranging {method} {path}: {} {}",
            r.status,
            r.body
        );
        r.body
    }
}

pub async fn user_id(app: &TestApp, token: &str) -> i64 {
    id(&app.get("/api/v1/me", Some(token)).await.body["user"])
}

/// `owner` invites `email`, whose holder (`token`) accepts.
pub async fn join(world: &World, owner: &str, token: &str, email: &str) {
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

async fn side(
    app: &TestApp,
    lsm_token: String,
    zipcode: &'static str,
    tag: &str,
    walking: i64,
) -> Party {
    let phone = if tag == "own" {
        "212-555-0001"
    } else {
        "213-555-0002"
    };
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
    // The matrix books a job per object it needs; the open-request quotas
    // (tested in quotas_jobs.rs) would refuse the fourth.
    let quotas =
        serde_json::json!({"open_requests_per_pair": 1000, "open_requests_per_customer": 10000});
    let r = app
        .call(
            "PATCH",
            "/api/v1/admin/settings",
            Some(&admin),
            Some(&quotas),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
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
