//! Factories for the supply-side scenarios: an app with an admin, LSMs,
//! providers and their applications.

use actix_web::http::StatusCode;
use persistence::Backend;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with, text};

pub const ADMIN_EMAIL: &str = "admin@stm.test";
pub const PASSWORD: &str = "correct horse battery";

/// An app with a bootstrap admin; returns it with the admin's token.
pub async fn app_with_admin(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.bootstrap.admin_email = Some(ADMIN_EMAIL.into());
        s.bootstrap.admin_password = Some(stm_api::config::Secret::new(PASSWORD));
    })
    .await;
    let token = login(&app, ADMIN_EMAIL).await;
    (app, token)
}

/// Signs in; returns the access token.
pub async fn login(app: &TestApp, email: &str) -> String {
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.body);
    text(&r.body, "access_token").to_owned()
}

/// Creates an LSM of `region`; returns its token.
pub async fn lsm(app: &TestApp, admin: &str, email: &str, region: &str) -> String {
    let body = json!({"email": email, "password": PASSWORD, "first_name": "Lou", "last_name": "Manager", "region": region});
    let r = app
        .call("POST", "/api/v1/admin/lsms", Some(admin), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    login(app, email).await
}

/// Registers a user with `role`; returns its token.
pub async fn user(app: &TestApp, email: &str, role: &str) -> String {
    let session = app.register(email, role).await;
    text(&session, "access_token").to_owned()
}

/// The id of a catalog service by slug.
pub async fn service_id(app: &TestApp, slug: &str) -> i64 {
    let r = app.get("/api/v1/services?limit=100", None).await;
    r.body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["slug"] == slug))
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_else(|| panic!("no service {slug}"))
}

/// An application body.
pub fn application(zipcode: &str, phone: &str, services: &[i64]) -> Value {
    json!({"business_name": "Ann's Paws", "phone": phone, "zipcode": zipcode, "service_ids": services})
}

/// Registers a provider and applies; returns (token, provider id).
pub async fn applicant(
    app: &TestApp,
    email: &str,
    zipcode: &str,
    phone: &str,
    services: &[i64],
) -> (String, i64) {
    let token = user(app, email, "provider").await;
    let r = app
        .call(
            "POST",
            "/api/v1/providers",
            Some(&token),
            Some(&application(zipcode, phone, services)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap_or_default();
    (token, id)
}

/// A `SELECT COUNT(*) AS n …` straight from the database.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let conn = app.db.conn();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    row.and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
}
