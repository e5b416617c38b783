//! Inputs a careless or hostile client sends, refused with a 422 naming the
//! field on both backends, changing nothing: currencies outside ISO 4217's
//! table or without minor units (everywhere a currency is accepted), number
//! answers outside their question's bounds (default `min: 0`), and a leap
//! second (`23:59:60`) wherever a timestamp is accepted.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::billing::issued_invoice;
use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::supply_support::count;

const LEAP: &str = "2026-12-31T23:59:60Z";

async fn refused(m: &Market, method: &str, path: &str, token: &str, body: &Value, field: &str) {
    let r = m.app.call(method, path, Some(token), Some(body)).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{method} {path} {body}: {}",
        r.body
    );
    assert_eq!(
        r.error_fields(),
        [field],
        "{method} {path} {body}: {}",
        r.body
    );
}

/// Each route that takes a currency, with a body holding `code`.
fn with_currency(m: &Market, code: &str) -> [(&'static str, Value); 4] {
    let mut job = m.booking();
    job["currency"] = json!(code);
    [
        ("/api/v1/jobs", job),
        (
            "/api/v1/listings",
            json!({"title": "Walks", "description": "d", "category": "pets",
                "price_type": "fixed", "price_cents": 2500, "currency": code}),
        ),
        (
            "/api/v1/billing/invoices",
            json!({"currency": code, "lines": [{"description": "Work", "quantity": 1, "unit_price_cents": 100}]}),
        ),
        (
            "/api/v1/marketplace/transactions",
            json!({"service_description": "Walks", "amount_cents": 100,
                "transaction_date": "2026-11-29", "currency": code}),
        ),
    ]
}

async fn currencies(m: &Market) {
    for code in ["XYZ", "XXX", "XTS", "XAU", "xdr"] {
        for (path, body) in with_currency(m, code) {
            let token = if path == "/api/v1/jobs" {
                &m.customer
            } else {
                &m.provider
            };
            refused(m, "POST", path, token, &body, "currency").await;
        }
    }
    for table in [
        "jobs",
        "service_listings",
        "invoices",
        "marketplace_transactions",
    ] {
        let n = count(&m.app, &format!("SELECT COUNT(*) AS n FROM {table}")).await;
        assert_eq!(n, 0, "{table}");
    }
    // Yen and dinars pass, stored upper-case.
    for (path, body) in with_currency(m, "jpy") {
        let token = if path == "/api/v1/jobs" {
            &m.customer
        } else {
            &m.provider
        };
        let r = m.app.call("POST", path, Some(token), Some(&body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        assert_eq!(r.body["currency"], "JPY", "{path}");
    }
}

async fn number_answers(m: &Market) {
    for bad in [json!(-5), json!(-0.5)] {
        let mut job = m.booking();
        job["answers"]["dog_count"] = bad;
        refused(
            m,
            "POST",
            "/api/v1/jobs",
            &m.customer,
            &job,
            "answers.dog_count",
        )
        .await;
    }
    // The catalog states bounds; the admin's definitions are checked.
    let question = |extra: Value| {
        let mut q =
            json!({"key": "tanks", "label": "How many tanks?", "kind": "number", "required": true});
        if let (Some(q), Some(extra)) = (q.as_object_mut(), extra.as_object()) {
            q.extend(extra.clone());
        }
        json!({"name": "Aquarium Cleaning", "slug": "aquarium-cleaning", "description": "Tanks.",
            "category": "pets", "keywords": ["fish tank"], "questions": [q,
            {"key": "notes", "label": "Anything else?", "kind": "text", "required": false}]})
    };
    let admin = m.admin.clone();
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/admin/services",
            Some(&admin),
            Some(&question(json!({"min": 5, "max": 2}))),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/admin/services",
            Some(&admin),
            Some(&question(json!({"min": 1, "max": 4}))),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sid = id(&r.body);
    let shown = m.app.get(&format!("/api/v1/services/{sid}"), None).await;
    let q = &shown.body["questions"][0];
    assert_eq!(
        (&q["min"], &q["max"]),
        (&json!(1), &json!(4)),
        "{}",
        shown.body
    );
    // An edit that empties the range is refused too.
    let path = format!("/api/v1/admin/services/{sid}");
    let patch = json!({"questions": question(json!({"min": 3, "max": 2}))["questions"]});
    let r = m.app.call("PATCH", &path, Some(&admin), Some(&patch)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // A text question with bounds is not a valid definition.
    let mut on_text = question(json!({}));
    on_text["questions"][1]["max"] = json!(3);
    let r = m
        .app
        .call(
            "POST",
            "/api/v1/admin/services",
            Some(&admin),
            Some(&on_text),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

async fn leap_seconds(m: &Market) {
    let mut job = m.booking();
    job["scheduled_at"] = json!(LEAP);
    refused(m, "POST", "/api/v1/jobs", &m.customer, &job, "scheduled_at").await;
    let made = m.book().await;
    let path = format!("/api/v1/jobs/{}", id(&made));
    let edit = json!({"scheduled_at": LEAP});
    refused(m, "PATCH", &path, &m.provider, &edit, "scheduled_at").await;
    let invoice = issued_invoice(&m.app, &m.provider, 10_000, None).await;
    let pay = json!({"amount_cents": 100, "method": "cash", "received_at": LEAP});
    let path = format!("/api/v1/billing/invoices/{invoice}/payments");
    refused(m, "POST", &path, &m.provider, &pay, "received_at").await;
    assert_eq!(count(&m.app, "SELECT COUNT(*) AS n FROM payments").await, 0);
    // The second before is fine.
    let pay = json!({"amount_cents": 100, "method": "cash", "received_at": "2026-12-31T23:59:59Z"});
    let r = m
        .app
        .call("POST", &path, Some(&m.provider), Some(&pay))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn inputs_are_refused(backend: Backend) {
    let m = market(backend).await;
    currencies(&m).await;
    number_answers(&m).await;
    leap_seconds(&m).await;
}

#[actix_web::test]
async fn bad_currencies_numbers_and_leap_seconds_are_422_on_sqlite() {
    inputs_are_refused(Backend::Sqlite).await;
}

#[actix_web::test]
async fn bad_currencies_numbers_and_leap_seconds_are_422_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    inputs_are_refused(Backend::Postgres).await;
}
