//! Demand under attack (issue 7 items 2 and 3), on SQLite and PostgreSQL:
//! anonymous searches reach the LSMs only as a bounded per-region digest, and
//! popularity counts distinct searchers per day among offered services.

use std::sync::Arc;

use actix_web::http::StatusCode;
use kernel::{Clock, FixedClock, SystemClock};
use persistence::{Backend, SqlCatalogRepository, SqlDemandRepository};
use serde_json::json;
use supply::PlatformSettings;
use supply::demand::DemandService;
use supply::digest::DigestReport;

use crate::helpers::{TestApp, spawn_app_with};
use crate::supply_support::*;

/// An app with a bootstrap admin and no background workers: the tests run the
/// digest tick themselves, with the clock they choose.
async fn app(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.bootstrap.admin_email = Some(ADMIN_EMAIL.into());
        s.bootstrap.admin_password = Some(stm_api::config::Secret::new(PASSWORD));
        s.jobs.enabled = false;
    })
    .await;
    let token = login(&app, ADMIN_EMAIL).await;
    (app, token)
}

/// Percent-encodes every byte but ASCII letters and digits.
fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One digest tick, as the background worker runs it, at `clock`'s time.
async fn tick(app: &TestApp, clock: Arc<dyn Clock>) -> DigestReport {
    let demand = DemandService::new(
        Arc::new(SqlDemandRepository::new(app.db.conn().clone())),
        clock,
    );
    let catalog = catalog::load_catalog(&SqlCatalogRepository::new(app.db.conn().clone()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    demand
        .send_digests(&catalog, &PlatformSettings::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn mails_to(app: &TestApp, email: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = '{email}'"),
    )
    .await
}

async fn searches_reach_the_lsms_only_as_a_digest(backend: Backend) {
    let (app, admin) = app(backend).await;
    let first = lsm(&app, &admin, "nyc1@stm.test", "nyc").await;
    let second = lsm(&app, &admin, "nyc2@stm.test", "nyc").await;
    let chicago = lsm(&app, &admin, "chi@stm.test", "chi").await;
    let phishing = "Urgent: reset your password at evil.example";
    let mut keywords: Vec<String> = (0..50).map(|i| format!("missing thing {i}")).collect();
    keywords.extend(["café", "cafe\u{301}", "CAFÉ\u{200B}", " café  ", phishing].map(String::from));
    let client = &app;
    let searches = keywords.iter().map(|q| {
        let path = format!("/api/v1/search?q={}&zipcode=10001", encode(q));
        async move { client.get(&path, None).await }
    });
    for r in futures_util::future::join_all(searches).await {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body["service_request_id"].is_i64(), "{}", r.body);
    }
    // Every search is recorded, folded; none of them mailed or notified anyone.
    let requests = "SELECT COUNT(*) AS n FROM service_requests WHERE region = 'nyc'";
    assert_eq!(count(&app, requests).await, 55);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM email_outbox").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM notifications").await,
        0
    );
    let dashboard = app.get("/api/v1/lsm/service-requests", Some(&first)).await;
    assert_eq!(
        dashboard.body["top_keywords"][0],
        json!({"keyword": "café", "count": 4}),
        "{}",
        dashboard.body
    );

    // The tick: one e-mail and one notification per LSM of the region.
    let report = tick(&app, Arc::new(SystemClock)).await;
    assert_eq!(report.sent, ["nyc"]);
    for (email, token) in [("nyc1@stm.test", &first), ("nyc2@stm.test", &second)] {
        assert_eq!(mails_to(&app, email).await, 1, "{email}");
        let inbox = app.get("/api/v1/notifications", Some(token)).await;
        let items = inbox.body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "{}", inbox.body);
        assert_eq!(items[0]["kind"], "demand.digest");
        assert_eq!(
            items[0]["title"],
            "New service demand in New York City: 55 searches"
        );
        assert!(
            items[0]["body"]
                .as_str()
                .is_some_and(|b| b.contains("\"café\" × 4")),
            "{}",
            items[0]
        );
        assert_eq!(
            items[0]["data"]["keywords"][0],
            json!({"keyword": "café", "count": 4})
        );
    }
    assert_eq!(mails_to(&app, "chi@stm.test").await, 0);
    let chi_inbox = app.get("/api/v1/notifications", Some(&chicago)).await;
    assert_eq!(chi_inbox.body["items"], json!([]));
    // The attacker's text never reaches a subject line.
    let evil = "SELECT COUNT(*) AS n FROM email_outbox WHERE LOWER(subject) LIKE '%evil%' OR LOWER(subject) LIKE '%password%'";
    assert_eq!(count(&app, evil).await, 0);
    let unsent = "SELECT COUNT(*) AS n FROM service_requests WHERE email_sent = FALSE";
    assert_eq!(
        count(&app, unsent).await,
        0,
        "included requests are email_sent"
    );

    // Within the period: nothing more, even with new demand.
    app.get("/api/v1/search?q=kite%20repair&zipcode=10001", None)
        .await;
    assert_eq!(
        tick(&app, Arc::new(SystemClock)).await,
        DigestReport::default()
    );
    assert_eq!(mails_to(&app, "nyc1@stm.test").await, 1);

    // After the period the new demand gets a new digest; two instances ticking
    // at once send it once.
    let later = chrono::Utc::now() + chrono::Duration::minutes(61);
    let (a, b) = futures_util::future::join(
        tick(&app, Arc::new(FixedClock(later))),
        tick(&app, Arc::new(FixedClock(later))),
    )
    .await;
    assert_eq!(a.sent.len() + b.sent.len(), 1, "{a:?} {b:?}");
    for email in ["nyc1@stm.test", "nyc2@stm.test"] {
        assert_eq!(mails_to(&app, email).await, 2, "{email}");
    }
    let subjects = "SELECT COUNT(*) AS n FROM email_outbox WHERE subject = 'New service demand in New York City: 1 search'";
    assert_eq!(count(&app, subjects).await, 2);
}

#[actix_web::test]
async fn searches_reach_the_lsms_only_as_a_digest_on_sqlite() {
    searches_reach_the_lsms_only_as_a_digest(Backend::Sqlite).await;
}

#[actix_web::test]
async fn searches_reach_the_lsms_only_as_a_digest_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    searches_reach_the_lsms_only_as_a_digest(Backend::Postgres).await;
}

async fn popular_count(app: &TestApp, admin: &str, service: i64) -> Option<i64> {
    let run = app
        .call(
            "POST",
            "/api/v1/admin/popularity/recompute",
            Some(admin),
            None,
        )
        .await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    let popular = app.get("/api/v1/services/popular?region=nyc", None).await;
    popular.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["id"] == service))
        .and_then(|s| s["search_count"].as_i64())
}

async fn popularity_counts_people(backend: Backend) {
    let (app, admin) = app(backend).await;
    let manager = lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let plumbing = service_id(&app, "plumbing").await;
    let (_, provider) =
        applicant(&app, "ann@example.com", "10001", "212-555-0100", &[walking]).await;
    let path = format!("/api/v1/lsm/providers/{provider}/approve");
    let approved = app.call("POST", &path, Some(&manager), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let patch = json!({"popularity_min_searches": 1});
    app.call(
        "PATCH",
        "/api/v1/admin/settings",
        Some(&admin),
        Some(&patch),
    )
    .await;

    // 200 anonymous searches at once from one address: one searcher today.
    let searches = (0..200).map(|_| app.get("/api/v1/search?q=dog%20walking&zipcode=10001", None));
    for r in futures_util::future::join_all(searches).await {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let logged = "SELECT COUNT(*) AS n FROM service_search_logs";
    assert_eq!(count(&app, logged).await, 200, "every search is logged");
    assert_eq!(popular_count(&app, &admin, walking).await, Some(1));

    // 20 signed-in customers: 20 more, whatever they searched for; the
    // service nobody offers gets as many searchers but is never popular.
    for i in 0..20 {
        let token = user(&app, &format!("c{i}@example.com"), "customer").await;
        for q in ["dog%20walking", "plumbing", "plumbing"] {
            let path = format!("/api/v1/search?q={q}&zipcode=10001");
            let r = app.get(&path, Some(&token)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    assert_eq!(popular_count(&app, &admin, walking).await, Some(21));
    assert_eq!(popular_count(&app, &admin, plumbing).await, None);
    let stored = format!(
        "SELECT search_count AS n FROM service_region_popularity WHERE service_id = {plumbing} AND region_code = 'nyc' AND is_popular = FALSE"
    );
    assert_eq!(count(&app, &stored).await, 20);
}

#[actix_web::test]
async fn popularity_counts_people_on_sqlite() {
    popularity_counts_people(Backend::Sqlite).await;
}

#[actix_web::test]
async fn popularity_counts_people_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    popularity_counts_people(Backend::Postgres).await;
}
