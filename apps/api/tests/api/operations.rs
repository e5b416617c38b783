//! Health, readiness, metrics, request ids, CORS and the API document.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let health = app.get("/healthz", None).await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let ready = app.get("/readyz", None).await;
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    assert!(
        ready
            .header("x-request-id")
            .is_some_and(|id| id.len() >= 32)
    );
}

#[actix_web::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db
        .clone()
        .close()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.body["code"], "not_ready");
}

/// The token the metrics tests configure and scrape with.
pub const METRICS_TOKEN: &str = "scrape-token-for-the-tests-0123456789";

pub fn with_metrics_token(s: &mut stm_api::config::Settings) {
    s.metrics.token = Some(stm_api::config::Secret::new(METRICS_TOKEN));
}

/// `GET /metrics` as the scraper sends it.
pub async fn scrape(app: &crate::helpers::TestApp) -> crate::helpers::Reply {
    let bearer = format!("Bearer {METRICS_TOKEN}");
    let r = app
        .send("GET", "/metrics", None, None, &[("authorization", &bearer)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app_with(Backend::Sqlite, with_metrics_token).await;
    app.get("/api/v1/services/1", None).await;
    app.get("/api/v1/services/2", None).await;
    app.get("/api/v1/services/999999", None).await;
    let metrics = scrape(&app).await;
    let text = metrics.body.as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/services/{id}",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(text.contains(
        r#"http_requests_total{method="GET",route="/api/v1/services/{id}",status="404"} 1"#
    ));
    assert!(text.contains("http_request_duration_seconds_bucket{"));
}

#[actix_web::test]
async fn clients_cannot_grow_metrics_with_made_up_methods_or_paths() {
    let app = spawn_app_with(Backend::Sqlite, with_metrics_token).await;
    scrape(&app).await;
    let before = scrape(&app).await;
    let before = before.body.as_str().unwrap().len();
    for i in 0..200 {
        let method = format!("{}{i}", "X".repeat(2000));
        let r = app
            .send_raw(&method, "/api/v1/services", "application/json", vec![])
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);
        app.get(&format!("/api/v1/no-such-route-{i}"), None).await;
    }
    let metrics = scrape(&app).await;
    let text = metrics.body.as_str().unwrap();
    assert!(
        !text.contains("XXXX"),
        "a client-chosen method became a label"
    );
    assert!(!text.contains("no-such-route"), "a raw path became a label");
    assert!(text.contains(r#"method="other""#), "{text}");
    // A handful of new series at most, not 400.
    assert!(
        text.len() < before + 16 * 1024,
        "{} -> {}",
        before,
        text.len()
    );
}

#[actix_web::test]
async fn cors_allows_only_configured_origins() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.cors_allowed_origins = vec!["https://app.example.com".into()]
    })
    .await;
    let client = awc::Client::default();
    let allowed = client
        .get(format!("{}/api/v1/regions", app.address))
        .insert_header(("origin", "https://app.example.com"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://app.example.com")
    );
    let other = client
        .get(format!("{}/api/v1/regions", app.address))
        .insert_header(("origin", "https://evil.example.com"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// Every route the server mounts, as `METHOD path`.
const ROUTES: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "GET /api/v1/me",
    "DELETE /api/v1/me",
    "POST /api/v1/auth/verify-email",
    "POST /api/v1/auth/resend-verification",
    "POST /api/v1/auth/password-reset",
    "POST /api/v1/auth/password-reset/confirm",
    "POST /api/v1/me/password",
    "GET /api/v1/me/sessions",
    "DELETE /api/v1/me/sessions/{id}",
    "GET /api/v1/me/export",
    "GET /api/v1/services",
    "GET /api/v1/services/{id}",
    "GET /api/v1/regions",
    "GET /api/v1/search",
    "GET /api/v1/services/popular",
    "POST /api/v1/providers",
    "GET /api/v1/providers/me",
    "PATCH /api/v1/providers/me",
    "PUT /api/v1/providers/me/services",
    "PATCH /api/v1/providers/me/services/{service_id}",
    "GET /api/v1/providers/{id}",
    "GET /api/v1/providers/{id}/reviews",
    "GET /api/v1/notifications",
    "POST /api/v1/notifications/{id}/read",
    "GET /api/v1/lsm/providers",
    "POST /api/v1/lsm/providers/{id}/approve",
    "POST /api/v1/lsm/providers/{id}/reject",
    "POST /api/v1/lsm/providers/{id}/suspend",
    "POST /api/v1/lsm/providers/{id}/reinstate",
    "POST /api/v1/lsm/providers/{id}/clear-warnings",
    "POST /api/v1/lsm/providers/{id}/ban-requests",
    "GET /api/v1/lsm/service-requests",
    "POST /api/v1/lsm/service-requests/{id}/review",
    "GET /api/v1/admin/lsms",
    "POST /api/v1/admin/lsms",
    "GET /api/v1/admin/settings",
    "PATCH /api/v1/admin/settings",
    "GET /api/v1/admin/audit-log",
    "POST /api/v1/admin/services",
    "PATCH /api/v1/admin/services/{id}",
    "POST /api/v1/admin/regions",
    "GET /api/v1/admin/ban-requests",
    "POST /api/v1/admin/ban-requests/{id}/approve",
    "POST /api/v1/admin/ban-requests/{id}/reject",
    "PUT /api/v1/admin/popularity/{service_id}",
    "POST /api/v1/admin/popularity/recompute",
    "POST /api/v1/tenants",
    "GET /api/v1/tenants/me",
    "GET /api/v1/tenants/me/invitations",
    "POST /api/v1/tenants/me/invitations",
    "GET /api/v1/me/tenant-invitations",
    "POST /api/v1/tenant-invitations/{id}/accept",
    "POST /api/v1/tenant-invitations/{id}/decline",
    "POST /api/v1/tenants/me/leave",
    "DELETE /api/v1/tenants/me/staff/{user_id}",
    "GET /api/v1/billing/parties",
    "POST /api/v1/billing/parties",
    "GET /api/v1/billing/parties/{id}",
    "PATCH /api/v1/billing/parties/{id}",
    "DELETE /api/v1/billing/parties/{id}",
    "GET /api/v1/billing/contacts",
    "POST /api/v1/billing/contacts",
    "GET /api/v1/billing/contacts/{id}",
    "PATCH /api/v1/billing/contacts/{id}",
    "DELETE /api/v1/billing/contacts/{id}",
    "PUT /api/v1/billing/contacts/{id}/portal",
    "GET /api/v1/billing/invoices",
    "POST /api/v1/billing/invoices",
    "GET /api/v1/billing/invoices/{id}",
    "PATCH /api/v1/billing/invoices/{id}",
    "DELETE /api/v1/billing/invoices/{id}",
    "POST /api/v1/billing/invoices/{id}/issue",
    "POST /api/v1/billing/invoices/{id}/void",
    "POST /api/v1/billing/invoices/{id}/payments",
    "GET /api/v1/billing/payments",
    "POST /api/v1/billing/payments/{id}/refund",
    "POST /api/v1/portal/login",
    "GET /api/v1/portal/invoices",
    "GET /api/v1/portal/invoices/{id}",
    "GET /api/v1/jobs",
    "POST /api/v1/jobs",
    "GET /api/v1/jobs/{id}",
    "PATCH /api/v1/jobs/{id}",
    "GET /api/v1/jobs/{id}/events",
    "POST /api/v1/jobs/{id}/accept",
    "POST /api/v1/jobs/{id}/reject",
    "POST /api/v1/jobs/{id}/complete",
    "POST /api/v1/jobs/{id}/cancel",
    "POST /api/v1/jobs/{id}/approve",
    "POST /api/v1/jobs/{id}/decline-changes",
    "POST /api/v1/jobs/{id}/rating",
    "GET /api/v1/threads",
    "GET /api/v1/threads/{id}",
    "GET /api/v1/threads/{id}/messages",
    "POST /api/v1/threads/{id}/messages",
    "POST /api/v1/threads/{id}/read",
    "POST /api/v1/threads/{id}/archive",
    "POST /api/v1/threads/{id}/block",
    "GET /api/v1/events",
    "GET /api/v1/ws",
    "POST /api/v1/jobs/{id}/mark-paid",
    "GET /api/v1/marketplace/transactions",
    "POST /api/v1/marketplace/transactions",
    "GET /api/v1/marketplace/transactions/{id}",
    "POST /api/v1/marketplace/transactions/{id}/complete",
    "POST /api/v1/marketplace/transactions/{id}/cancel",
    "POST /api/v1/marketplace/transactions/{id}/refund",
    "GET /api/v1/listings",
    "POST /api/v1/listings",
    "GET /api/v1/listings/{id}",
    "PATCH /api/v1/listings/{id}",
    "POST /api/v1/listings/{id}/publish",
    "POST /api/v1/listings/{id}/unpublish",
    "POST /api/v1/listings/{id}/suspend",
    "POST /api/v1/listings/{id}/reinstate",
    "POST /api/v1/listings/{id}/threads",
    "POST /api/v1/attachments",
    "GET /api/v1/attachments/{id}",
    "POST /api/v1/jobs/{id}/disputes",
    "GET /api/v1/disputes",
    "GET /api/v1/disputes/{id}",
    "GET /api/v1/lsm/disputes",
    "POST /api/v1/lsm/disputes/{id}/resolve",
    "GET /api/v1/providers/me/availability",
    "PUT /api/v1/providers/me/availability",
    "POST /api/v1/providers/me/availability/exceptions",
    "DELETE /api/v1/providers/me/availability/exceptions/{id}",
    "PUT /api/v1/providers/me/cancellation-policy",
    "GET /api/v1/providers/{id}/slots",
    "GET /api/v1/jobs/{id}/cancellation-preview",
    "POST /api/v1/jobs/{id}/reschedule",
    "POST /api/v1/jobs/{id}/reschedule/approve",
    "POST /api/v1/jobs/{id}/reschedule/decline",
    "POST /api/v1/providers/me/calendar-token",
    "GET /api/v1/providers/me/calendar.ics",
];

#[actix_web::test]
async fn the_served_document_lists_every_route_with_problems_and_security() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut listed: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            listed.push(format!("{} {path}", method.to_uppercase()));
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            assert!(
                !responses.is_empty(),
                "{method} {path} documents no response"
            );
        }
    }
    let mut expected: Vec<String> = ROUTES.iter().map(|r| (*r).to_owned()).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        doc["paths"]["/api/v1/me"]["get"]["security"][0]["bearer"],
        Value::Array(vec![])
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, StatusCode::OK);
}

#[test]
fn the_committed_document_is_up_to_date() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap_or_default();
    assert!(
        committed == stm_api::openapi::document() + "\n",
        "docs/openapi.json is stale: run `cargo run -p stm-api -- openapi --output docs/openapi.json`"
    );
}

#[test]
fn every_schema_reference_resolves() {
    // A `value_type` naming a schema that is not registered leaves a dangling
    // `$ref`, which client generators refuse (openapi-typescript stops on it).
    let doc: Value =
        serde_json::from_str(&stm_api::openapi::document()).unwrap_or_else(|e| panic!("{e}"));
    let text = doc.to_string();
    let prefix = "\"#/components/schemas/";
    let mut missing = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        let name = &rest[..rest.find('"').unwrap_or(0)];
        if doc["components"]["schemas"].get(name).is_none() {
            missing.push(name.to_owned());
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "unresolved schema references: {missing:?}"
    );
}
