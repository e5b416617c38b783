//! Refunds do what they are asked, bodies of body-less actions are refused,
//! and dates outside 1900–9999 are a 422 naming the field on both backends.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::billing::{issued_invoice, payment_body};
use crate::helpers::{TestApp, id, spawn_app, spawn_app_with};

/// A POST/DELETE with a bearer token and a raw body sent as JSON; returns the status and body.
pub async fn send_raw_json(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (StatusCode, Value) {
    let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut res = awc::Client::new()
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token)
        .insert_header(("content-type", "application/json"))
        .send_body(body.to_owned())
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    let bytes = res.body().await.unwrap_or_else(|e| panic!("body: {e}"));
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (res.status(), json)
}

async fn payment_state(app: &TestApp, token: &str, invoice: i64) -> (i64, String, Value) {
    let r = app
        .send(
            "GET",
            &format!("/api/v1/billing/payments?invoice_id={invoice}"),
            Some(token),
            None,
            &[],
        )
        .await;
    let p = &r.body["items"][0];
    (
        p["refunded_cents"].as_i64().unwrap_or(-1),
        p["status"].as_str().unwrap_or_default().to_owned(),
        p["refund_reason"].clone(),
    )
}

async fn refunds_flow(app: &TestApp) {
    let token = app.tenant_owner("refund@example.com", "refund-co").await;
    let invoice = issued_invoice(app, &token, 50_000, None).await;
    let paid = app
        .create(
            &token,
            &format!("/api/v1/billing/invoices/{invoice}/payments"),
            payment_body(50_000),
        )
        .await;
    let path = format!("/api/v1/billing/payments/{}/refund", id(&paid));

    let part = app
        .send(
            "POST",
            &path,
            Some(&token),
            Some(&json!({"amount_cents": 100, "reason": "scratched"})),
            &[],
        )
        .await;
    assert_eq!(part.status, StatusCode::OK, "{}", part.body);
    assert_eq!(
        (
            part.body["refunded_cents"].as_i64(),
            part.body["status"].as_str(),
            part.body["refund_reason"].as_str(),
            part.body["invoice"]["status"].as_str(),
            part.body["invoice"]["balance_cents"].as_i64(),
        ),
        (
            Some(100),
            Some("succeeded"),
            Some("scratched"),
            Some("partially_paid"),
            Some(100)
        ),
        "only 100 is refunded and the paid invoice moves back"
    );

    // Every refusal is a 4xx problem and changes nothing.
    let too_long = json!({"reason": "x".repeat(501)}).to_string();
    let refusals: [(&str, StatusCode, &str); 8] = [
        ("not json", StatusCode::BAD_REQUEST, ""),
        ("[]", StatusCode::UNPROCESSABLE_ENTITY, "body"),
        ("[100]", StatusCode::UNPROCESSABLE_ENTITY, "body"),
        (
            r#"{"amount": 1}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount",
        ),
        (
            r#"{"amount_cents": 0}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount_cents",
        ),
        (
            r#"{"amount_cents": 49901}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount_cents",
        ),
        (
            r#"{"reason": "a\u200bb"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason",
        ),
        (&too_long, StatusCode::UNPROCESSABLE_ENTITY, "reason"),
    ];
    for (body, status, field) in refusals {
        let (got, reply) = send_raw_json(app, "POST", &path, &token, body).await;
        assert_eq!(got, status, "{body}: {reply}");
        assert!(reply["type"].is_string(), "{body}: a problem, got {reply}");
        if !field.is_empty() {
            assert_eq!(reply["errors"][0]["field"], field, "{body}: {reply}");
        }
    }
    assert_eq!(
        payment_state(app, &token, invoice).await,
        (100, "succeeded".to_owned(), json!("scratched"))
    );

    // `{}` (like no body) refunds all that remains.
    let rest = app
        .send("POST", &path, Some(&token), Some(&json!({})), &[])
        .await;
    assert_eq!(
        (
            rest.status,
            rest.body["refunded_cents"].as_i64(),
            rest.body["status"].as_str(),
            rest.body["invoice"]["status"].as_str(),
            rest.body["invoice"]["balance_cents"].as_i64(),
        ),
        (
            StatusCode::OK,
            Some(50_000),
            Some("refunded"),
            Some("issued"),
            Some(50_000)
        ),
        "{}",
        rest.body
    );
    let again = app.send("POST", &path, Some(&token), None, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
}

#[actix_web::test]
async fn refunds_give_back_what_is_asked_on_sqlite() {
    refunds_flow(&spawn_app().await).await;
}

#[actix_web::test]
async fn refunds_give_back_what_is_asked_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    refunds_flow(&spawn_app_with(Backend::Postgres, |_| {}).await).await;
}

#[actix_web::test]
async fn actions_without_a_body_take_none_or_an_empty_object() {
    let app = spawn_app().await;
    let token = app.tenant_owner("nobody@example.com", "nobody-co").await;
    let body = json!({"lines": [{"description": "x", "quantity": 1, "unit_price_cents": 10}]});
    let invoice = app.create(&token, "/api/v1/billing/invoices", body).await;
    let path = format!("/api/v1/billing/invoices/{}", id(&invoice));
    for (method, action) in [("POST", "/issue"), ("POST", "/void"), ("DELETE", "")] {
        let target = format!("{path}{action}");
        for (raw, status) in [
            ("not json", StatusCode::BAD_REQUEST),
            ("[]", StatusCode::UNPROCESSABLE_ENTITY),
            // (`null` is no body, as the document's `oneOf: [EmptyBody, null]` says; contract.rs.)
            ("7", StatusCode::UNPROCESSABLE_ENTITY),
            (r#"{"force": true}"#, StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let (got, reply) = send_raw_json(&app, method, &target, &token, raw).await;
            assert_eq!(got, status, "{method} {target} {raw}: {reply}");
        }
    }
    let read = app.send("GET", &path, Some(&token), None, &[]).await;
    assert_eq!(
        (read.body["status"].as_str(), read.body["version"].as_i64()),
        (Some("draft"), Some(1)),
        "nothing changed"
    );
    let (issued, reply) = send_raw_json(&app, "POST", &format!("{path}/issue"), &token, "{}").await;
    assert_eq!(issued, StatusCode::OK, "{reply}");
    let voided = app
        .send("POST", &format!("{path}/void"), Some(&token), None, &[])
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
}

async fn dates_are_checked(app: &TestApp) {
    let token = app.tenant_owner("dates@example.com", "dates-co").await;
    let line = json!([{"description": "x", "quantity": 1, "unit_price_cents": 10}]);
    for due in ["-5000-01-01", "1899-12-31", "+10000-01-01"] {
        let r = app
            .send(
                "POST",
                "/api/v1/billing/invoices",
                Some(&token),
                Some(&json!({"due_date": due, "lines": line})),
                &[],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{due}: {}",
            r.body
        );
        assert_eq!(
            r.body["errors"][0]["field"], "due_date",
            "{due}: {}",
            r.body
        );
    }
    let draft = app
        .create(
            &token,
            "/api/v1/billing/invoices",
            json!({"due_date": "1900-01-01", "lines": line}),
        )
        .await;
    let patched = app
        .send(
            "PATCH",
            &format!("/api/v1/billing/invoices/{}", id(&draft)),
            Some(&token),
            Some(&json!({"due_date": "-5000-01-01"})),
            &[],
        )
        .await;
    assert_eq!(
        patched.body["errors"][0]["field"], "due_date",
        "{}",
        patched.body
    );
    for filter in ["due_before", "due_after"] {
        let r = app
            .send(
                "GET",
                &format!("/api/v1/billing/invoices?{filter}=-5000-01-01"),
                Some(&token),
                None,
                &[],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{filter}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["field"], filter, "{}", r.body);
    }
    let invoice = issued_invoice(app, &token, 1_000, None).await;
    let r = app
        .send(
            "POST",
            &format!("/api/v1/billing/invoices/{invoice}/payments"),
            Some(&token),
            Some(&json!({"amount_cents": 10, "method": "cash", "received_at": "-5000-01-01T00:00:00Z"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "received_at", "{}", r.body);
}

#[actix_web::test]
async fn dates_outside_the_range_are_a_422_on_sqlite() {
    dates_are_checked(&spawn_app().await).await;
}

#[actix_web::test]
async fn dates_outside_the_range_are_a_422_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    dates_are_checked(&spawn_app_with(Backend::Postgres, |_| {}).await).await;
}
