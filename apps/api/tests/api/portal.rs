//! The client portal over HTTP.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::billing::issued_invoice;
use crate::helpers::{id, spawn_app, text};

#[actix_web::test]
async fn a_contact_reads_only_the_issued_invoices_of_its_party() {
    let app = spawn_app().await;
    let staff = app.tenant_owner("books@example.com", "books-co").await;
    let mine = id(&app
        .create(
            &staff,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": "Mine"}),
        )
        .await);
    let theirs = id(&app
        .create(
            &staff,
            "/api/v1/billing/parties",
            json!({"kind": "person", "display_name": "Theirs"}),
        )
        .await);
    let contact = app.create(&staff, "/api/v1/billing/contacts", json!({"first_name": "Ann", "last_name": "Lee", "email": "Ann@Client.com", "party_id": mine})).await;
    let visible = issued_invoice(&app, &staff, 1_000, Some(mine)).await;
    let other = issued_invoice(&app, &staff, 2_000, Some(theirs)).await;
    let draft = id(&app.create(&staff, "/api/v1/billing/invoices", json!({"client_party_id": mine, "lines": [{"description": "d", "quantity": 1, "unit_price_cents": 3}]})).await);

    let portal_path = format!("/api/v1/billing/contacts/{}/portal", id(&contact));
    let no_password = app
        .send(
            "PUT",
            &portal_path,
            Some(&staff),
            Some(&json!({"enabled": true})),
            &[],
        )
        .await;
    assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    let enabled = app
        .send(
            "PUT",
            &portal_path,
            Some(&staff),
            Some(&json!({"enabled": true, "password": "client portal pass"})),
            &[],
        )
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
    assert!(
        enabled.body.get("portal_password_hash").is_none()
            && !enabled.body.to_string().contains("argon2")
    );

    let login = |slug: &str, email: &str, password: &str| json!({"tenant_slug": slug, "email": email, "password": password});
    let ok = app
        .post(
            "/api/v1/portal/login",
            &login("books-co", "ann@client.com", "client portal pass"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let token = text(&ok.body, "access_token").to_owned();

    let list = app
        .send("GET", "/api/v1/portal/invoices", Some(&token), None, &[])
        .await;
    let ids: Vec<i64> = list.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![visible]);
    assert_eq!(
        app.send(
            "GET",
            &format!("/api/v1/portal/invoices/{visible}"),
            Some(&token),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::OK
    );
    for hidden in [other, draft] {
        assert_eq!(
            app.send(
                "GET",
                &format!("/api/v1/portal/invoices/{hidden}"),
                Some(&token),
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
    // Portal tokens do not open staff routes, and staff tokens do not open the portal.
    assert_eq!(
        app.send("GET", "/api/v1/billing/invoices", Some(&token), None, &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send("GET", "/api/v1/portal/invoices", Some(&staff), None, &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let seen = app
        .send(
            "GET",
            &format!("/api/v1/billing/contacts/{}", id(&contact)),
            Some(&staff),
            None,
            &[],
        )
        .await;
    assert!(seen.body["portal_last_login"].is_string());

    // Wrong slug, wrong password, unknown e-mail: the same 401.
    let bodies: Vec<_> = futures_util::future::join_all([
        app.post(
            "/api/v1/portal/login",
            &login("other-co", "ann@client.com", "client portal pass"),
        ),
        app.post(
            "/api/v1/portal/login",
            &login("books-co", "ann@client.com", "wrong password!!"),
        ),
        app.post(
            "/api/v1/portal/login",
            &login("books-co", "nobody@client.com", "client portal pass"),
        ),
    ])
    .await
    .into_iter()
    .map(|r| (r.status, r.body))
    .collect();
    assert!(
        bodies
            .iter()
            .all(|b| b == &bodies[0] && b.0 == StatusCode::UNAUTHORIZED),
        "{bodies:?}"
    );
    // A slug the documented format refuses is a 422 naming it, before any lookup.
    let nul = app
        .post(
            "/api/v1/portal/login",
            &login("books\u{0}co", "ann@client.com", "client portal pass"),
        )
        .await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    assert_eq!(
        nul.body["errors"][0]["field"], "tenant_slug",
        "{}",
        nul.body
    );

    // Disabling the portal ends the session; deleting the contact too.
    app.send(
        "PUT",
        &portal_path,
        Some(&staff),
        Some(&json!({"enabled": false})),
        &[],
    )
    .await;
    assert_eq!(
        app.send("GET", "/api/v1/portal/invoices", Some(&token), None, &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post(
            "/api/v1/portal/login",
            &login("books-co", "ann@client.com", "client portal pass")
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    app.send(
        "PUT",
        &portal_path,
        Some(&staff),
        Some(&json!({"enabled": true})),
        &[],
    )
    .await;
    assert_eq!(
        app.post(
            "/api/v1/portal/login",
            &login("books-co", "ann@client.com", "client portal pass")
        )
        .await
        .status,
        StatusCode::OK
    );
    app.send(
        "DELETE",
        &format!("/api/v1/billing/contacts/{}", id(&contact)),
        Some(&staff),
        None,
        &[],
    )
    .await;
    assert_eq!(
        app.post(
            "/api/v1/portal/login",
            &login("books-co", "ann@client.com", "client portal pass")
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn portal_logins_are_rate_limited() {
    let app = crate::helpers::spawn_app_with(persistence::Backend::Sqlite, |s| {
        s.auth.login_attempts_per_minute_per_email = 2
    })
    .await;
    let attempt = json!({"tenant_slug": "nobody-co", "email": "x@client.com", "password": "wrong password!!"});
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/v1/portal/login", &attempt).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.post("/api/v1/portal/login", &attempt).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").is_some());
}
