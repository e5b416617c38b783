//! Portal sessions end with their credentials (issue 7, item 9): a portal token
//! stops working when the contact's portal password changes or access is
//! turned off, even after access is turned back on. On SQLite and PostgreSQL.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::helpers::{TestApp, id, spawn_app_with, text};

async fn portal_login(app: &TestApp, password: &str) -> (StatusCode, String) {
    let r = app
        .post(
            "/api/v1/portal/login",
            &json!({"tenant_slug": "cred-co", "email": "cv@client.com", "password": password}),
        )
        .await;
    let token = r.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (r.status, token)
}

async fn invoices(app: &TestApp, token: &str) -> StatusCode {
    app.call("GET", "/api/v1/portal/invoices", Some(token), None)
        .await
        .status
}

async fn set_portal(app: &TestApp, staff: &str, contact: i64, body: serde_json::Value) {
    let r = app
        .call(
            "PUT",
            &format!("/api/v1/billing/contacts/{contact}/portal"),
            Some(staff),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn credentials_end_sessions(backend: Backend) {
    if backend == Backend::Postgres && persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let app = spawn_app_with(backend, |_| {}).await;
    let staff = app.tenant_owner("cred@example.com", "cred-co").await;
    let contact = id(&app
        .create(
            &staff,
            "/api/v1/billing/contacts",
            json!({"first_name": "C", "last_name": "V", "email": "cv@client.com"}),
        )
        .await);
    set_portal(
        &app,
        &staff,
        contact,
        json!({"enabled": true, "password": "first portal pass"}),
    )
    .await;
    let (code, first) = portal_login(&app, "first portal pass").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(invoices(&app, &first).await, StatusCode::OK);

    // The password changes: the old session ends, the old password fails, the new one works.
    set_portal(
        &app,
        &staff,
        contact,
        json!({"enabled": true, "password": "second portal pass"}),
    )
    .await;
    assert_eq!(invoices(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        portal_login(&app, "first portal pass").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (code, second) = portal_login(&app, "second portal pass").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(invoices(&app, &second).await, StatusCode::OK);

    // Off and on again: the session from before stays ended.
    set_portal(&app, &staff, contact, json!({"enabled": false})).await;
    assert_eq!(invoices(&app, &second).await, StatusCode::UNAUTHORIZED);
    set_portal(&app, &staff, contact, json!({"enabled": true})).await;
    assert_eq!(invoices(&app, &second).await, StatusCode::UNAUTHORIZED);
    let (code, third) = portal_login(&app, "second portal pass").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(invoices(&app, &third).await, StatusCode::OK);
    let detail = app
        .call("GET", "/api/v1/portal/invoices/999999", Some(&second), None)
        .await;
    assert_eq!(detail.status, StatusCode::UNAUTHORIZED, "{}", detail.body);
    assert!(!text(&detail.body, "code").is_empty());
}

#[actix_web::test]
async fn changed_portal_credentials_end_old_tokens_on_sqlite() {
    credentials_end_sessions(Backend::Sqlite).await;
}

#[actix_web::test]
async fn changed_portal_credentials_end_old_tokens_on_postgres() {
    credentials_end_sessions(Backend::Postgres).await;
}
