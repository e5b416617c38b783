//! The back office over HTTP: a provider business runs its books.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id, spawn_app, spawn_app_with};

/// An issued invoice of `amount` cents; returns its id.
pub async fn issued_invoice(app: &TestApp, token: &str, amount: i64, party: Option<i64>) -> i64 {
    let body = json!({"client_party_id": party, "lines": [{"description": "Work", "quantity": 1, "unit_price_cents": amount}]});
    let invoice = app.create(token, "/api/v1/billing/invoices", body).await;
    app.create(
        token,
        &format!("/api/v1/billing/invoices/{}/issue", id(&invoice)),
        json!({}),
    )
    .await;
    id(&invoice)
}

#[actix_web::test]
async fn a_business_bills_a_client_and_gets_paid_on_sqlite() {
    books_flow(&spawn_app().await).await;
}

#[actix_web::test]
async fn a_business_bills_a_client_and_gets_paid_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    books_flow(&spawn_app_with(persistence::Backend::Postgres, |_| {}).await).await;
}

async fn books_flow(app: &TestApp) {
    let token = app.tenant_owner("owner@example.com", "acme").await;
    let me = app
        .send("GET", "/api/v1/tenants/me", Some(&token), None, &[])
        .await;
    assert_eq!(
        (me.body["slug"].as_str(), me.body["role"].as_str()),
        (Some("acme"), Some("owner"))
    );

    let party = app
        .create(
            &token,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": "Pat Client"}),
        )
        .await;
    let body = json!({
        "client_party_id": id(&party), "due_date": "2026-12-31", "deposit_cents": 500,
        "lines": [{"description": "Repair", "quantity": 2, "unit_price_cents": 1_500}, {"description": "Parts", "quantity": 1, "unit_price_cents": 999}]
    });
    let invoice = app.create(&token, "/api/v1/billing/invoices", body).await;
    assert_eq!(
        (
            invoice["status"].as_str(),
            invoice["amount_cents"].as_i64(),
            invoice["number"].as_str()
        ),
        (Some("draft"), Some(3_999), Some("INV-000001"))
    );
    let path = format!("/api/v1/billing/invoices/{}", id(&invoice));

    let read = app.send("GET", &path, Some(&token), None, &[]).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    let edited = app
        .send(
            "PATCH",
            &path,
            Some(&token),
            Some(&json!({"notes": "Thanks!"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (edited.status, edited.header("etag")),
        (StatusCode::OK, Some("\"2\""))
    );
    let stale = app
        .send(
            "PATCH",
            &path,
            Some(&token),
            Some(&json!({"notes": "again"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.body["code"], "precondition_failed");

    let issued = app
        .send(
            "POST",
            &format!("{path}/issue"),
            Some(&token),
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(
        (issued.status, issued.body["status"].as_str()),
        (StatusCode::OK, Some("issued"))
    );
    let not_draft = app
        .send(
            "PATCH",
            &path,
            Some(&token),
            Some(&json!({"notes": "late"})),
            &[],
        )
        .await;
    assert_eq!(not_draft.status, StatusCode::CONFLICT);

    let pay = |amount: i64| json!({"amount_cents": amount, "method": "card"});
    let first = app
        .send(
            "POST",
            &format!("{path}/payments"),
            Some(&token),
            Some(&pay(1_000)),
            &[],
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(
        (
            first.body["invoice"]["status"].as_str(),
            first.body["invoice"]["balance_cents"].as_i64()
        ),
        (Some("partially_paid"), Some(2_999))
    );
    let too_much = app
        .send(
            "POST",
            &format!("{path}/payments"),
            Some(&token),
            Some(&pay(3_000)),
            &[],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    for bad in [0, -5] {
        assert_eq!(
            app.send(
                "POST",
                &format!("{path}/payments"),
                Some(&token),
                Some(&pay(bad)),
                &[]
            )
            .await
            .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let rest = app
        .send(
            "POST",
            &format!("{path}/payments"),
            Some(&token),
            Some(&pay(2_999)),
            &[],
        )
        .await;
    assert_eq!(rest.body["invoice"]["status"], "paid");

    let no_delete = app.send("DELETE", &path, Some(&token), None, &[]).await;
    assert_eq!(no_delete.status, StatusCode::CONFLICT);
    let no_void = app
        .send("POST", &format!("{path}/void"), Some(&token), None, &[])
        .await;
    assert_eq!(no_void.status, StatusCode::CONFLICT);

    let refunded = app
        .send(
            "POST",
            &format!("/api/v1/billing/payments/{}/refund", id(&first.body)),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (
            refunded.body["status"].as_str(),
            refunded.body["invoice"]["balance_cents"].as_i64()
        ),
        (Some("refunded"), Some(1_000))
    );
    let twice = app
        .send(
            "POST",
            &format!("/api/v1/billing/payments/{}/refund", id(&first.body)),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let listed = app
        .send(
            "GET",
            &format!("/api/v1/billing/payments?invoice_id={}", id(&invoice)),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(2));
    let filtered = app
        .send(
            "GET",
            "/api/v1/billing/invoices?status=partially_paid&due_before=2027-01-01",
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(filtered.body["items"][0]["id"].as_i64(), Some(id(&invoice)));
    let none = app
        .send(
            "GET",
            "/api/v1/billing/invoices?status=draft",
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(none.body["items"], json!([]));
    let bad_status = app
        .send(
            "GET",
            "/api/v1/billing/invoices?status=lost",
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn twenty_five_million_dollars_round_trip_and_overflow_is_a_422() {
    let app = spawn_app().await;
    let token = app.tenant_owner("big@example.com", "big-co").await;
    let invoice = issued_invoice(&app, &token, 2_500_000_000, None).await;
    let paid = app
        .send(
            "POST",
            &format!("/api/v1/billing/invoices/{invoice}/payments"),
            Some(&token),
            Some(&json!({"amount_cents": 2_147_483_648i64, "method": "bank_transfer"})),
            &[],
        )
        .await;
    assert_eq!(
        paid.body["invoice"]["balance_cents"].as_i64(),
        Some(352_516_352)
    );
    let read = app
        .send(
            "GET",
            &format!("/api/v1/billing/invoices/{invoice}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(read.body["amount_cents"].as_i64(), Some(2_500_000_000));

    let overflow = json!({"lines": [{"description": "x", "quantity": 1_000_000, "unit_price_cents": 9_223_372_036_854_775i64}]});
    let r = app
        .send(
            "POST",
            "/api/v1/billing/invoices",
            Some(&token),
            Some(&overflow),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let deposit = json!({"deposit_cents": 101, "lines": [{"description": "x", "quantity": 1, "unit_price_cents": 100}]});
    let r = app
        .send(
            "POST",
            "/api/v1/billing/invoices",
            Some(&token),
            Some(&deposit),
            &[],
        )
        .await;
    assert_eq!(r.body["errors"][0]["field"], "deposit_cents");
}

#[actix_web::test]
async fn lists_page_with_cursors() {
    let app = spawn_app().await;
    let token = app.tenant_owner("pages@example.com", "pages-co").await;
    for i in 0..5 {
        app.create(
            &token,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": format!("P{i}")}),
        )
        .await;
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/billing/parties?limit=2".to_owned();
    loop {
        let r = app.send("GET", &path, Some(&token), None, &[]).await;
        names.extend(
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["display_name"].as_str().map(str::to_owned)),
        );
        match r.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/billing/parties?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(names, ["P4", "P3", "P2", "P1", "P0"]);
}

/// The body of a successful payment.
pub fn payment_body(amount: i64) -> Value {
    json!({"amount_cents": amount, "method": "cash"})
}
