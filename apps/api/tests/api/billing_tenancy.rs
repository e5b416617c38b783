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
async fn invited_staff_share_the_books() {
    let app = spawn_app().await;
    let owner = app.tenant_owner("boss@example.com", "boss-co").await;
    let staff_session = app.register("helper@example.com", "customer").await;
    let staff = staff_session["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    crate::billing_invitations::join_as_staff(&app, &owner, "helper@example.com", &staff).await;
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

#[actix_web::test]
async fn deleting_a_party_or_contact_leaves_the_rest_editable() {
    let app = spawn_app().await;
    let token = app.tenant_owner("edit@example.com", "edit-co").await;
    let party = id(&app
        .create(
            &token,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": "P"}),
        )
        .await);
    let contact = id(&app
        .create(
            &token,
            "/api/v1/billing/contacts",
            json!({"first_name": "A", "last_name": "B", "party_id": party}),
        )
        .await);
    let draft = id(&app.create(&token, "/api/v1/billing/invoices", json!({"client_party_id": party, "lines": [{"description": "x", "quantity": 1, "unit_price_cents": 5}]})).await);
    app.send(
        "DELETE",
        &format!("/api/v1/billing/parties/{party}"),
        Some(&token),
        None,
        &[],
    )
    .await;
    let edited = app
        .send(
            "PATCH",
            &format!("/api/v1/billing/contacts/{contact}"),
            Some(&token),
            Some(&json!({"first_name": "Z"})),
            &[],
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let edited = app
        .send(
            "PATCH",
            &format!("/api/v1/billing/invoices/{draft}"),
            Some(&token),
            Some(&json!({"notes": "n"})),
            &[],
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    // Naming the deleted party again is refused.
    let relink = app
        .send(
            "PATCH",
            &format!("/api/v1/billing/contacts/{contact}"),
            Some(&token),
            Some(&json!({"party_id": party})),
            &[],
        )
        .await;
    assert_eq!(relink.status, StatusCode::NOT_FOUND);

    // A deleted contact no longer holds its marketplace user.
    let buyer = app.register("relink@example.com", "customer").await;
    let body =
        json!({"first_name": "B", "last_name": "Y", "marketplace_user_id": buyer["user"]["id"]});
    let first = id(&app
        .create(&token, "/api/v1/billing/contacts", body.clone())
        .await);
    app.send(
        "DELETE",
        &format!("/api/v1/billing/contacts/{first}"),
        Some(&token),
        None,
        &[],
    )
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
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
}

#[actix_web::test]
async fn payments_of_a_deleted_invoice_are_gone_with_it() {
    let app = spawn_app().await;
    let token = app.tenant_owner("gone@example.com", "gone-co").await;
    let invoice = crate::billing::issued_invoice(&app, &token, 500, None).await;
    let paid = app
        .create(
            &token,
            &format!("/api/v1/billing/invoices/{invoice}/payments"),
            json!({"amount_cents": 200, "method": "cash"}),
        )
        .await;
    app.create(
        &token,
        &format!("/api/v1/billing/payments/{}/refund", id(&paid)),
        json!({}),
    )
    .await;
    app.create(
        &token,
        &format!("/api/v1/billing/invoices/{invoice}/void"),
        json!({}),
    )
    .await;
    assert_eq!(
        app.send(
            "DELETE",
            &format!("/api/v1/billing/invoices/{invoice}"),
            Some(&token),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let payments = app
        .send("GET", "/api/v1/billing/payments", Some(&token), None, &[])
        .await;
    assert_eq!(payments.body["items"], json!([]));
}

#[actix_web::test]
async fn parallel_invoice_creates_all_succeed_with_distinct_numbers() {
    let app = spawn_app().await;
    let token = app.tenant_owner("many@example.com", "many-co").await;
    let body = json!({"lines": [{"description": "x", "quantity": 1, "unit_price_cents": 1}]});
    let replies = futures_util::future::join_all((0..10).map(|_| {
        app.send(
            "POST",
            "/api/v1/billing/invoices",
            Some(&token),
            Some(&body),
            &[],
        )
    }))
    .await;
    let mut numbers: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["number"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 10);
}
