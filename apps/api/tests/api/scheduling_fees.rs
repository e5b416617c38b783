//! Cancellation policies and fees over HTTP (issue 19), on both backends: a
//! late customer cancel books the fee in the provider's books with the
//! cancel; a provider's withdrawal never charges and counts as a warning.

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use persistence::Backend;
use serde_json::json;

use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::scheduling::{set_mornings, slots};
use crate::supply_support::{count, login};

/// A job at free slot `index`, priced 5,000, booked under `policy`,
/// accepted; its id and start.
async fn accepted_slot_job(m: &Market, index: usize, policy: &str) -> (i64, String) {
    let free = slots(m, 3).await;
    let slot = free[index]["start"].as_str().unwrap_or_default().to_owned();
    let mut body = m.booking();
    body["slot_start"] = json!(slot);
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let job = id(&r.body);
    assert_eq!(
        r.body["cancellation_policy"]["policy"], policy,
        "{}",
        r.body
    );
    let preview = m
        .app
        .get(
            &format!("/api/v1/jobs/{job}/cancellation-preview"),
            Some(&m.customer),
        )
        .await;
    assert_eq!(
        preview.body["fee_cents"], 0,
        "not accepted yet: {}",
        preview.body
    );
    let r = m.act(&m.provider, job, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (job, slot)
}

async fn a_late_cancel_books_its_fee(backend: Backend) {
    let m = market(backend).await;
    set_mornings(&m).await;
    // Free until 30 days before: every slot of the next days is inside the window.
    let r = m
        .app
        .call(
            "PUT",
            "/api/v1/providers/me/cancellation-policy",
            Some(&m.provider),
            Some(&json!({"policy": "custom", "window_hours": 720, "fee_bps": 2000})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let profile = m
        .app
        .get(&format!("/api/v1/providers/{}", m.provider_id), None)
        .await;
    assert_eq!(
        profile.body["cancellation_policy"]["fee_bps"], 2000,
        "{}",
        profile.body
    );

    let (job, slot) = accepted_slot_job(&m, 0, "custom").await;
    // A later change of policy does not reach back to the booked job.
    let r = m
        .app
        .call(
            "PUT",
            "/api/v1/providers/me/cancellation-policy",
            Some(&m.provider),
            Some(&json!({"policy": "flexible"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let preview = m
        .app
        .get(
            &format!("/api/v1/jobs/{job}/cancellation-preview"),
            Some(&m.customer),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(
        preview.body["fee_cents"], 1000,
        "20 % of 5,000: {}",
        preview.body
    );
    assert_eq!(preview.body["currency"], "USD");
    assert_eq!(preview.body["policy"]["policy"], "custom");
    let start: DateTime<Utc> = slot.parse().unwrap_or_else(|e| panic!("{e}"));
    let free_until: DateTime<Utc> = preview.body["free_until"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(free_until, start - Duration::hours(720));
    let stranger = crate::supply_support::user(&m.app, "nosy@example.test", "customer").await;
    let r = m
        .app
        .get(
            &format!("/api/v1/jobs/{job}/cancellation-preview"),
            Some(&stranger),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    let r = m
        .act(
            &m.customer,
            job,
            "cancel",
            Some(&json!({"reason": "Moving away"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    // The fee is in the provider's books: a pending transaction and its open invoice.
    let provider = login(&m.app, "walker@example.test").await;
    let mine = m
        .app
        .get("/api/v1/marketplace/transactions", Some(&provider))
        .await;
    let items = mine.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", mine.body);
    assert_eq!(items[0]["kind"], "cancellation_fee");
    assert_eq!(items[0]["amount_cents"], 1000);
    assert_eq!(items[0]["status"], "pending");
    assert_eq!(items[0]["job_id"], job);
    let invoices = m
        .app
        .get(
            "/api/v1/billing/invoices?is_marketplace=true",
            Some(&provider),
        )
        .await;
    let inv = invoices.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(inv.len(), 1, "{}", invoices.body);
    assert_eq!(inv[0]["amount_cents"], 1000);
    assert_eq!(inv[0]["balance_cents"], 1000);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE template = 'job.cancellation_fee'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM slot_holds WHERE released_at IS NULL"
        )
        .await,
        0
    );

    // A provider's withdrawal: a reason is required; it never charges, and counts as a warning.
    let (second, _) = accepted_slot_job(&m, 1, "flexible").await;
    let r = m.act(&m.provider, second, "cancel", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = m
        .act(
            &m.provider,
            second,
            "cancel",
            Some(&json!({"reason": "Van broke down"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM marketplace_transactions").await,
        1,
        "no fee for a provider's cancel"
    );
    let me = m.app.get("/api/v1/providers/me", Some(&m.provider)).await;
    assert_eq!(me.body["warnings"], 1, "{}", me.body);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE template = 'job.cancelled_by_provider'"
        )
        .await,
        1
    );

    // With the setting off, a withdrawal costs no warning.
    let r = m
        .app
        .call(
            "PATCH",
            "/api/v1/admin/settings",
            Some(&m.admin),
            Some(&json!({"provider_cancel_counts_as_warning": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (third, _) = accepted_slot_job(&m, 2, "flexible").await;
    let r = m
        .act(
            &m.provider,
            third,
            "cancel",
            Some(&json!({"reason": "Ill"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let me = m.app.get("/api/v1/providers/me", Some(&m.provider)).await;
    assert_eq!(me.body["warnings"], 1, "{}", me.body);
}

#[actix_web::test]
async fn a_late_cancel_books_its_fee_on_sqlite() {
    a_late_cancel_books_its_fee(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_late_cancel_books_its_fee_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_late_cancel_books_its_fee(Backend::Postgres).await;
}
