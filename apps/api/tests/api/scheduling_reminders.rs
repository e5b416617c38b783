//! Reminders of booked jobs (issue 19), on both backends: two instances
//! sending at once remind each start exactly once; a rescheduled job is
//! reminded of its new start, a cancelled one never.

use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use jobs::service::JobService;
use kernel::FixedClock;
use persistence::{Backend, SqlJobRepository, SqlUnitsOfWork};
use serde_json::json;

use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::scheduling::{set_mornings, slots};
use crate::supply_support::count;

/// The job use cases as one instance runs them, at `now`.
fn instance(m: &Market, now: DateTime<Utc>) -> JobService {
    let conn = m.app.db.conn().clone();
    JobService::new(
        Arc::new(SqlJobRepository::new(conn.clone())),
        Arc::new(SqlUnitsOfWork::new(conn)),
        Arc::new(FixedClock(now)),
    )
}

/// Two instances send the reminders due at `now` at once.
async fn both_send(m: &Market, now: DateTime<Utc>) {
    let (one, two) = (instance(m, now), instance(m, now));
    let (a, b) = tokio::join!(one.send_reminders(), two.send_reminders());
    a.unwrap_or_else(|e| panic!("{e}"));
    b.unwrap_or_else(|e| panic!("{e}"));
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

async fn each_start_is_reminded_once(backend: Backend) {
    let m = market(backend).await;
    set_mornings(&m).await;
    let free = slots(&m, 3).await;
    let start = |i: usize| free[i]["start"].as_str().unwrap_or_default().to_owned();
    let book = |slot: String| {
        let mut body = m.booking();
        body["slot_start"] = json!(slot);
        body
    };
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/jobs",
            Some(&m.customer),
            Some(&book(start(0))),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let job = id(&r.body);
    let reminders = "SELECT COUNT(*) AS n FROM email_outbox WHERE template = 'job.reminder'";
    // Not accepted yet: nobody is reminded.
    both_send(&m, at(&start(0)) - Duration::hours(23)).await;
    assert_eq!(count(&m.app, reminders).await, 0);
    let r = m.act(&m.provider, job, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Too early, then due: two instances at once, one reminder to each party.
    both_send(&m, at(&start(0)) - Duration::hours(30)).await;
    assert_eq!(count(&m.app, reminders).await, 0);
    both_send(&m, at(&start(0)) - Duration::hours(23)).await;
    both_send(&m, at(&start(0)) - Duration::hours(22)).await;
    assert_eq!(count(&m.app, reminders).await, 2);
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM job_reminders").await,
        1
    );

    // Rescheduled: reminded of the new start.
    let r = m
        .act(
            &m.customer,
            job,
            "reschedule",
            Some(&json!({"slot_start": start(1)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tag = format!("\"{}\"", r.body["version"]);
    let r = m
        .app
        .send(
            "POST",
            &format!("/api/v1/jobs/{job}/reschedule/approve"),
            Some(&m.provider),
            None,
            &[("if-match", &tag)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    both_send(&m, at(&start(1)) - Duration::hours(23)).await;
    assert_eq!(count(&m.app, reminders).await, 4);

    // Cancelled before its reminder: never reminded.
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/jobs",
            Some(&m.customer),
            Some(&book(start(2))),
        )
        .await;
    let other = id(&r.body);
    let r = m.act(&m.provider, other, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = m.act(&m.customer, other, "cancel", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    both_send(&m, at(&start(2)) - Duration::hours(1)).await;
    assert_eq!(count(&m.app, reminders).await, 4);
}

#[actix_web::test]
async fn each_start_is_reminded_once_on_sqlite() {
    each_start_is_reminded_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn each_start_is_reminded_once_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    each_start_is_reminded_once(Backend::Postgres).await;
}
