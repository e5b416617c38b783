//! Mark paid into the books, and the response-deadline sweep, over HTTP on
//! both backends.

use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::{Duration, Utc};
use jobs::service::JobService;
use kernel::FixedClock;
use persistence::{Backend, SqlJobRepository};
use serde_json::json;

use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::supply_support::{count, login};

/// A completed job priced 123.45.
async fn completed_job(m: &Market) -> i64 {
    let mut booking = m.booking();
    booking["price_cents"] = json!(12_345);
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&booking))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let jid = id(&r.body);
    for action in ["accept", "complete"] {
        let r = m.act(&m.provider, jid, action, None).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    }
    jid
}

async fn mark_paid_records_the_sale(backend: Backend) {
    let m = market(backend).await;
    let jid = completed_job(&m).await;
    // Bad input changes nothing; the customer may not mark paid.
    let bad = m
        .act(
            &m.provider,
            jid,
            "mark-paid",
            Some(&json!({"method": "bitcoin"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fee = m
        .act(
            &m.provider,
            jid,
            "mark-paid",
            Some(&json!({"platform_fee_cents": 0})),
        )
        .await;
    assert_eq!(fee.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", fee.body);
    let customer = m.act(&m.customer, jid, "mark-paid", None).await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN, "{}", customer.body);
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM marketplace_transactions").await,
        0
    );

    let paid = m
        .act(
            &m.provider,
            jid,
            "mark-paid",
            Some(&json!({"method": "check", "reference": "CHK-7"})),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    assert!(paid.body["paid_at"].is_string(), "{}", paid.body);
    let again = m.act(&m.provider, jid, "mark-paid", None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // The provider's books (membership read now, whatever the token says).
    let provider = login(&m.app, "walker@example.test").await;
    let mine = m
        .app
        .get("/api/v1/marketplace/transactions", Some(&provider))
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let items = mine.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", mine.body);
    let t = &items[0];
    assert_eq!(t["job_id"], jid);
    assert_eq!(t["amount_cents"], 12_345);
    assert_eq!(t["platform_fee_cents"], 1_235); // 10 % of 12,345 = 1,234.5, half up
    assert_eq!(t["net_payout_cents"], 11_110);
    assert_eq!(t["status"], "completed");
    assert_eq!(t["payment_method"], "check");
    assert_eq!(t["transaction_date"], json!(Utc::now().date_naive()));

    let invoices = m
        .app
        .get(
            "/api/v1/billing/invoices?is_marketplace=true",
            Some(&provider),
        )
        .await;
    assert_eq!(invoices.status, StatusCode::OK, "{}", invoices.body);
    let inv = invoices.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(inv.len(), 1, "{}", invoices.body);
    assert_eq!(inv[0]["status"], "paid");
    assert_eq!(inv[0]["amount_cents"], 12_345);
    assert_eq!(inv[0]["balance_cents"], 0);
    assert_eq!(inv[0]["is_marketplace_invoice"], true);
    let pays = m
        .app
        .get(
            &format!("/api/v1/billing/payments?invoice_id={}", id(&inv[0])),
            Some(&provider),
        )
        .await;
    assert_eq!(pays.status, StatusCode::OK, "{}", pays.body);
    assert_eq!(
        pays.body["items"][0]["status"], "succeeded",
        "{}",
        pays.body
    );
    assert_eq!(pays.body["items"][0]["method"], "check", "{}", pays.body);

    // The customer sees their purchase; e-mails went to both parties.
    let theirs = m
        .app
        .get("/api/v1/marketplace/transactions", Some(&m.customer))
        .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(theirs.body["items"][0]["job_id"], jid, "{}", theirs.body);
    let mails = count(
        &m.app,
        "SELECT COUNT(*) AS n FROM email_outbox WHERE template IN ('job.paid', 'job.payment_recorded')",
    )
    .await;
    assert_eq!(mails, 2);
    let bad_cursor = m
        .app
        .get(
            "/api/v1/marketplace/transactions?cursor=zz",
            Some(&m.customer),
        )
        .await;
    assert_eq!(bad_cursor.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn mark_paid_records_the_sale_on_sqlite() {
    mark_paid_records_the_sale(Backend::Sqlite).await;
}

#[actix_web::test]
async fn mark_paid_records_the_sale_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    mark_paid_records_the_sale(Backend::Postgres).await;
}

async fn racing_mark_paids_apply_once(backend: Backend) {
    let m = market(backend).await;
    let jid = completed_job(&m).await;
    let calls = (0..8).map(|_| m.act(&m.provider, jid, "mark-paid", None));
    let replies = futures_util::future::join_all(calls).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let conflicts = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (ok, conflicts),
        (1, 7),
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    for (table, n) in [
        ("marketplace_transactions", 1),
        ("invoices", 1),
        ("payments", 1),
        ("invoice_counters", 1),
    ] {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        assert_eq!(count(&m.app, &sql).await, n, "{table}");
    }
}

#[actix_web::test]
async fn racing_mark_paids_apply_once_on_sqlite() {
    racing_mark_paids_apply_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_mark_paids_apply_once_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_mark_paids_apply_once(Backend::Postgres).await;
}

fn sweeper(m: &Market, hours_later: i64) -> JobService {
    JobService::new(
        Arc::new(SqlJobRepository::new(m.app.db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(m.app.db.conn().clone())),
        Arc::new(FixedClock(Utc::now() + Duration::hours(hours_later))),
    )
}

/// Two sweeps at once, as two instances would run them.
async fn two_sweeps(
    m: &Market,
) -> (
    Result<jobs::service_sweep::SweepReport, jobs::JobError>,
    Result<jobs::service_sweep::SweepReport, jobs::JobError>,
) {
    let (one, two) = (sweeper(m, 2), sweeper(m, 2));
    futures_util::future::join(one.sweep_deadlines(), two.sweep_deadlines()).await
}

async fn warnings(m: &Market) -> i64 {
    let sql = format!(
        "SELECT CAST(warnings AS BIGINT) AS n FROM service_providers WHERE id = {}",
        m.provider_id
    );
    count(&m.app, &sql).await
}

async fn sweep_warns_once_and_puts_under_review(backend: Backend) {
    let m = market(backend).await;
    let first = id(&m.book().await);
    // Inside the deadline nothing happens.
    let early = sweeper(&m, 0)
        .sweep_deadlines()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(early.warned, 0);
    // Two sweeps racing on one overdue job: one warning.
    let (a, b) = two_sweeps(&m).await;
    assert_eq!(
        a.unwrap_or_else(|e| panic!("{e}")).warned + b.unwrap_or_else(|e| panic!("{e}")).warned,
        1
    );
    assert_eq!(warnings(&m).await, 1);
    let events = format!(
        "SELECT COUNT(*) AS n FROM job_events WHERE job_id = {first} AND kind = 'deadline_missed'"
    );
    assert_eq!(count(&m.app, &events).await, 1);
    assert_eq!(
        sweeper(&m, 3)
            .sweep_deadlines()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .warned,
        0
    );
    let r = m
        .app
        .get(&format!("/api/v1/jobs/{first}"), Some(&m.provider))
        .await;
    assert_eq!(r.body["status"], "new", "{}", r.body);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE template = 'job.deadline_missed'"
        )
        .await,
        1
    );

    // An answered job is never warned; two more unanswered ones, of two
    // other customers (one customer costs a provider one warning a day),
    // reach the threshold (3).
    let answered = id(&m.book().await);
    assert_eq!(
        m.act(&m.provider, answered, "accept", None).await.status,
        StatusCode::OK
    );
    for email in ["second@example.test", "third@example.test"] {
        let other = crate::supply_support::user(&m.app, email, "customer").await;
        let r = m
            .app
            .call("POST", "/api/v1/jobs", Some(&other), Some(&m.booking()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let queue = "/api/v1/lsm/providers?under_review=true";
    let before = m.app.get(queue, Some(&m.lsm)).await;
    assert_eq!(
        before.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        before.body
    );
    let (a, b) = two_sweeps(&m).await;
    assert_eq!(
        a.unwrap_or_else(|e| panic!("{e}")).warned + b.unwrap_or_else(|e| panic!("{e}")).warned,
        2
    );
    assert_eq!(warnings(&m).await, 3);
    let after = m.app.get(queue, Some(&m.lsm)).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert_eq!(
        after.body["items"][0]["id"], m.provider_id,
        "{}",
        after.body
    );
    assert_eq!(
        after.body["items"][0]["under_review"], true,
        "{}",
        after.body
    );
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE template = 'provider.under_review'"
        )
        .await,
        1,
        "the region's LSM is told once"
    );
}

#[actix_web::test]
async fn sweep_warns_once_and_puts_under_review_on_sqlite() {
    sweep_warns_once_and_puts_under_review(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sweep_warns_once_and_puts_under_review_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    sweep_warns_once_and_puts_under_review(Backend::Postgres).await;
}
