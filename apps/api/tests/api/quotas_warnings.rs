//! Deadline warnings count at most once per customer per day (issue 17): one
//! customer's flood of requests that the provider leaves unanswered records
//! `deadline_missed` on every job but costs the provider one warning and one
//! e-mail; a day later the same customer's next missed request counts again.

use std::sync::Arc;

use chrono::{Duration, Utc};
use jobs::service::JobService;
use kernel::FixedClock;
use persistence::{Backend, SqlJobRepository};

use crate::jobs_support::{Market, market};
use crate::supply_support::count;

fn sweeper(m: &Market, hours_later: i64) -> JobService {
    JobService::new(
        Arc::new(SqlJobRepository::new(m.app.db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(m.app.db.conn().clone())),
        Arc::new(FixedClock(Utc::now() + Duration::hours(hours_later))),
    )
}

async fn figures(m: &Market) -> (i64, i64, i64) {
    let warnings = format!(
        "SELECT CAST(warnings AS BIGINT) AS n FROM service_providers WHERE id = {}",
        m.provider_id
    );
    (
        count(&m.app, &warnings).await,
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM job_events WHERE kind = 'deadline_missed'",
        )
        .await,
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE template = 'job.deadline_missed'",
        )
        .await,
    )
}

async fn one_customer_costs_one_warning_a_day(backend: Backend) {
    let m = market(backend).await;
    let first = crate::helpers::id(&m.book().await);
    for _ in 0..2 {
        m.book().await;
    }
    // Two instances sweep the three overdue jobs at once.
    let (a, b) = futures_util::future::join(
        sweeper(&m, 2).sweep_deadlines(),
        sweeper(&m, 2).sweep_deadlines(),
    )
    .await;
    let warned =
        a.unwrap_or_else(|e| panic!("{e}")).warned + b.unwrap_or_else(|e| panic!("{e}")).warned;
    assert_eq!(warned, 3, "every job records its missed deadline");
    assert_eq!(
        figures(&m).await,
        (1, 3, 1),
        "(warnings, deadline_missed events, e-mails)"
    );
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM provider_warnings").await,
        1
    );

    // The same customer's next missed request, a day after the counted
    // warning, counts (one open request is cancelled to make room for it).
    let reason = serde_json::json!({"reason": "no answer"});
    let cancelled = m.act(&m.customer, first, "cancel", Some(&reason)).await;
    assert_eq!(
        cancelled.status,
        actix_web::http::StatusCode::OK,
        "{}",
        cancelled.body
    );
    m.book().await;
    let later = sweeper(&m, 27)
        .sweep_deadlines()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(later.warned, 1);
    assert_eq!(figures(&m).await, (2, 4, 2));
}

#[actix_web::test]
async fn one_customer_costs_one_warning_a_day_on_sqlite() {
    one_customer_costs_one_warning_a_day(Backend::Sqlite).await;
}

#[actix_web::test]
async fn one_customer_costs_one_warning_a_day_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    one_customer_costs_one_warning_a_day(Backend::Postgres).await;
}
