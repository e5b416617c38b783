//! No billing route answers another tenant's data: every id, filter and cursor
//! of tenant B is a 404 for tenant A, and nothing of B changes.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::billing::issued_invoice;
use crate::helpers::{TestApp, id, spawn_app, spawn_app_with};

struct Books {
    token: String,
    party: i64,
    contact: i64,
    invoice: i64,
    draft: i64,
    payment: i64,
}

async fn books(app: &TestApp, email: &str, slug: &str) -> Books {
    let token = app.tenant_owner(email, slug).await;
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
    Books {
        token,
        party,
        contact,
        invoice,
        draft,
        payment,
    }
}

#[actix_web::test]
async fn another_tenants_ids_filters_and_cursors_are_404_on_sqlite() {
    isolation(&spawn_app().await).await;
}

#[actix_web::test]
async fn another_tenants_ids_filters_and_cursors_are_404_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    isolation(&spawn_app_with(persistence::Backend::Postgres, |_| {}).await).await;
}

async fn isolation(app: &TestApp) {
    let a = books(app, "a@example.com", "tenant-a").await;
    let b = books(app, "b@example.com", "tenant-b").await;
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
    let a_payments = app
        .send("GET", "/api/v1/billing/payments", Some(&a.token), None, &[])
        .await;
    assert_eq!(a_payments.body["items"][0]["id"].as_i64(), Some(a.payment));
    assert_eq!(a_payments.body["items"].as_array().map(Vec::len), Some(1));
    let _ = (a.contact, a.invoice, a.draft);
}
