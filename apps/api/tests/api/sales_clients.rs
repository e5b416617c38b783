//! Sales name only real clients, on both backends: a `client_user_id` must be
//! a customer of one of the provider's jobs or have asked about one of its
//! listings, and a stranger's id and an id that names nobody get the same
//! answer; a tenant names clients in at most `sale_notices_per_hour` sales an
//! hour, exactly, when the requests race (429 `quota_exceeded` with
//! `Retry-After`), while sales without a client and paid jobs go on; the
//! provider's words stay quoted inside the platform's subject; and every
//! e-mail and notification writes money in major units.

use actix_web::http::StatusCode;
use futures_util::future::join_all;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id};
use crate::jobs_support::{Market, market};
use crate::listings::published;
use crate::supply_support::{count, user};

const SALES: &str = "/api/v1/marketplace/transactions";

async fn me(app: &TestApp, token: &str) -> i64 {
    id(&app.get("/api/v1/me", Some(token)).await.body["user"])
}

fn naming(client: Option<i64>, description: &str) -> Value {
    json!({
        "service_description": description,
        "amount_cents": 1_234_567,
        "currency": "JPY",
        "transaction_date": "2026-11-29",
        "client_user_id": client,
    })
}

async fn post_sale(m: &Market, body: &Value) -> crate::helpers::Reply {
    m.app
        .send("POST", SALES, Some(&m.provider), Some(body), &[])
        .await
}

/// A user who asked about one of the provider's listings.
async fn inquirer(m: &Market) -> i64 {
    let lid = published(
        m,
        json!({"title": "Walks", "description": "d", "category": "pets", "price_type": "quote"}),
    )
    .await;
    let asker = user(&m.app, "asker@example.test", "customer").await;
    let r = m
        .app
        .call(
            "POST",
            &format!("/api/v1/listings/{lid}/threads"),
            Some(&asker),
            Some(&json!({"body": "Do you walk two dogs?"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    me(&m.app, &asker).await
}

async fn set_allowance(m: &Market, per_hour: i64) {
    let r = m
        .app
        .call(
            "PATCH",
            "/api/v1/admin/settings",
            Some(&m.admin),
            Some(&json!({"sale_notices_per_hour": per_hour})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// No oracle: a stranger's id and an id that names nobody read the same.
async fn strangers_and_unknown_ids_are_refused_alike(m: &Market) {
    let stranger = me(
        &m.app,
        &user(&m.app, "stranger@example.test", "customer").await,
    )
    .await;
    let replies = [
        post_sale(m, &naming(Some(stranger), "Walks")).await,
        post_sale(m, &naming(Some(9_999_999), "Walks")).await,
    ];
    for r in &replies {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.error_fields(), ["client_user_id"], "{}", r.body);
    }
    assert_eq!(replies[0].body, replies[1].body);
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM marketplace_transactions").await,
        0
    );
}

async fn only_real_clients(backend: Backend) {
    let m = market(backend).await;
    // The customer of a job, and a user who asked about a listing, are
    // clients; a stranger is not, even once the provider has clients.
    m.book().await;
    let customer = me(&m.app, &m.customer).await;
    let asker = inquirer(&m).await;
    strangers_and_unknown_ids_are_refused_alike(&m).await;
    let phishing = "Your account is locked, call +1 555 0100";
    for client in [customer, asker] {
        let r = post_sale(&m, &naming(Some(client), phishing)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // The client hears of it in the platform's words, the provider's quoted.
    let inbox = m.app.get("/api/v1/notifications", Some(&m.customer)).await;
    let told = inbox.body["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|n| n["kind"] == "marketplace.transaction_recorded")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no sale notice in {}", inbox.body));
    let title = told["title"].as_str().unwrap_or_default();
    assert!(
        title.starts_with("A provider recorded a purchase for you (#"),
        "{title}"
    );
    assert!(title.ends_with(&format!("“{phishing}”")), "{title}");
    let body = told["body"].as_str().unwrap_or_default();
    assert!(body.contains("JPY 1,234,567"), "{body}");
    let subjects = count(
        &m.app,
        &format!(
            "SELECT COUNT(*) AS n FROM email_outbox WHERE template = \
             'marketplace.transaction_recorded' AND subject LIKE 'A provider recorded a purchase%' \
             AND subject LIKE '%“{phishing}”'"
        ),
    )
    .await;
    assert_eq!(subjects, 2);
}

#[actix_web::test]
async fn sales_name_only_real_clients_on_sqlite() {
    only_real_clients(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sales_name_only_real_clients_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    only_real_clients(Backend::Postgres).await;
}

/// 12 racing sales naming a client with room for 4: exactly 4 × 201.
async fn the_hourly_allowance_holds_under_a_race(backend: Backend) {
    let m = market(backend).await;
    let job = id(&m.book().await);
    let customer = me(&m.app, &m.customer).await;
    set_allowance(&m, 5).await;
    let first = post_sale(&m, &naming(Some(customer), "First walk")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let body = naming(Some(customer), "Walks");
    let replies = join_all((0..12).map(|_| post_sale(&m, &body))).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(
        (created, refused.len()),
        (4, 8),
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, &r.body))
            .collect::<Vec<_>>()
    );
    for r in &refused {
        assert_eq!(r.body["code"], "quota_exceeded", "{}", r.body);
        let wait: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    }
    // Sales without a client go on, and so does a paid job's sale.
    let plain = post_sale(&m, &naming(None, "Walks")).await;
    assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);
    for action in ["accept", "complete", "mark-paid"] {
        let r = m.act(&m.provider, job, action, None).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    }
    let named = count(
        &m.app,
        "SELECT COUNT(*) AS n FROM marketplace_transactions WHERE client_user_id IS NOT NULL",
    )
    .await;
    // 5 named by hand and the paid job's.
    assert_eq!(named, 6);
    // Still full for the next named sale.
    let r = post_sale(&m, &body).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

#[actix_web::test]
async fn the_hourly_allowance_holds_under_a_race_on_sqlite() {
    the_hourly_allowance_holds_under_a_race(Backend::Sqlite).await;
}

#[actix_web::test]
async fn the_hourly_allowance_holds_under_a_race_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    the_hourly_allowance_holds_under_a_race(Backend::Postgres).await;
}

/// A job priced ¥1,234,567 through booking, acceptance, completion and
/// payment, and a sale naming its customer: every e-mail, notification and
/// chat line shows the amount in major units, none the raw minor units.
async fn money_reads_in_major_units(backend: Backend) {
    let m = market(backend).await;
    let mut booking = m.booking();
    booking["price_cents"] = json!(1_234_567);
    booking["currency"] = json!("JPY");
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&booking))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let job = id(&r.body);
    for action in ["accept", "complete", "mark-paid"] {
        let r = m.act(&m.provider, job, action, None).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    }
    // A sale in dollars: two decimals.
    let customer = me(&m.app, &m.customer).await;
    let mut sale = naming(Some(customer), "Walks");
    sale["amount_cents"] = json!(7_654_321);
    sale["currency"] = json!("USD");
    let r = post_sale(&m, &sale).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for (table, columns) in [
        ("email_outbox", ["subject", "body_text"]),
        ("notifications", ["title", "body"]),
    ] {
        let [a, b] = columns;
        let raw = count(
            &m.app,
            &format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE {a} LIKE '%1234567%' OR {b} LIKE '%1234567%' \
                 OR {a} LIKE '%7654321%' OR {b} LIKE '%7654321%'"
            ),
        )
        .await;
        assert_eq!(raw, 0, "{table} shows raw minor units");
        let shown =
            |amount: &str| format!("SELECT COUNT(*) AS n FROM {table} WHERE {b} LIKE '%{amount}%'");
        // Requested, accepted, completed, paid (customer), receipt (provider).
        let yen = count(&m.app, &shown("JPY 1,234,567")).await;
        assert!(yen >= 5, "{table}: {yen} texts with the job's price");
        let dollars = count(&m.app, &shown("USD 76,543.21")).await;
        assert_eq!(dollars, 1, "{table}: the sale's notice");
    }
}

#[actix_web::test]
async fn money_reads_in_major_units_on_sqlite() {
    money_reads_in_major_units(Backend::Sqlite).await;
}

#[actix_web::test]
async fn money_reads_in_major_units_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    money_reads_in_major_units(Backend::Postgres).await;
}
