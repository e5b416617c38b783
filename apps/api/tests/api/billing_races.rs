//! Racing requests over HTTP, on both backends: invoice numbers never collide,
//! parallel partial refunds are exact, and without `If-Match` a lost race is
//! re-applied rather than answered 412; with it, RFC 9110 applies.

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use persistence::Backend;
use serde_json::json;

use crate::billing::{issued_invoice, payment_body};
use crate::helpers::{TestApp, id, spawn_app, spawn_app_with};

async fn on_postgres() -> Option<TestApp> {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return None;
    }
    Some(spawn_app_with(Backend::Postgres, |_| {}).await)
}

async fn fifty_parallel_creates(app: &TestApp) {
    let token = app.tenant_owner("numbers@example.com", "numbers-co").await;
    // Another tenant's invoices do not move this tenant's counter.
    let other = app.tenant_owner("other@example.com", "other-co").await;
    let body = json!({"lines": [{"description": "x", "quantity": 1, "unit_price_cents": 1}]});
    app.create(&other, "/api/v1/billing/invoices", body.clone())
        .await;
    let replies = join_all((0..50).map(|_| {
        app.send(
            "POST",
            "/api/v1/billing/invoices",
            Some(&token),
            Some(&body),
            &[],
        )
    }))
    .await;
    let mut numbers: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["number"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("INV-{n:06}")).collect();
    assert_eq!(numbers, expected, "distinct and consecutive");
}

#[actix_web::test]
async fn fifty_parallel_creates_number_consecutively_on_sqlite() {
    fifty_parallel_creates(&spawn_app().await).await;
}

#[actix_web::test]
async fn fifty_parallel_creates_number_consecutively_on_postgres() {
    if let Some(app) = on_postgres().await {
        fifty_parallel_creates(&app).await;
    }
}

async fn parallel_partial_refunds(app: &TestApp) {
    let token = app.tenant_owner("refunds@example.com", "refunds-co").await;
    let invoice = issued_invoice(app, &token, 5_000, None).await;
    let paid = app
        .create(
            &token,
            &format!("/api/v1/billing/invoices/{invoice}/payments"),
            payment_body(5_000),
        )
        .await;
    let path = format!("/api/v1/billing/payments/{}/refund", id(&paid));
    let body = json!({"amount_cents": 1_000});
    let replies =
        join_all((0..10).map(|_| app.send("POST", &path, Some(&token), Some(&body), &[]))).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert!(
        replies.iter().all(|r| r.status == StatusCode::OK
            || r.status == StatusCode::CONFLICT
            || r.status == StatusCode::UNPROCESSABLE_ENTITY),
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, &r.body))
            .collect::<Vec<_>>()
    );
    assert_eq!(ok, 5, "exactly what was paid is given back");
    let payments = app
        .send(
            "GET",
            &format!("/api/v1/billing/payments?invoice_id={invoice}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    let p = &payments.body["items"][0];
    assert_eq!(
        (p["refunded_cents"].as_i64(), p["status"].as_str()),
        (Some(5_000), Some("refunded"))
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
    assert_eq!(
        (
            read.body["balance_cents"].as_i64(),
            read.body["status"].as_str()
        ),
        (Some(5_000), Some("issued"))
    );
}

#[actix_web::test]
async fn parallel_partial_refunds_are_exact_on_sqlite() {
    parallel_partial_refunds(&spawn_app().await).await;
}

#[actix_web::test]
async fn parallel_partial_refunds_are_exact_on_postgres() {
    if let Some(app) = on_postgres().await {
        parallel_partial_refunds(&app).await;
    }
}

async fn preconditions(app: &TestApp) {
    let token = app.tenant_owner("ifmatch@example.com", "ifmatch-co").await;
    let body = json!({"lines": [{"description": "x", "quantity": 1, "unit_price_cents": 10}]});
    let invoice = app.create(&token, "/api/v1/billing/invoices", body).await;
    let path = format!("/api/v1/billing/invoices/{}", id(&invoice));

    // Five parallel edits without If-Match: all applied, none refused.
    let edits = (0..5).map(|i| json!({"notes": format!("note {i}")}));
    let edits: Vec<_> = edits.collect();
    let replies = join_all(
        edits
            .iter()
            .map(|b| app.send("PATCH", &path, Some(&token), Some(b), &[])),
    )
    .await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let read = app.send("GET", &path, Some(&token), None, &[]).await;
    assert_eq!(
        read.body["version"].as_i64(),
        Some(6),
        "version advanced by 5"
    );
    assert!(
        read.body["notes"]
            .as_str()
            .is_some_and(|n| n.starts_with("note "))
    );

    let (p, t) = (path.as_str(), token.as_str());
    let patch = |tag: &'static str| {
        let body = json!({"notes": tag});
        async move {
            app.send("PATCH", p, Some(t), Some(&body), &[("if-match", tag)])
                .await
        }
    };
    assert_eq!(patch("\"6\"").await.status, StatusCode::OK); // now 7
    let listed = patch("\"1\", \"7\"").await;
    assert_eq!(
        (listed.status, listed.header("etag")),
        (StatusCode::OK, Some("\"8\"")),
        "{}",
        listed.body
    );
    assert_eq!(patch("*").await.status, StatusCode::OK); // now 9
    let stale = patch("\"1\"").await;
    assert_eq!(
        (stale.status, stale.body["code"].as_str()),
        (StatusCode::PRECONDITION_FAILED, Some("precondition_failed"))
    );
    assert_eq!(
        patch("W/\"9\"").await.status,
        StatusCode::PRECONDITION_FAILED,
        "strong comparison"
    );
    for garbage in ["garbage", "9", "\"9"] {
        let r = patch(garbage).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{garbage}: {}", r.body);
        assert!(r.body["type"].is_string());
    }
    let read = app.send("GET", &path, Some(&token), None, &[]).await;
    assert_eq!(
        read.body["version"].as_i64(),
        Some(9),
        "refusals change nothing"
    );

    // Parallel voids without If-Match: one wins, the others are told it is already void.
    let void = format!("{path}/void");
    let voids = join_all((0..5).map(|_| app.send("POST", &void, Some(&token), None, &[]))).await;
    let mut statuses: Vec<_> = voids.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT
        ],
        "{:?}",
        voids.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
}

#[actix_web::test]
async fn if_match_follows_rfc_9110_on_sqlite() {
    preconditions(&spawn_app().await).await;
}

#[actix_web::test]
async fn if_match_follows_rfc_9110_on_postgres() {
    if let Some(app) = on_postgres().await {
        preconditions(&app).await;
    }
}
