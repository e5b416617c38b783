//! Hostile input gets a 4xx on both backends (PostgreSQL refuses NUL in text,
//! so a missed check there would be a 500), and tenants cannot be mixed up
//! through provider approval.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::supply_support::{app_with_admin, applicant, lsm, service_id, user};

async fn control_characters_are_refused(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let search = app
        .get("/api/v1/search?q=%00plumbing&zipcode=10001", None)
        .await;
    assert_eq!(
        search.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        search.body
    );
    assert_eq!(search.body["errors"][0]["field"], "q");

    let provider = user(&app, "nul@example.com", "provider").await;
    let walking = service_id(&app, "dog-walking").await;
    let body = json!({"business_name": "Bad\u{0}Name", "phone": "212-555-0100", "zipcode": "10001", "service_ids": [walking]});
    let r = app
        .call("POST", "/api/v1/providers", Some(&provider), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let region = json!({"code": "zz", "name": "x".repeat(300), "zip_prefixes": ["999"]});
    let r = app
        .call("POST", "/api/v1/admin/regions", Some(&admin), Some(&region))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let owner = app.tenant_owner("books@example.com", "books-co").await;
    let r = app
        .call(
            "POST",
            "/api/v1/billing/parties",
            Some(&owner),
            Some(&json!({"kind": "person", "display_name": "Nul\u{0}"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[actix_web::test]
async fn control_characters_are_refused_on_sqlite() {
    control_characters_are_refused(Backend::Sqlite).await;
}

#[actix_web::test]
async fn control_characters_are_refused_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    control_characters_are_refused(Backend::Postgres).await;
}

#[actix_web::test]
async fn provider_tenants_cannot_be_squatted_or_borrowed() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    // Nobody may take the slug a future provider's tenant will get.
    let squatter = user(&app, "squat@example.com", "customer").await;
    let r = app
        .call(
            "POST",
            "/api/v1/tenants",
            Some(&squatter),
            Some(&json!({"name": "Mine", "slug": "provider-1"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // A provider who is staff of another business does not get that business's books.
    let owner = app.tenant_owner("boss@example.com", "boss-co").await;
    let manager = lsm(&app, &admin, "lsm@example.com", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (staffer, provider) = applicant(
        &app,
        "staffer@example.com",
        "10001",
        "212-555-0199",
        &[walking],
    )
    .await;
    crate::billing_invitations::join_as_staff(&app, &owner, "staffer@example.com", &staffer).await;
    let approve = app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{provider}/approve"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(approve.status, StatusCode::CONFLICT, "{}", approve.body);
    // And the refused approval changed nothing.
    let queue = app
        .call(
            "GET",
            "/api/v1/lsm/providers?status=pending",
            Some(&manager),
            None,
        )
        .await;
    assert!(
        queue.body["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|p| p["id"] == provider)),
        "{}",
        queue.body
    );
    // Having left that business, the provider is approved with books of their own.
    let left = app
        .call("POST", "/api/v1/tenants/me/leave", Some(&staffer), None)
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.body);
    let approve = app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{provider}/approve"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.body);
    let books = app
        .call("GET", "/api/v1/tenants/me", Some(&staffer), None)
        .await;
    assert_eq!(
        (books.body["role"].as_str(), books.body["slug"].as_str()),
        (Some("owner"), Some(format!("provider-{provider}").as_str())),
        "{}",
        books.body
    );
}

#[actix_web::test]
async fn optional_bodies_are_optional_but_never_ignored_when_wrong() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let manager = lsm(&app, &admin, "lsm2@example.com", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (_, provider) =
        applicant(&app, "opt@example.com", "10001", "212-555-0142", &[walking]).await;
    let approve = app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{provider}/approve"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(
        approve.status,
        StatusCode::OK,
        "no body at all is fine: {}",
        approve.body
    );

    let suspend = format!("/api/v1/lsm/providers/{provider}/suspend");
    let typo = app
        .call(
            "POST",
            &suspend,
            Some(&manager),
            Some(&json!({"reasn": "late"})),
        )
        .await;
    assert_eq!(
        typo.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        typo.body
    );
    let still = app
        .call(
            "GET",
            "/api/v1/lsm/providers?status=approved",
            Some(&manager),
            None,
        )
        .await;
    assert!(
        still.body["items"]
            .as_array()
            .is_some_and(|i| i.iter().any(|p| p["id"] == provider)),
        "nothing was suspended: {}",
        still.body
    );

    let override_path = format!("/api/v1/admin/popularity/{walking}");
    let empty = app
        .call("PUT", &override_path, Some(&admin), Some(&json!({})))
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty body must not clear overrides: {}",
        empty.body
    );
    let clear = app
        .call(
            "PUT",
            &override_path,
            Some(&admin),
            Some(&json!({"is_popular": null})),
        )
        .await;
    assert_eq!(clear.status, StatusCode::OK, "{}", clear.body);
}
