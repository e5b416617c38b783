//! Staff by consent over HTTP (issue 7, item 4): nobody is added to a tenant
//! without accepting an invitation; members leave or are removed, but a tenant
//! keeps its last owner. Each scenario runs on SQLite and PostgreSQL.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{TestApp, id, spawn_app_with, text};
use crate::supply_support::count;

pub async fn on(backend: Backend) -> Option<TestApp> {
    if backend == Backend::Postgres && persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return None;
    }
    Some(spawn_app_with(backend, |_| {}).await)
}

/// Registers `email`; returns (token, user id).
pub async fn account(app: &TestApp, email: &str) -> (String, i64) {
    let session = app.register(email, "customer").await;
    let user = session["user"]["id"].as_i64().unwrap_or_default();
    (text(&session, "access_token").to_owned(), user)
}

/// The owner invites `email`; returns the invitation id.
pub async fn invite(app: &TestApp, owner: &str, email: &str) -> i64 {
    id(&app
        .create(
            owner,
            "/api/v1/tenants/me/invitations",
            json!({"email": email}),
        )
        .await)
}

/// The owner invites the holder of `token` (registered as `email`), who accepts.
pub async fn join_as_staff(app: &TestApp, owner: &str, email: &str, token: &str) {
    let invitation = invite(app, owner, email).await;
    let r = app
        .call(
            "POST",
            &format!("/api/v1/tenant-invitations/{invitation}/accept"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

pub async fn answer(
    app: &TestApp,
    token: &str,
    invitation: i64,
    verb: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/tenant-invitations/{invitation}/{verb}");
    let r = app.call("POST", &path, Some(token), body).await;
    (r.status, r.body)
}

pub async fn status(app: &TestApp, token: &str, method: &str, path: &str) -> StatusCode {
    app.call(method, path, Some(token), None).await.status
}

async fn consent_flow(backend: Backend) {
    let Some(app) = on(backend).await else { return };
    let owner = app.tenant_owner("boss@example.com", "boss-co").await;
    // The attack: adding someone's e-mail as staff directly. The route is gone.
    let direct = app
        .call(
            "POST",
            "/api/v1/tenants/me/staff",
            Some(&owner),
            Some(&json!({"email": "helper@example.com"})),
        )
        .await;
    assert!(
        matches!(
            direct.status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ),
        "{} {}",
        direct.status,
        direct.body
    );
    let anonymous = app
        .call(
            "POST",
            "/api/v1/tenants/me/invitations",
            None,
            Some(&json!({"email": "helper@example.com"})),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Invited before having an account; one pending invitation per e-mail.
    let made = app
        .create(
            &owner,
            "/api/v1/tenants/me/invitations",
            json!({"email": " Helper@Example.com "}),
        )
        .await;
    assert_eq!(
        (&made["email"], &made["role"], &made["status"]),
        (
            &json!("helper@example.com"),
            &json!("staff"),
            &json!("pending")
        )
    );
    let sent = chrono::DateTime::parse_from_rfc3339(text(&made, "created_at"));
    let expires = chrono::DateTime::parse_from_rfc3339(text(&made, "expires_at"));
    assert_eq!(
        sent.and_then(|s| expires.map(|e| e - s)).ok(),
        Some(chrono::Duration::days(7))
    );
    let again = app
        .call(
            "POST",
            "/api/v1/tenants/me/invitations",
            Some(&owner),
            Some(&json!({"email": "helper@example.com"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'helper@example.com' AND template = 'tenant_invitation' AND subject NOT LIKE '%Acme%' AND body_text LIKE '%\"Acme\"%'").await,
        1,
        "one e-mail, the tenant's name only in its body"
    );

    // The invitee finds it under their account; nobody else sees or answers it.
    let (helper, helper_id) = account(&app, "helper@example.com").await;
    let (stranger, stranger_id) = account(&app, "stranger@example.com").await;
    let mine = app
        .call("GET", "/api/v1/me/tenant-invitations", Some(&helper), None)
        .await;
    assert_eq!(mine.body["items"][0]["id"], made["id"], "{}", mine.body);
    assert_eq!(mine.body["items"][0]["tenant_name"], "Acme");
    let theirs = app
        .call(
            "GET",
            "/api/v1/me/tenant-invitations",
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(theirs.body["items"], json!([]));
    let invitation = id(&made);
    assert_eq!(
        answer(&app, &stranger, invitation, "accept", None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        answer(&app, &stranger, invitation, "decline", None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(&app, &stranger, "GET", "/api/v1/billing/parties").await,
        StatusCode::FORBIDDEN
    );

    // The routes take no body: none or `{}`, nothing else.
    for bad in [json!({"role": "owner"}), json!([]), json!("yes")] {
        let (code, body) = answer(&app, &helper, invitation, "accept", Some(&bad)).await;
        assert!(
            code.is_client_error() && code != StatusCode::NOT_FOUND,
            "{bad}: {code} {body}"
        );
    }
    assert_eq!(
        status(&app, &helper, "GET", "/api/v1/billing/parties").await,
        StatusCode::FORBIDDEN
    );
    let (code, accepted) = answer(&app, &helper, invitation, "accept", Some(&json!({}))).await;
    assert_eq!(
        (code, &accepted["status"]),
        (StatusCode::OK, &json!("accepted")),
        "{accepted}"
    );
    assert_eq!(
        status(&app, &helper, "GET", "/api/v1/billing/parties").await,
        StatusCode::OK
    );
    assert_eq!(
        answer(&app, &helper, invitation, "accept", None).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        answer(&app, &helper, invitation, "decline", None).await.0,
        StatusCode::CONFLICT
    );

    // Staff neither invite nor see invitations nor remove anyone; members are not re-invited.
    let by_staff = app
        .call(
            "POST",
            "/api/v1/tenants/me/invitations",
            Some(&helper),
            Some(&json!({"email": "x@example.com"})),
        )
        .await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN);
    assert_eq!(
        status(&app, &helper, "GET", "/api/v1/tenants/me/invitations").await,
        StatusCode::FORBIDDEN
    );
    let me = app.call("GET", "/api/v1/me", Some(&owner), None).await;
    let owner_id = me.body["user"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{}", me.body));
    assert_eq!(
        status(
            &app,
            &helper,
            "DELETE",
            &format!("/api/v1/tenants/me/staff/{owner_id}")
        )
        .await,
        StatusCode::FORBIDDEN
    );
    let member = app
        .call(
            "POST",
            "/api/v1/tenants/me/invitations",
            Some(&owner),
            Some(&json!({"email": "helper@example.com"})),
        )
        .await;
    assert_eq!(member.status, StatusCode::CONFLICT, "{}", member.body);
    let listed = app
        .call("GET", "/api/v1/tenants/me/invitations", Some(&owner), None)
        .await;
    assert_eq!(
        listed.body["items"][0]["status"], "accepted",
        "{}",
        listed.body
    );

    // The last owner stays; outsiders are not found; staff are removed.
    assert_eq!(
        status(&app, &owner, "POST", "/api/v1/tenants/me/leave").await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        status(
            &app,
            &owner,
            "DELETE",
            &format!("/api/v1/tenants/me/staff/{owner_id}")
        )
        .await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        status(
            &app,
            &owner,
            "DELETE",
            &format!("/api/v1/tenants/me/staff/{stranger_id}")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(
            &app,
            &owner,
            "DELETE",
            &format!("/api/v1/tenants/me/staff/{helper_id}")
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(&app, &helper, "GET", "/api/v1/billing/parties").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(&app, &owner, "GET", "/api/v1/tenants/me").await,
        StatusCode::OK
    );

    // Declining changes nothing but the invitation; staff may leave on their own.
    let declined = invite(&app, &owner, "stranger@example.com").await;
    let (code, body) = answer(&app, &stranger, declined, "decline", Some(&json!({}))).await;
    assert_eq!(
        (code, &body["status"]),
        (StatusCode::OK, &json!("declined"))
    );
    assert_eq!(
        answer(&app, &stranger, declined, "accept", None).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        status(&app, &stranger, "GET", "/api/v1/tenants/me").await,
        StatusCode::FORBIDDEN
    );
    join_as_staff(&app, &owner, "helper@example.com", &helper).await;
    let leave = app
        .call(
            "POST",
            "/api/v1/tenants/me/leave",
            Some(&helper),
            Some(&json!({"now": true})),
        )
        .await;
    assert!(leave.status.is_client_error(), "{}", leave.body);
    assert_eq!(
        status(&app, &helper, "GET", "/api/v1/tenants/me").await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, &helper, "POST", "/api/v1/tenants/me/leave").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(&app, &helper, "GET", "/api/v1/tenants/me").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(&app, &helper, "POST", "/api/v1/tenants/me/leave").await,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn staff_join_only_by_consent_on_sqlite() {
    consent_flow(Backend::Sqlite).await;
}

#[actix_web::test]
async fn staff_join_only_by_consent_on_postgres() {
    consent_flow(Backend::Postgres).await;
}
