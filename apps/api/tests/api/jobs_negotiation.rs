//! Negotiation as a hostile provider would try it, on both backends: several
//! edits then a decline, a re-edit just before an approval, approvals without
//! a version, and prices beyond the cap.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{Reply, id};
use crate::jobs_support::{Market, market};

async fn edit(m: &Market, jid: i64, body: Value) -> Reply {
    let r = m
        .app
        .call(
            "PATCH",
            &format!("/api/v1/jobs/{jid}"),
            Some(&m.provider),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

async fn approve(m: &Market, jid: i64, if_match: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|v| ("if-match", v)).into_iter().collect();
    m.app
        .send(
            "POST",
            &format!("/api/v1/jobs/{jid}/approve"),
            Some(&m.customer),
            None,
            &headers,
        )
        .await
}

async fn a_decline_restores_the_agreed_terms_however_many_edits_came_before(backend: Backend) {
    let m = market(backend).await;
    let jid = id(&m.book().await);
    let when = "2027-03-01T10:00:00Z";
    let r = edit(
        &m,
        jid,
        json!({"price_cents": 20_000, "scheduled_at": when}),
    )
    .await;
    assert_eq!(r.body["price_cents"], 20_000);
    assert_eq!(r.body["agreed_terms"]["price_cents"], 5_000, "{}", r.body);
    assert_eq!(r.body["agreed_terms"]["scheduled_at"], Value::Null);
    let r = edit(&m, jid, json!({"price_cents": 30_000})).await;
    assert_eq!(r.body["price_cents"], 30_000);
    assert_eq!(
        r.body["scheduled_at"], when,
        "the proposal keeps its schedule"
    );
    assert_eq!(r.body["agreed_terms"]["price_cents"], 5_000);

    let r = m.act(&m.customer, jid, "decline-changes", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["price_cents"], 5_000,
        "never the 20,000 of the first edit"
    );
    assert_eq!(r.body["scheduled_at"], Value::Null);
    assert_eq!(r.body["pending_approval"], false);
    assert_eq!(r.body["agreed_terms"]["price_cents"], 5_000);

    // Approved terms become the agreed ones; a later decline returns to them.
    let r = edit(&m, jid, json!({"price_cents": 12_000})).await;
    let etag = r.header("etag").unwrap_or_default().to_owned();
    let r = approve(&m, jid, Some(&etag)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["agreed_terms"]["price_cents"], 12_000);
    edit(&m, jid, json!({"price_cents": 50_000})).await;
    edit(&m, jid, json!({"description": "One walk"})).await;
    let r = m.act(&m.customer, jid, "decline-changes", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["price_cents"], 12_000);
    assert_eq!(r.body["description"], "Two walks for Rex");
}

#[actix_web::test]
async fn a_decline_restores_the_agreed_terms_on_sqlite() {
    a_decline_restores_the_agreed_terms_however_many_edits_came_before(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_decline_restores_the_agreed_terms_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_decline_restores_the_agreed_terms_however_many_edits_came_before(Backend::Postgres).await;
}

async fn an_approval_approves_only_the_version_the_customer_saw(backend: Backend) {
    let m = market(backend).await;
    let jid = id(&m.book().await);
    let seen = edit(&m, jid, json!({"price_cents": 12_000})).await;
    let seen_etag = seen.header("etag").unwrap_or_default().to_owned();
    // The provider re-edits after the customer looked.
    edit(&m, jid, json!({"price_cents": 99_000})).await;

    for header in [None, Some("*")] {
        let r = approve(&m, jid, header).await;
        assert_eq!(
            r.status,
            StatusCode::PRECONDITION_REQUIRED,
            "{header:?}: {}",
            r.body
        );
        assert_eq!(r.body["code"], "precondition_required");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    let r = approve(&m, jid, Some(&seen_etag)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    // Another party's approval stays what it was: the provider gets 403, a stranger 404.
    let r = m
        .app
        .send(
            "POST",
            &format!("/api/v1/jobs/{jid}/approve"),
            Some(&m.provider),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let job = m
        .app
        .get(&format!("/api/v1/jobs/{jid}"), Some(&m.customer))
        .await;
    assert_eq!(job.body["pending_approval"], true);
    assert_eq!(
        job.body["agreed_terms"]["price_cents"], 5_000,
        "nothing was approved"
    );
    let current = job.header("etag").unwrap_or_default().to_owned();
    let r = approve(&m, jid, Some(&current)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["agreed_terms"]["price_cents"], 99_000);
}

#[actix_web::test]
async fn an_approval_approves_only_the_version_seen_on_sqlite() {
    an_approval_approves_only_the_version_the_customer_saw(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_approval_approves_only_the_version_seen_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    an_approval_approves_only_the_version_the_customer_saw(Backend::Postgres).await;
}

#[actix_web::test]
async fn prices_beyond_ten_billion_minor_units_are_refused() {
    let m = market(Backend::Sqlite).await;
    for price in [i64::MAX, 10_000_000_001] {
        let mut body = m.booking();
        body["price_cents"] = json!(price);
        let r = m
            .app
            .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_fields(), ["price_cents"], "{}", r.body);
    }
    let jid = id(&m.book().await);
    let r = m
        .app
        .call(
            "PATCH",
            &format!("/api/v1/jobs/{jid}"),
            Some(&m.provider),
            Some(&json!({"price_cents": i64::MAX})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = m
        .app
        .call(
            "PATCH",
            &format!("/api/v1/jobs/{jid}"),
            Some(&m.provider),
            Some(&json!({"price_cents": 10_000_000_000_i64})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the cap itself is allowed: {}",
        r.body
    );
}
