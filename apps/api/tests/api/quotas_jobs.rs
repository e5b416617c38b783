//! The open-request quota of `POST /jobs` (issue 17): 40 racing requests of
//! one customer to one provider give exactly `open_requests_per_pair` (3)
//! jobs on both backends, the rest 429 `quota_exceeded` with `Retry-After`;
//! an answer or a cancellation frees a slot; the per-customer limit counts
//! across providers.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::supply_support::{applicant, count};

async fn post_job(m: &Market) -> crate::helpers::Reply {
    m.app
        .call(
            "POST",
            "/api/v1/jobs",
            Some(&m.customer),
            Some(&m.booking()),
        )
        .await
}

async fn racing_requests_give_exactly_the_pair_quota(backend: Backend) {
    let m = market(backend).await;
    let replies = futures_util::future::join_all((0..40).map(|_| post_job(&m))).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        3,
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, &r.body))
            .collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.body["code"], "quota_exceeded", "{}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        // Until the first open request's response deadline (60 minutes by default).
        let retry: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no Retry-After: {:?}", r.headers));
        assert!((3_500..=3_600).contains(&retry), "{retry}");
    }
    let sql = format!(
        "SELECT COUNT(*) AS n FROM jobs WHERE provider_id = {}",
        m.provider_id
    );
    assert_eq!(count(&m.app, &sql).await, 3, "nothing written by a refusal");
}

#[actix_web::test]
async fn racing_requests_give_exactly_the_pair_quota_on_sqlite() {
    racing_requests_give_exactly_the_pair_quota(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_requests_give_exactly_the_pair_quota_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_requests_give_exactly_the_pair_quota(Backend::Postgres).await;
}

async fn answers_and_cancellations_free_slots(backend: Backend) {
    let m = market(backend).await;
    let first = id(&m.book().await);
    let second = id(&m.book().await);
    m.book().await;
    assert_eq!(post_job(&m).await.status, StatusCode::TOO_MANY_REQUESTS);
    // The provider answers one (accepted: no longer `new`), the customer cancels another.
    let accepted = m.act(&m.provider, first, "accept", None).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    m.book().await;
    assert_eq!(post_job(&m).await.status, StatusCode::TOO_MANY_REQUESTS);
    let cancelled = m
        .act(
            &m.customer,
            second,
            "cancel",
            Some(&json!({"reason": "found someone"})),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    m.book().await;
    // A lower limit set by an admin applies to the next request.
    let patched = m
        .app
        .call(
            "PATCH",
            "/api/v1/admin/settings",
            Some(&m.admin),
            Some(&json!({"open_requests_per_customer": 3, "open_requests_per_pair": 5})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let refused = post_job(&m).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("open_requests_per_customer")),
        "{}",
        refused.body
    );
}

#[actix_web::test]
async fn answers_and_cancellations_free_slots_on_sqlite() {
    answers_and_cancellations_free_slots(Backend::Sqlite).await;
}

#[actix_web::test]
async fn answers_and_cancellations_free_slots_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    answers_and_cancellations_free_slots(Backend::Postgres).await;
}

#[actix_web::test]
async fn the_customer_limit_counts_across_providers() {
    let m = market(Backend::Sqlite).await;
    let (_, other) = applicant(
        &m.app,
        "walker2@example.test",
        "10001",
        "212-555-0101",
        &[m.service_id],
    )
    .await;
    let r = m
        .app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{other}/approve"),
            Some(&m.lsm),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let patched = m
        .app
        .call(
            "PATCH",
            "/api/v1/admin/settings",
            Some(&m.admin),
            Some(&json!({"open_requests_per_customer": 4})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    for _ in 0..3 {
        m.book().await;
    }
    let mut elsewhere = m.booking();
    elsewhere["provider_id"] = json!(other);
    let book_other = || {
        m.app
            .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&elsewhere))
    };
    assert_eq!(book_other().await.status, StatusCode::CREATED);
    let refused = book_other().await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["code"], "quota_exceeded");
}
