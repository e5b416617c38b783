//! Invisible characters are not identity: e-mails compare after NFKC and
//! case folding, and identity and display text refuse format characters and
//! text-direction controls, on both backends.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::Value;

use crate::helpers::{TestApp, registration, spawn_app_with};

async fn register(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    let r = app.post("/api/v1/auth/register", body).await;
    (r.status, r.body)
}

async fn invisible_characters_are_not_identity(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (status, body) = register(&app, &registration("admin@example.test", "customer")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    for twin in [
        "admin@example.test\u{200B}",
        "ad\u{00AD}min@example.test",
        "\u{202E}admin@example.test",
    ] {
        let (status, body) = register(&app, &registration(twin, "customer")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{twin:?}: {body}");
        assert_eq!(body["errors"][0]["field"], "email", "{body}");
    }
    // A compatibility variant is the same account, not a new one.
    let (status, body) = register(&app, &registration("ＡＤＭＩＮ@example.test", "customer")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    for name in [
        "\u{200B}\u{200B}\u{200B}",
        "\u{202E}\u{202D}",
        "Eve\u{2067}",
    ] {
        let mut body = registration("eve@example.test", "customer");
        body["first_name"] = Value::from(name);
        let (status, reply) = register(&app, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}: {reply}"
        );
        assert_eq!(reply["errors"][0]["field"], "first_name", "{reply}");
    }
    let mut body = registration("eve@example.test", "customer");
    body["first_name"] = Value::from("Zoë");
    let (status, reply) = register(&app, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");

    // Display text elsewhere goes through the same normaliser.
    let owner = app.tenant_owner("books@example.test", "books-co").await;
    let party = serde_json::json!({"kind": "person", "display_name": "\u{202E}gnp.exe"});
    let r = app
        .call(
            "POST",
            "/api/v1/billing/parties",
            Some(&owner),
            Some(&party),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "display_name", "{}", r.body);
}

#[actix_web::test]
async fn invisible_characters_are_not_identity_on_sqlite() {
    invisible_characters_are_not_identity(Backend::Sqlite).await;
}

#[actix_web::test]
async fn invisible_characters_are_not_identity_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    invisible_characters_are_not_identity(Backend::Postgres).await;
}
