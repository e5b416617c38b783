//! No billing, listing, marketplace-transaction or attachment route answers another
//! tenant's data: every id, filter and cursor of tenant B (an approved
//! provider's tenant) is a 404 for tenant A, and nothing of B changes.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::attachments_support::{download, pdf, uploaded};
use crate::billing::issued_invoice;
use crate::helpers::{TestApp, id};
use crate::supply_support::{app_with_admin, applicant, lsm, service_id};

struct Books {
    token: String,
    party: i64,
    contact: i64,
    invoice: i64,
    draft: i64,
    payment: i64,
    /// A draft listing and a published one.
    draft_listing: i64,
    listing: i64,
    /// A pending sale (of `listing`, to `party`) and a completed one.
    sale: i64,
    sold: i64,
    /// An uploaded file (a receipt).
    evidence: String,
}

/// An approved provider (so a tenant of its own, and listings); returns its token.
async fn provider(app: &TestApp, lsm_token: &str, email: &str, phone: &str) -> String {
    let walking = service_id(app, "dog-walking").await;
    let (token, provider_id) = applicant(app, email, "10001", phone, &[walking]).await;
    let r = app
        .send(
            "POST",
            &format!("/api/v1/lsm/providers/{provider_id}/approve"),
            Some(lsm_token),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    token
}

async fn books(app: &TestApp, lsm_token: &str, email: &str, slug: &str, phone: &str) -> Books {
    let token = provider(app, lsm_token, email, phone).await;
    let party = id(&app
        .create(
            &token,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": "Client"}),
        )
        .await);
    let contact = id(&app.create(&token, "/api/v1/billing/contacts", json!({"first_name": "C", "last_name": "D", "email": format!("c@{slug}.com"), "party_id": party})).await);
    let invoice = issued_invoice(app, &token, 10_000, Some(party)).await;
    let draft = id(&app
        .create(
            &token,
            "/api/v1/billing/invoices",
            json!({"lines": [{"description": "x", "quantity": 1, "unit_price_cents": 7}]}),
        )
        .await);
    let payment = id(&app
        .create(
            &token,
            &format!("/api/v1/billing/invoices/{invoice}/payments"),
            json!({"amount_cents": 100, "method": "cash"}),
        )
        .await);
    let listing_body = json!({"title": "Walks", "description": "Daily walks", "category": "pets",
        "price_type": "hourly", "price_cents": 2500});
    let draft_listing = id(&app
        .create(&token, "/api/v1/listings", listing_body.clone())
        .await);
    let listing = id(&app.create(&token, "/api/v1/listings", listing_body).await);
    app.create(
        &token,
        &format!("/api/v1/listings/{listing}/publish"),
        json!({}),
    )
    .await;
    let sale_body = json!({"service_description": "Walks", "amount_cents": 2500,
        "transaction_date": "2026-11-29", "client_party_id": party, "service_listing_id": listing});
    let sales = "/api/v1/marketplace/transactions";
    let sale = id(&app.create(&token, sales, sale_body.clone()).await);
    let sold = id(&app.create(&token, sales, sale_body).await);
    app.create(&token, &format!("{sales}/{sold}/complete"), json!({}))
        .await;
    let evidence = uploaded(app, &token, "receipt.pdf", &pdf()).await;
    Books {
        token,
        party,
        contact,
        invoice,
        draft,
        payment,
        draft_listing,
        listing,
        sale,
        sold,
        evidence,
    }
}

#[actix_web::test]
async fn another_tenants_ids_filters_and_cursors_are_404_on_sqlite() {
    isolation(Backend::Sqlite).await;
}

#[actix_web::test]
async fn another_tenants_ids_filters_and_cursors_are_404_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    isolation(Backend::Postgres).await;
}

async fn isolation(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let app = &app;
    let lsm_token = lsm(app, &admin, "lsm@nyc.test", "nyc").await;
    let a = books(app, &lsm_token, "a@example.com", "tenant-a", "212-555-0101").await;
    let b = books(app, &lsm_token, "b@example.com", "tenant-b", "212-555-0102").await;
    let sales = "/api/v1/marketplace/transactions";
    let line = json!({"lines": [{"description": "y", "quantity": 1, "unit_price_cents": 1}]});
    let cases: Vec<(&str, String, Option<serde_json::Value>)> = vec![
        ("GET", format!("/api/v1/billing/parties/{}", b.party), None),
        (
            "PATCH",
            format!("/api/v1/billing/parties/{}", b.party),
            Some(json!({"display_name": "Mine now"})),
        ),
        (
            "DELETE",
            format!("/api/v1/billing/parties/{}", b.party),
            None,
        ),
        (
            "GET",
            format!("/api/v1/billing/contacts/{}", b.contact),
            None,
        ),
        (
            "PATCH",
            format!("/api/v1/billing/contacts/{}", b.contact),
            Some(json!({"first_name": "X"})),
        ),
        (
            "DELETE",
            format!("/api/v1/billing/contacts/{}", b.contact),
            None,
        ),
        (
            "PUT",
            format!("/api/v1/billing/contacts/{}/portal", b.contact),
            Some(json!({"enabled": true, "password": "a portal password"})),
        ),
        (
            "GET",
            format!("/api/v1/billing/invoices/{}", b.invoice),
            None,
        ),
        (
            "PATCH",
            format!("/api/v1/billing/invoices/{}", b.draft),
            Some(line.clone()),
        ),
        (
            "DELETE",
            format!("/api/v1/billing/invoices/{}", b.draft),
            None,
        ),
        (
            "POST",
            format!("/api/v1/billing/invoices/{}/issue", b.draft),
            None,
        ),
        (
            "POST",
            format!("/api/v1/billing/invoices/{}/void", b.draft),
            None,
        ),
        (
            "POST",
            format!("/api/v1/billing/invoices/{}/payments", b.invoice),
            Some(json!({"amount_cents": 1, "method": "cash"})),
        ),
        (
            "POST",
            format!("/api/v1/billing/payments/{}/refund", b.payment),
            None,
        ),
        (
            "GET",
            format!("/api/v1/billing/invoices?client_party_id={}", b.party),
            None,
        ),
        (
            "GET",
            format!("/api/v1/billing/payments?invoice_id={}", b.invoice),
            None,
        ),
        (
            "POST",
            "/api/v1/billing/invoices".to_owned(),
            Some(
                json!({"client_party_id": b.party, "lines": [{"description": "z", "quantity": 1, "unit_price_cents": 1}]}),
            ),
        ),
        (
            "POST",
            "/api/v1/billing/contacts".to_owned(),
            Some(json!({"first_name": "E", "last_name": "F", "party_id": b.party})),
        ),
        // Listings: B's draft is invisible, and neither of B's listings is A's to change.
        ("GET", format!("/api/v1/listings/{}", b.draft_listing), None),
        (
            "PATCH",
            format!("/api/v1/listings/{}", b.draft_listing),
            Some(json!({"title": "Mine now"})),
        ),
        (
            "PATCH",
            format!("/api/v1/listings/{}", b.listing),
            Some(json!({"title": "Mine now"})),
        ),
        (
            "POST",
            format!("/api/v1/listings/{}/publish", b.draft_listing),
            None,
        ),
        (
            "POST",
            format!("/api/v1/listings/{}/unpublish", b.listing),
            None,
        ),
        // Marketplace transactions: B's are neither readable nor movable by A,
        // and A cannot name B's party or listing in a sale of its own.
        ("GET", format!("{sales}/{}", b.sale), None),
        ("POST", format!("{sales}/{}/complete", b.sale), None),
        ("POST", format!("{sales}/{}/cancel", b.sale), None),
        ("POST", format!("{sales}/{}/refund", b.sold), None),
        ("GET", format!("{sales}/{}", b.sold), None),
        // Attachments: B's file is not A's to read.
        ("GET", format!("/api/v1/attachments/{}", b.evidence), None),
        (
            "POST",
            sales.to_owned(),
            Some(json!({"service_description": "x", "amount_cents": 1,
                "transaction_date": "2026-11-29", "client_party_id": b.party})),
        ),
        (
            "POST",
            sales.to_owned(),
            Some(json!({"service_description": "x", "amount_cents": 1,
                "transaction_date": "2026-11-29", "service_listing_id": b.listing})),
        ),
    ];
    for (method, path, body) in &cases {
        let r = app
            .send(method, path, Some(&a.token), body.as_ref(), &[])
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            r.body
        );
    }
    // B's cursor is not a way into B's lists, nor into A's.
    let b_page = app
        .send(
            "GET",
            "/api/v1/billing/invoices?limit=1",
            Some(&b.token),
            None,
            &[],
        )
        .await;
    let cursor = b_page.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!cursor.is_empty());
    let r = app
        .send(
            "GET",
            &format!("/api/v1/billing/invoices?limit=1&cursor={cursor}"),
            Some(&a.token),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Nothing of B changed.
    let file = download(app, Some(&b.token), &b.evidence).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes.as_ref(), pdf().as_slice());
    let party = app
        .send(
            "GET",
            &format!("/api/v1/billing/parties/{}", b.party),
            Some(&b.token),
            None,
            &[],
        )
        .await;
    assert_eq!(party.body["display_name"], "Client");
    let invoice = app
        .send(
            "GET",
            &format!("/api/v1/billing/invoices/{}", b.invoice),
            Some(&b.token),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (
            invoice.body["balance_cents"].as_i64(),
            invoice.body["version"].as_i64()
        ),
        (Some(9_900), Some(3))
    );
    let draft = app
        .send(
            "GET",
            &format!("/api/v1/billing/invoices/{}", b.draft),
            Some(&b.token),
            None,
            &[],
        )
        .await;
    assert_eq!(draft.body["status"], "draft");
    // And A's own lists hold only A's rows.
    let a_parties = app
        .send("GET", "/api/v1/billing/parties", Some(&a.token), None, &[])
        .await;
    assert_eq!(
        a_parties.body["items"]
            .as_array()
            .map(|i| i.iter().map(|p| p["id"].as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(a.party)])
    );
    // A's payments: its invoice's and its completed sale's, none of B's.
    let a_payments = app
        .send("GET", "/api/v1/billing/payments", Some(&a.token), None, &[])
        .await;
    let ids: Vec<i64> = a_payments.body["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|p| p["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 2, "{}", a_payments.body);
    assert!(ids.contains(&a.payment) && !ids.contains(&b.payment));
    // Nothing of B's listings or sales changed, and A lists only A's sales.
    let read = |token: &str, path: String| {
        let token = token.to_owned();
        async move { app.send("GET", &path, Some(&token), None, &[]).await.body }
    };
    let draft_listing = read(&b.token, format!("/api/v1/listings/{}", b.draft_listing)).await;
    assert_eq!(
        (&draft_listing["status"], &draft_listing["title"]),
        (&json!("draft"), &json!("Walks"))
    );
    let listing = read(&b.token, format!("/api/v1/listings/{}", b.listing)).await;
    assert_eq!(
        (&listing["status"], &listing["title"]),
        (&json!("active"), &json!("Walks"))
    );
    assert_eq!(
        read(&b.token, format!("{sales}/{}", b.sale)).await["status"],
        "pending"
    );
    assert_eq!(
        read(&b.token, format!("{sales}/{}", b.sold)).await["status"],
        "completed"
    );
    let a_sales = read(&a.token, sales.to_owned()).await;
    let ids: Vec<i64> = a_sales["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|s| s["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![a.sold, a.sale]);
    let _ = (a.contact, a.invoice, a.draft, a.draft_listing, a.listing);
}
