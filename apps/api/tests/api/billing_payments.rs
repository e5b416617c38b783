//! Idempotent and concurrent payments.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::billing::{issued_invoice, payment_body};
use crate::helpers::{TestApp, id, spawn_app, spawn_app_with};

#[actix_web::test]
async fn idempotency_keys_replay_refuse_and_serialise() {
    let app = spawn_app().await;
    let token = app.tenant_owner("idem@example.com", "idem-co").await;
    let invoice = issued_invoice(&app, &token, 10_000, None).await;
    let path = format!("/api/v1/billing/invoices/{invoice}/payments");
    let key = [("idempotency-key", "pay-1")];

    let first = app
        .send("POST", &path, Some(&token), Some(&payment_body(400)), &key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app
        .send("POST", &path, Some(&token), Some(&payment_body(400)), &key)
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        (id(&again.body), again.body["amount_cents"].as_i64()),
        (id(&first.body), Some(400))
    );
    let other = app
        .send("POST", &path, Some(&token), Some(&payment_body(500)), &key)
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.body["errors"][0]["field"], "Idempotency-Key");
    // The documented format (1–255 visible ASCII characters) is refused before anything is recorded.
    let long = "k".repeat(256);
    for bad in ["a b", long.as_str()] {
        let r = app
            .send(
                "POST",
                &path,
                Some(&token),
                Some(&payment_body(1)),
                &[("idempotency-key", bad)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        assert_eq!(
            r.body["errors"][0]["field"], "Idempotency-Key",
            "{}",
            r.body
        );
    }

    // The same new key twice in flight, for the whole remaining balance: one payment,
    // and both answers are that payment (the loser must not judge it against the paid invoice).
    let racing = [("idempotency-key", "pay-2")];
    let rest = payment_body(10_000 - 400);
    let (x, y) = futures_util::future::join(
        app.send("POST", &path, Some(&token), Some(&rest), &racing),
        app.send("POST", &path, Some(&token), Some(&rest), &racing),
    )
    .await;
    assert_eq!(
        (x.status, y.status),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{} {}",
        x.body,
        y.body
    );
    assert_eq!(id(&x.body), id(&y.body));

    let payments = app
        .send(
            "GET",
            &format!("/api/v1/billing/payments?invoice_id={invoice}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(payments.body["items"].as_array().map(Vec::len), Some(2));
    let read = app
        .send(
            "GET",
            &format!("/api/v1/billing/invoices/{invoice}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (
            read.body["balance_cents"].as_i64(),
            read.body["status"].as_str()
        ),
        (Some(0), Some("paid"))
    );
}

async fn concurrent_payments_never_overpay(app: &TestApp) {
    let token = app.tenant_owner("race@example.com", "race-co").await;
    let invoice = issued_invoice(app, &token, 1_500, None).await;
    let path = format!("/api/v1/billing/invoices/{invoice}/payments");
    let body = payment_body(100);
    let requests = (0..20).map(|_| app.send("POST", &path, Some(&token), Some(&body), &[]));
    let replies = futures_util::future::join_all(requests).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert!(
        replies.iter().all(|r| !r.status.is_server_error()),
        "a 5xx: {:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|r| r.status == StatusCode::CREATED
        || r.status == StatusCode::UNPROCESSABLE_ENTITY
        || r.status == StatusCode::CONFLICT));
    let read = app
        .send(
            "GET",
            &format!("/api/v1/billing/invoices/{invoice}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    let payments = app
        .send(
            "GET",
            &format!("/api/v1/billing/payments?invoice_id={invoice}&limit=100"),
            Some(&token),
            None,
            &[],
        )
        .await;
    let sum: i64 = payments.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["amount_cents"].as_i64())
        .sum();
    assert_eq!(sum, created as i64 * 100, "every 201 is one stored payment");
    assert!(sum <= 1_500);
    assert_eq!(
        read.body["balance_cents"].as_i64(),
        Some(1_500 - sum),
        "balance exact"
    );
    assert_eq!(created, 15, "all that fit were accepted");
    assert_eq!(read.body["status"], json!("paid"));
}

#[actix_web::test]
async fn concurrent_payments_on_sqlite() {
    concurrent_payments_never_overpay(&spawn_app().await).await;
}

#[actix_web::test]
async fn concurrent_payments_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    concurrent_payments_never_overpay(&spawn_app_with(Backend::Postgres, |_| {}).await).await;
}
