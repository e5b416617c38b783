//! The same binary on PostgreSQL: the main flows, when `STM_TEST_DATABASE_URL` is set.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::helpers::{spawn_app_with, text};

#[actix_web::test]
async fn accounts_and_catalog_work_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let app = spawn_app_with(Backend::Postgres, |_| {}).await;
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    let session = app.register("pg@example.com", "customer").await;
    let dup = app
        .post(
            "/api/v1/auth/register",
            &crate::helpers::registration("PG@example.com", "customer"),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": text(&session, "refresh_token")}),
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK);
    let me = app
        .get("/api/v1/me", Some(text(&refreshed.body, "access_token")))
        .await;
    assert_eq!(me.body["customer"]["region_code"], "nyc");
    let pets = app.get("/api/v1/services?category=pets", None).await;
    assert_eq!(pets.body["items"].as_array().map(Vec::len), Some(5));
    assert!(
        app.get("/api/v1/regions", None).await.body["items"]
            .as_array()
            .is_some_and(|r| r.len() >= 45)
    );
}
