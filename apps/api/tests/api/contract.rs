//! The body contract every route shares (issue 11): a body of the wrong
//! shape is a 422 that changes nothing, 400 only for bytes that are not
//! JSON, `validator` rules name nested fields, a body the document allows
//! (`null`, `2.0` for an integer) is accepted, and 405 carries `Allow`.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id, spawn_app};
use crate::supply_support::{app_with_admin, service_id};

fn field(body: &Value) -> &str {
    body["errors"][0]["field"].as_str().unwrap_or_default()
}

async fn parties(app: &TestApp, token: &str) -> usize {
    let r = app
        .call("GET", "/api/v1/billing/parties", Some(token), None)
        .await;
    r.body["items"].as_array().map_or(usize::MAX, Vec::len)
}

#[actix_web::test]
async fn non_objects_are_422_and_change_nothing() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let walking = service_id(&app, "dog-walking").await;
    let path = format!("/api/v1/admin/popularity/{walking}");
    for body in [
        json!([null, null]),
        json!(null),
        json!(7),
        json!("x"),
        json!([]),
    ] {
        let r = app.call("PUT", &path, Some(&admin), Some(&body)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert_eq!(field(&r.body), "body", "{}", r.body);
    }

    let owner = app.tenant_owner("shape@example.com", "shape-co").await;
    for body in [json!([["person", "Ann"]]), json!(["person", "Ann"])] {
        let r = app
            .call("POST", "/api/v1/billing/parties", Some(&owner), Some(&body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    assert_eq!(parties(&app, &owner).await, 0, "nothing was created");

    // A nested object sent as an array of its fields is refused too.
    let nested = json!({"lines": [["Walk", 1, 100]]});
    let r = app
        .call(
            "POST",
            "/api/v1/billing/invoices",
            Some(&owner),
            Some(&nested),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[actix_web::test]
async fn only_unparsable_bytes_are_malformed() {
    let app = spawn_app().await;
    let login = "/api/v1/auth/login";
    let send = |body: &'static str| {
        app.send_raw("POST", login, "application/json", body.as_bytes().to_vec())
    };
    let broken = send(r#"{"email": "#).await;
    assert_eq!(
        (broken.status, broken.body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    for body in [
        "[1, 2]",
        r#"{"email": 1, "password": "x"}"#,
        r#"{"email": "a@b.c", "email": "d@e.f", "password": "x"}"#,
    ] {
        let r = send(body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    let dup = send(r#"{"email": "a@b.c", "email": "d@e.f", "password": "x"}"#).await;
    assert_eq!(field(&dup.body), "email", "{}", dup.body);
}

#[actix_web::test]
async fn declared_rules_name_nested_fields_and_allowed_bodies_pass() {
    let app = spawn_app().await;
    let owner = app.tenant_owner("rules@example.com", "rules-co").await;
    let bad = json!({"lines": [{"description": "Walk", "quantity": 0, "unit_price_cents": -1}]});
    let r = app
        .call("POST", "/api/v1/billing/invoices", Some(&owner), Some(&bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.error_fields(),
        ["lines[0].quantity", "lines[0].unit_price_cents"],
        "{}",
        r.body
    );

    // `2.0` is an integer to JSON Schema, so to this API.
    let ok = json!({"lines": [{"description": "Walk", "quantity": 2.0, "unit_price_cents": 1500}]});
    let invoice = app.create(&owner, "/api/v1/billing/invoices", ok).await;
    assert_eq!(invoice["amount_cents"], 3000, "{invoice}");

    // The document says an action's body is `oneOf: [EmptyBody, null]`.
    let issue = format!("/api/v1/billing/invoices/{}/issue", id(&invoice));
    let r = app
        .call("POST", &issue, Some(&owner), Some(&Value::Null))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[actix_web::test]
async fn method_not_allowed_lists_the_allowed_ones() {
    let app = spawn_app().await;
    let r = app.call("DELETE", "/api/v1/auth/login", None, None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("POST"));
    let r = app
        .call("PUT", "/api/v1/billing/parties/1", None, None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("GET, PATCH, DELETE"));
}
