//! Provider figures from jobs: the daily response figures, ranking by them,
//! profiles and reviews, on both backends.

use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use jobs::service::JobService;
use kernel::FixedClock;
use persistence::{Backend, SqlJobRepository};
use serde_json::json;

use crate::helpers::id;
use crate::jobs_support::market;
use crate::supply_support::applicant;

async fn figures_rank_and_show(backend: Backend) {
    let m = market(backend).await;
    // A second walker in the region, approved.
    let (second, second_id) = applicant(
        &m.app,
        "walker2@example.test",
        "10002",
        "212-555-0101",
        &[m.service_id],
    )
    .await;
    let r = m
        .app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{second_id}/approve"),
            Some(&m.lsm),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The first answers one job of two and completes it; the second answers its only job.
    let one = id(&m.book().await);
    m.book().await;
    for action in ["accept", "complete"] {
        assert_eq!(
            m.act(&m.provider, one, action, None).await.status,
            StatusCode::OK
        );
    }
    let mut booking = m.booking();
    booking["provider_id"] = json!(second_id);
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&booking))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        m.act(&second, id(&r.body), "accept", None).await.status,
        StatusCode::OK
    );

    let search = "/api/v1/search?q=dog%20walking&zipcode=10001";
    let before = m.app.get(search, None).await;
    assert_eq!(
        before.body["items"][0]["provider_id"], m.provider_id,
        "{}",
        before.body
    );
    assert!(
        before.body["items"][0]["response_rate"].is_null(),
        "{}",
        before.body
    );

    // The daily refresh, two hours later: the unanswered job is overdue.
    let refresh = JobService::new(
        Arc::new(SqlJobRepository::new(m.app.db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(m.app.db.conn().clone())),
        Arc::new(FixedClock(Utc::now() + Duration::hours(2))),
    );
    assert_eq!(
        refresh
            .refresh_response_figures()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        2
    );
    let after = m.app.get(search, None).await;
    let items = after.body["items"].as_array().cloned().unwrap_or_default();
    // Equal (prior) scores: the higher response rate ranks first, despite fewer completed jobs.
    assert_eq!(items[0]["provider_id"], second_id, "{}", after.body);
    assert_eq!(items[0]["response_rate"], 1.0);
    assert_eq!(items[0]["median_response_minutes"], 0);
    assert_eq!(items[1]["provider_id"], m.provider_id);
    assert_eq!(items[1]["response_rate"], 0.5);
    assert_eq!(items[1]["completed_jobs"], 1);

    // A rating written by the job shows on the profile and in the reviews.
    let rating =
        json!({"rating": 4, "punctuality_rating": 5, "response_time": 5, "feedback": "Good"});
    let r = m
        .app
        .call(
            "POST",
            &format!("/api/v1/jobs/{one}/rating"),
            Some(&m.customer),
            Some(&rating),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let profile = m
        .app
        .get(&format!("/api/v1/providers/{}", m.provider_id), None)
        .await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert_eq!(profile.body["rating_avg"], 4.0, "{}", profile.body);
    assert_eq!(profile.body["rating_count"], 1);
    assert_eq!(profile.body["completed_jobs"], 1);
    assert_eq!(profile.body["response_rate"], 0.5);
    assert_eq!(profile.body["median_response_minutes"], 0);
    let reviews = m
        .app
        .get(
            &format!("/api/v1/providers/{}/reviews", m.provider_id),
            None,
        )
        .await;
    assert_eq!(reviews.status, StatusCode::OK, "{}", reviews.body);
    assert_eq!(reviews.body["items"][0]["rating"], 4, "{}", reviews.body);
}

#[actix_web::test]
async fn figures_rank_and_show_on_sqlite() {
    figures_rank_and_show(Backend::Sqlite).await;
}

#[actix_web::test]
async fn figures_rank_and_show_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    figures_rank_and_show(Backend::Postgres).await;
}
