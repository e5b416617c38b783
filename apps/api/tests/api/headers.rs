//! Security headers and the metrics token (issue 17, item 9): `nosniff` on
//! every answer, a Content-Security-Policy and `X-Frame-Options: DENY` on the
//! Swagger UI, `/metrics` only for the holder of `metrics.token`. Headers do
//! not depend on the backend; SQLite shows them.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;
use stm_api::http::middleware::DOCS_CSP;

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with};
use crate::operations::{METRICS_TOKEN, scrape, with_metrics_token};

fn assert_nosniff(what: &str, r: &Reply) {
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what} answered {} without nosniff",
        r.status
    );
}

async fn metrics_with(app: &TestApp, authorization: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    app.send("GET", "/metrics", None, None, &headers).await
}

#[actix_web::test]
async fn every_answer_says_nosniff() {
    let app = spawn_app_with(Backend::Sqlite, with_metrics_token).await;
    let answers = [
        ("health", app.get("/healthz", None).await, 200),
        ("a list", app.get("/api/v1/services", None).await, 200),
        (
            "the document",
            app.get("/api/v1/openapi.json", None).await,
            200,
        ),
        (
            "no route",
            app.get("/api/v1/no-such-route", None).await,
            404,
        ),
        ("no token", app.get("/api/v1/me", None).await, 401),
        (
            "bad JSON",
            app.send_raw(
                "POST",
                "/api/v1/auth/login",
                "application/json",
                b"{".to_vec(),
            )
            .await,
            400,
        ),
        (
            "bad fields",
            app.post("/api/v1/auth/login", &json!({"email": 1})).await,
            422,
        ),
        (
            "wrong method",
            app.call("DELETE", "/api/v1/services", None, None).await,
            405,
        ),
        ("docs page", app.get("/docs/", None).await, 200),
        (
            "docs script",
            app.get("/docs/swagger-ui-bundle.js", None).await,
            200,
        ),
        (
            "docs 404",
            app.get("/docs/no-such-file.js", None).await,
            404,
        ),
        ("metrics", scrape(&app).await, 200),
        ("metrics refused", metrics_with(&app, None).await, 401),
    ];
    for (what, reply, status) in &answers {
        assert_eq!(reply.status.as_u16(), *status, "{what}: {}", reply.body);
        assert_nosniff(what, reply);
    }
    let redirect = awc::Client::builder()
        .disable_redirects()
        .finish()
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        redirect
            .headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
}

#[actix_web::test]
async fn the_docs_carry_a_policy_and_cannot_be_framed() {
    let app = spawn_app().await;
    for path in ["/docs", "/docs/", "/docs/swagger-initializer.js"] {
        let r = app.get(path, None).await;
        assert_eq!(
            r.header("content-security-policy"),
            Some(DOCS_CSP),
            "{path}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
    }
    // The policy allows no inline script: the page must have none.
    let page = app.get("/docs/", None).await;
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("swagger-ui-bundle.js"), "{html}");
    let inline_scripts = html
        .split("<script")
        .skip(1)
        .filter(|tag| !tag.split('>').next().unwrap_or_default().contains("src="))
        .count();
    assert_eq!(inline_scripts, 0, "{html}");
    let api = app.get("/api/v1/services", None).await;
    assert!(api.header("content-security-policy").is_none());
}

#[actix_web::test]
async fn metrics_answer_only_the_configured_token() {
    let app = spawn_app_with(Backend::Sqlite, with_metrics_token).await;
    let good = format!("Bearer {METRICS_TOKEN}");
    let ok = metrics_with(&app, Some(&good)).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(
        ok.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    let wrong = format!("Bearer {METRICS_TOKEN}x");
    for authorization in [None, Some(wrong.as_str()), Some("Basic c2NyYXBlOnRva2Vu")] {
        let r = metrics_with(&app, authorization).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{authorization:?}"
        );
        assert_eq!(r.body["code"], "unauthorized");
        assert!(!r.body.to_string().contains(METRICS_TOKEN));
    }
}

#[actix_web::test]
async fn without_a_token_metrics_do_not_exist() {
    let app = spawn_app().await;
    for authorization in [None, Some("Bearer anything-anyone-could-send")] {
        let r = metrics_with(&app, authorization).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{authorization:?}");
        assert_eq!(r.body["code"], "not_found");
    }
}
