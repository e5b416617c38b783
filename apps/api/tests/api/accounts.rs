//! Account self-service as a frontend drives it (issue 12), on both backends:
//! every token arrives by e-mail through a local SMTP listener and is read
//! from the delivered message.

use std::time::Duration;

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::email::free_port;
use crate::helpers::{TestApp, spawn_app_with, text};
use crate::jobs_support::market;
use crate::smtp::{self, Inbox};
use crate::supply_support::{PASSWORD, count};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// An app mailing to a fresh local SMTP listener, verified e-mail required.
async fn app_with_mail(backend: Backend) -> (TestApp, Inbox) {
    let port = free_port().await;
    let inbox = smtp::serve(port).await;
    let app = spawn_app_with(backend, |s| {
        s.email.smtp_host = Some("127.0.0.1".into());
        s.email.smtp_port = port;
        s.email.retry_base_ms = 100;
        s.email.poll_interval_ms = 50;
        s.auth.require_verified_email = true;
        s.auth.login_attempts_per_minute_per_email = 100;
        s.server.public_url = "https://app.stm.test/".into();
    })
    .await;
    (app, inbox)
}

/// Waits for the `nth` (0-based) delivered message to `to` that carries a
/// `{path}?token=` link; returns the token.
async fn token_from_mail(inbox: &Inbox, to: &str, path: &str, nth: usize) -> String {
    let marker = format!("https://app.stm.test/{path}?token=");
    for _ in 0..300 {
        // The bodies arrive quoted-printable: undo soft line breaks and `=3D`.
        let messages: Vec<String> = inbox
            .datas()
            .iter()
            .map(|m| m.replace("=\n", "").replace("=3D", "="))
            .collect();
        let found: Vec<String> = messages
            .iter()
            .filter(|m| m.contains(to) && m.contains(&marker))
            .filter_map(|m| {
                let start = m.find(&marker)? + marker.len();
                Some(
                    m[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect(),
                )
            })
            .collect();
        if let Some(token) = found.get(nth) {
            return token.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {path} e-mail #{nth} to {to} arrived");
}

async fn session(app: &TestApp, email: &str, password: &str, agent: &str) -> Value {
    let r = app
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": email, "password": password})),
            &[("user-agent", agent)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.body);
    r.body
}

async fn refreshes(app: &TestApp, session: &Value) -> StatusCode {
    app.post(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": text(session, "refresh_token")}),
    )
    .await
    .status
}

async fn accounts_end_to_end(backend: Backend) {
    let (app, inbox) = app_with_mail(backend).await;
    let pat = app.register("pat@example.com", "provider").await;
    let pat_token = text(&pat, "access_token").to_owned();

    // Unverified: applying as a provider is refused with `email_unverified`.
    let application = json!({
        "business_name": "Pat's Plumbing", "phone": "212-555-0199", "zipcode": "10001",
        "service_ids": [1], "bio": "Pipes."
    });
    let r = app
        .call(
            "POST",
            "/api/v1/providers",
            Some(&pat_token),
            Some(&application),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.body["code"], "email_unverified");
    // An unverified customer cannot book: the use case refuses before it
    // reads anything else (an inquiry likewise: messaging's unit tests).
    let cam = app.register("cam@example.com", "customer").await;
    let cam_token = text(&cam, "access_token").to_owned();
    let booking =
        json!({"provider_id": 1, "service_id": 1, "description": "Leak", "zipcode": "10001"});
    let r = app
        .call("POST", "/api/v1/jobs", Some(&cam_token), Some(&booking))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.body["code"], "email_unverified");

    // The verification e-mail left through SMTP with a link under public_url.
    let token = token_from_mail(&inbox, "pat@example.com", "verify-email", 0).await;
    assert_eq!(token.len(), 43, "256 bits, base64url: {token}");
    let r = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let again = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.body["code"], "token_used");
    let bogus = app
        .post("/api/v1/auth/verify-email", &json!({"token": "nope"}))
        .await;
    assert_eq!(bogus.body["code"], "token_invalid");
    let me = app.get("/api/v1/me", Some(&pat_token)).await;
    assert_eq!(me.body["user"]["email_verified"], true, "{}", me.body);
    let r = app
        .call(
            "POST",
            "/api/v1/providers",
            Some(&pat_token),
            Some(&application),
        )
        .await;
    assert_ne!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Already verified: the resend is accepted and sends nothing.
    let r = app
        .call(
            "POST",
            "/api/v1/auth/resend-verification",
            Some(&pat_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);

    // A resend invalidates the previous link.
    let ann = app.register("ann@example.com", "customer").await;
    let ann_token = text(&ann, "access_token").to_owned();
    let first = token_from_mail(&inbox, "ann@example.com", "verify-email", 0).await;
    let r = app
        .call(
            "POST",
            "/api/v1/auth/resend-verification",
            Some(&ann_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let second = token_from_mail(&inbox, "ann@example.com", "verify-email", 1).await;
    let r = app
        .post("/api/v1/auth/verify-email", &json!({"token": first}))
        .await;
    assert_eq!(r.body["code"], "token_used", "{}", r.body);
    let r = app
        .post("/api/v1/auth/verify-email", &json!({"token": second}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Reset: the same answer whether or not the address exists.
    let known = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "ann@example.com"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "who@example.com"}),
        )
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    let reset = token_from_mail(&inbox, "ann@example.com", "reset-password", 0).await;
    let old_session = session(&app, "ann@example.com", PASSWORD, "old laptop").await;
    // Two racing confirmations: one sets the password, the other is told the link was used.
    let confirm = json!({"token": reset, "new_password": NEW_PASSWORD});
    let (a, b) = tokio::join!(
        app.post("/api/v1/auth/password-reset/confirm", &confirm),
        app.post("/api/v1/auth/password-reset/confirm", &confirm)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::NO_CONTENT, StatusCode::UNPROCESSABLE_ENTITY],
        "{} {}",
        a.body,
        b.body
    );
    assert_eq!(
        refreshes(&app, &old_session).await,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'who@example.com'"
        )
        .await
            == 0
    );

    // Sessions: two sign-ins, the current one marked; another user's id is a 404.
    let phone = session(&app, "ann@example.com", NEW_PASSWORD, "phone").await;
    let laptop = session(&app, "ann@example.com", NEW_PASSWORD, "laptop").await;
    let phone_token = text(&phone, "access_token").to_owned();
    let listed = app.get("/api/v1/me/sessions", Some(&phone_token)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let items = listed.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{}", listed.body);
    let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "phone");
    let laptop_id = items
        .iter()
        .find(|s| s["user_agent"] == "laptop")
        .map(|s| text(s, "id").to_owned())
        .unwrap_or_else(|| panic!("laptop session listed: {}", listed.body));
    let pat_sessions = app.get("/api/v1/me/sessions", Some(&pat_token)).await;
    let pat_session = pat_sessions.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = app
        .call(
            "DELETE",
            &format!("/api/v1/me/sessions/{pat_session}"),
            Some(&phone_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            "DELETE",
            &format!("/api/v1/me/sessions/{laptop_id}"),
            Some(&phone_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(refreshes(&app, &laptop).await, StatusCode::UNAUTHORIZED);

    // Change: the current password is checked; the other sessions end.
    let tablet = session(&app, "ann@example.com", NEW_PASSWORD, "tablet").await;
    let wrong = app
        .call(
            "POST",
            "/api/v1/me/password",
            Some(&phone_token),
            Some(&json!({"current_password": "not it at all", "new_password": PASSWORD})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    let r = app
        .call(
            "POST",
            "/api/v1/me/password",
            Some(&phone_token),
            Some(&json!({"current_password": NEW_PASSWORD, "new_password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(refreshes(&app, &tablet).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refreshes(&app, &phone).await, StatusCode::OK);

    // Export, then leave; the e-mail is free again.
    let export = app.get("/api/v1/me/export", Some(&phone_token)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.body["profile"]["email"], "ann@example.com");
    assert_eq!(export.body["roles"][0]["role"], "customer");
    let r = app
        .call(
            "DELETE",
            "/api/v1/me",
            Some(&phone_token),
            Some(&json!({"password": "wrong one!"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "DELETE",
            "/api/v1/me",
            Some(&phone_token),
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refreshes(&app, &phone).await, StatusCode::UNAUTHORIZED);
    // Its still unexpired access token is void at once.
    let me = app.get("/api/v1/me", Some(&phone_token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{}", me.body);
    assert_eq!(me.body["code"], "session_revoked");
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM users WHERE email LIKE 'deleted-%@deleted.invalid' AND phone IS NULL AND first_name = 'Deleted'").await,
        1
    );
    app.register("ann@example.com", "customer").await;
}

#[actix_web::test]
async fn accounts_end_to_end_on_sqlite() {
    accounts_end_to_end(Backend::Sqlite).await;
}

#[actix_web::test]
async fn accounts_end_to_end_on_postgres() {
    accounts_end_to_end(Backend::Postgres).await;
}

async fn leaving_keeps_what_others_rely_on(backend: Backend) {
    let m = market(backend).await;
    let job = m.book().await;
    let job_id = job["id"].as_i64().unwrap_or_default();
    // Open job: both parties are refused, and told why.
    for (token, who) in [(&m.provider, "provider"), (&m.customer, "customer")] {
        let r = m
            .app
            .call(
                "DELETE",
                "/api/v1/me",
                Some(token),
                Some(&json!({"password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{who}: {}", r.body);
        assert_eq!(r.body["code"], "account_in_use");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("1 open job"),
            "{}",
            r.body
        );
    }
    let r = m
        .act(
            &m.customer,
            job_id,
            "cancel",
            Some(&json!({"reason": "changed plans"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = m
        .app
        .call(
            "DELETE",
            "/api/v1/me",
            Some(&m.customer),
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The provider still sees the job, under the anonymised customer.
    let r = m
        .app
        .get(&format!("/api/v1/jobs/{job_id}"), Some(&m.provider))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        count(
            &m.app,
            &format!("SELECT COUNT(*) AS n FROM jobs WHERE id = {job_id}")
        )
        .await,
        1
    );

    // A sole owner's tenant is closed, its records kept; its pending
    // invitation can no longer bring anyone in.
    let owner = m.app.tenant_owner("solo@example.com", "solo-co").await;
    m.app
        .create(
            &owner,
            "/api/v1/tenants/me/invitations",
            json!({"email": "helper@example.com"}),
        )
        .await;
    let r = m
        .app
        .call(
            "DELETE",
            "/api/v1/me",
            Some(&owner),
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM tenants WHERE slug = 'solo-co' AND closed_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM tenant_invitations WHERE email = 'helper@example.com' AND status = 'revoked'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn leaving_keeps_what_others_rely_on_sqlite() {
    leaving_keeps_what_others_rely_on(Backend::Sqlite).await;
}

#[actix_web::test]
async fn leaving_keeps_what_others_rely_on_postgres() {
    leaving_keeps_what_others_rely_on(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_wrong_current_password_counts_toward_the_login_throttle() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.login_attempts_per_minute_per_email = 3;
    })
    .await;
    let ann = app.register("ann@example.com", "customer").await;
    let token = text(&ann, "access_token").to_owned();
    let wrong = json!({"current_password": "not the password", "new_password": NEW_PASSWORD});
    for _ in 0..3 {
        let r = app
            .call("POST", "/api/v1/me/password", Some(&token), Some(&wrong))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.header("retry-after").is_some());
}
