//! Tenancy over HTTP: who may keep books where, staff, soft deletes, contact links.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::{id, spawn_app};

#[actix_web::test]
async fn users_without_a_tenant_get_403_and_a_second_tenant_is_refused() {
    let app = spawn_app().await;
    let session = app.register("solo@example.com", "customer").await;
    let token = session["access_token"].as_str().unwrap_or_default();
    for path in [
        "/api/v1/billing/parties",
        "/api/v1/billing/invoices",
        "/api/v1/tenants/me",
    ] {
        let r = app.send("GET", path, Some(token), None, &[]).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("no_tenant")),
            "{path}"
        );
    }
    let owner = app.tenant_owner("two@example.com", "first-co").await;
    let again = app
        .send(
            "POST",
            "/api/v1/tenants",
            Some(&owner),
            Some(&json!({"name": "B", "slug": "second-co"})),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let taken = app
        .send(
            "POST",
            "/api/v1/tenants",
            Some(token),
            Some(&json!({"name": "B", "slug": "first-co"})),
            &[],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let bad = app
        .send(
            "POST",
            "/api/v1/tenants",
            Some(token),
            Some(&json!({"name": "", "slug": "No Way"})),
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn the_owner_adds_staff_who_then_share_the_books() {
    let app = spawn_app().await;
    let owner = app.tenant_owner("boss@example.com", "boss-co").await;
    let staff_session = app.register("helper@example.com", "customer").await;
    let staff = staff_session["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let added = app
        .send(
            "POST",
            "/api/v1/tenants/me/staff",
            Some(&owner),
            Some(&json!({"email": "helper@example.com"})),
            &[],
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let party = app
        .create(
            &owner,
            "/api/v1/billing/parties",
            json!({"kind": "organization", "display_name": "Big Corp"}),
        )
        .await;
    let seen = app
        .send(
            "GET",
            &format!("/api/v1/billing/parties/{}", id(&party)),
            Some(&staff),
            None,
            &[],
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    let by_staff = app
        .send(
            "POST",
            "/api/v1/tenants/me/staff",
            Some(&staff),
            Some(&json!({"email": "boss@example.com"})),
            &[],
        )
        .await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN);
    let unknown = app
        .send(
            "POST",
            "/api/v1/tenants/me/staff",
            Some(&owner),
            Some(&json!({"email": "ghost@example.com"})),
            &[],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn a_marketplace_user_is_a_contact_once_per_tenant() {
    let app = spawn_app().await;
    let token = app.tenant_owner("mk@example.com", "mk-co").await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let user_id = buyer["user"]["id"].as_i64().unwrap_or_default();
    let body = json!({"first_name": "B", "last_name": "Y", "marketplace_user_id": user_id});
    app.create(&token, "/api/v1/billing/contacts", body.clone())
        .await;
    let again = app
        .send(
            "POST",
            "/api/v1/billing/contacts",
            Some(&token),
            Some(&body),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let ghost = app
        .send(
            "POST",
            "/api/v1/billing/contacts",
            Some(&token),
            Some(&json!({"first_name": "B", "last_name": "Y", "marketplace_user_id": 999_999})),
            &[],
        )
        .await;
    assert_eq!(ghost.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn soft_deleted_rows_vanish_from_reads_and_lists() {
    let app = spawn_app().await;
    let token = app.tenant_owner("del@example.com", "del-co").await;
    let party = app
        .create(
            &token,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": "Gone Soon"}),
        )
        .await;
    let contact = app
        .create(
            &token,
            "/api/v1/billing/contacts",
            json!({"first_name": "Ann", "last_name": "Lee", "party_id": id(&party)}),
        )
        .await;
    let draft = app
        .create(
            &token,
            "/api/v1/billing/invoices",
            json!({"lines": [{"description": "x", "quantity": 1, "unit_price_cents": 5}]}),
        )
        .await;
    for path in [
        format!("/api/v1/billing/parties/{}", id(&party)),
        format!("/api/v1/billing/contacts/{}", id(&contact)),
        format!("/api/v1/billing/invoices/{}", id(&draft)),
    ] {
        assert_eq!(
            app.send("DELETE", &path, Some(&token), None, &[])
                .await
                .status,
            StatusCode::NO_CONTENT,
            "{path}"
        );
        assert_eq!(
            app.send("GET", &path, Some(&token), None, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            app.send("DELETE", &path, Some(&token), None, &[])
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for list in [
        "/api/v1/billing/parties",
        "/api/v1/billing/contacts",
        "/api/v1/billing/invoices",
    ] {
        let r = app.send("GET", list, Some(&token), None, &[]).await;
        assert_eq!(r.body["items"], json!([]), "{list}");
    }
}
