//! Sockets and bearer tokens follow their authority (issue 17, items 1 and 2):
//! a logout, a revoked session, a password change, a closed or banned account
//! end the session's sockets (4001, 4003) and its access tokens (401
//! `session_revoked`, 403 `account_disabled`) at once on the instance that
//! revoked and within 2 s on another; an unrenewed token's socket closes at
//! `exp` (4002); a user's sockets per instance are bounded (4008).

use std::time::Duration;

use actix_web::http::StatusCode;
use awc::ws;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_on, spawn_app_with, text};
use crate::realtime_support::{Socket, connect, market_on, with_admin};
use crate::supply_support::PASSWORD;

/// A fresh sign-in of `email`: (access token, refresh token).
async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.body);
    (
        text(&r.body, "access_token").to_owned(),
        text(&r.body, "refresh_token").to_owned(),
    )
}

/// The close code the socket ends with within `wait` (events are skipped).
async fn close_code(socket: &mut Socket, wait: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match socket.next_frame(left).await? {
            ws::Frame::Close(reason) => return reason.map(|r| u16::from(r.code)),
            ws::Frame::Ping(bytes) => socket.send(ws::Message::Pong(bytes)).await,
            _ => {}
        }
    }
}

async fn open(app: &TestApp, token: &str) -> Socket {
    connect(app, "", Some(token))
        .await
        .unwrap_or_else(|s| panic!("ws refused: {s}"))
}

async fn me(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let r = app.get("/api/v1/me", Some(token)).await;
    (r.status, r.body)
}

async fn a_session_ended_ends_its_sockets_and_tokens(backend: Backend) {
    let app = spawn_app_with(backend, with_admin).await;
    let m = market_on(app).await;
    let app = &m.app;
    let email = "customer@example.test";
    let (phone, phone_refresh) = sign_in(app, email).await;
    let (laptop, _) = sign_in(app, email).await;
    let mut phone_socket = open(app, &phone).await;
    let mut laptop_socket = open(app, &laptop).await;

    // Logout: the phone's socket closes 4001 and its token is void everywhere.
    let r = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": phone_refresh}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        close_code(&mut phone_socket, Duration::from_secs(2)).await,
        Some(4001)
    );
    let (status, body) = me(app, &phone).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "session_revoked");
    let r = app
        .call("POST", "/api/v1/jobs", Some(&phone), Some(&m.booking()))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(
        connect(app, "", Some(&phone)).await.is_err(),
        "a revoked token opens no socket"
    );
    // The other session is untouched.
    assert_eq!(me(app, &laptop).await.0, StatusCode::OK);

    // A password change keeps the caller's own session and ends the others.
    let (tablet, _) = sign_in(app, email).await;
    let mut tablet_socket = open(app, &tablet).await;
    let r = app
        .call(
            "POST",
            "/api/v1/me/password",
            Some(&laptop),
            Some(&json!({"current_password": PASSWORD, "new_password": "a brand new secret"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        close_code(&mut tablet_socket, Duration::from_secs(2)).await,
        Some(4001)
    );
    assert_eq!(me(app, &tablet).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(app, &laptop).await.0, StatusCode::OK);
    assert_eq!(
        close_code(&mut laptop_socket, Duration::from_millis(700)).await,
        None,
        "the caller's own socket stays"
    );

    // Closing the account ends the last session; a frame sent after is not acted on.
    let r = app
        .send(
            "DELETE",
            "/api/v1/me",
            Some(&laptop),
            Some(&json!({"password": "a brand new secret"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        close_code(&mut laptop_socket, Duration::from_secs(2)).await,
        Some(4001)
    );
    let (status, body) = me(app, &laptop).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "session_revoked");
}

#[actix_web::test]
async fn a_session_ended_ends_its_sockets_and_tokens_on_sqlite() {
    a_session_ended_ends_its_sockets_and_tokens(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_session_ended_ends_its_sockets_and_tokens_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_session_ended_ends_its_sockets_and_tokens(Backend::Postgres).await;
}

async fn a_ban_and_a_revoked_session_end_sockets(backend: Backend) {
    let app = spawn_app_with(backend, with_admin).await;
    let m = market_on(app).await;
    let app = &m.app;
    // DELETE /me/sessions/{id} from another session.
    let (a, _) = sign_in(app, "customer@example.test").await;
    let (b, _) = sign_in(app, "customer@example.test").await;
    let mut socket_a = open(app, &a).await;
    let sessions = app.get("/api/v1/me/sessions", Some(&b)).await;
    let items = sessions.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let a_id = items
        .iter()
        .filter(|s| s["current"] == false)
        .map(|s| text(s, "id").to_owned())
        .collect::<Vec<_>>();
    for id in a_id {
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/me/sessions/{id}"),
                Some(&b),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    assert_eq!(
        close_code(&mut socket_a, Duration::from_secs(2)).await,
        Some(4001)
    );
    assert_eq!(me(app, &a).await.0, StatusCode::UNAUTHORIZED);

    // A ban: 4003 on the socket, 403 account_disabled on every route.
    let mut provider_socket = open(app, &m.provider).await;
    let base = format!("/api/v1/lsm/providers/{}", m.provider_id);
    let asked = app
        .call(
            "POST",
            &format!("{base}/ban-requests"),
            Some(&m.lsm),
            Some(&json!({"reason": "fraud"})),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let ban = asked.body["id"].as_i64().unwrap_or_default();
    let decided = app
        .call(
            "POST",
            &format!("/api/v1/admin/ban-requests/{ban}/approve"),
            Some(&m.admin),
            None,
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert_eq!(
        close_code(&mut provider_socket, Duration::from_secs(2)).await,
        Some(4003)
    );
    let (status, body) = me(app, &m.provider).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "account_disabled");
}

#[actix_web::test]
async fn a_ban_and_a_revoked_session_end_sockets_on_sqlite() {
    a_ban_and_a_revoked_session_end_sockets(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_ban_and_a_revoked_session_end_sockets_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_ban_and_a_revoked_session_end_sockets(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_socket_refuses_foreign_tokens_and_closes_at_exp() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        with_admin(s);
        s.auth.access_ttl_secs = 3;
    })
    .await;
    let m = market_on(app).await;
    let app = &m.app;
    let (first, _) = sign_in(app, "customer@example.test").await;
    let mut renewed = open(app, &first).await;
    let mut lapsing = open(app, &first).await;
    // Another user's token and a garbage token are refused and change nothing.
    for (token, id) in [(m.provider.as_str(), "x1"), ("nonsense", "x2")] {
        renewed
            .send(ws::Message::Text(
                json!({"type": "auth", "id": id, "access_token": token})
                    .to_string()
                    .into(),
            ))
            .await;
        let answer = renewed
            .next_json(Duration::from_secs(2))
            .await
            .unwrap_or_default();
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(answer["id"], id);
    }
    // A token of another session of the same user is refused too.
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "customer@example.test", "password": PASSWORD}),
        )
        .await;
    let other_session = text(&login.body, "access_token").to_owned();
    renewed
        .send(ws::Message::Text(
            json!({"type": "auth", "id": "other", "access_token": other_session})
                .to_string()
                .into(),
        ))
        .await;
    let answer = renewed
        .next_json(Duration::from_secs(2))
        .await
        .unwrap_or_default();
    assert_eq!(answer["type"], "error", "another session's token: {answer}");
    assert_eq!(
        close_code(&mut lapsing, Duration::from_secs(6)).await,
        Some(4002),
        "closed at exp"
    );
    assert_eq!(
        close_code(&mut renewed, Duration::from_secs(3)).await,
        Some(4002)
    );
}

#[actix_web::test]
async fn an_auth_frame_with_the_sessions_next_token_extends_the_socket() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        with_admin(s);
        s.auth.access_ttl_secs = 4;
    })
    .await;
    let m = market_on(app).await;
    let app = &m.app;
    let (access, refresh) = sign_in(app, "customer@example.test").await;
    let mut socket = open(app, &access).await;
    let opened = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let next = text(&r.body, "access_token").to_owned();
    socket
        .send(ws::Message::Text(
            json!({"type": "auth", "id": "r1", "access_token": next})
                .to_string()
                .into(),
        ))
        .await;
    let ack = socket
        .next_json(Duration::from_secs(2))
        .await
        .unwrap_or_default();
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["id"], "r1");
    assert!(ack["data"]["expires_at"].is_string(), "{ack}");
    // Past the first token's exp (4 s after opening) the socket lives on...
    let past_first = (opened + Duration::from_millis(4600))
        .saturating_duration_since(tokio::time::Instant::now());
    assert_eq!(close_code(&mut socket, past_first).await, None);
    // ...until the renewed token's.
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(5)).await,
        Some(4002)
    );
}

#[actix_web::test]
async fn sockets_beyond_the_per_user_limit_are_closed_with_4008() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        with_admin(s);
        s.realtime.max_sockets_per_user = 2;
    })
    .await;
    let m = market_on(app).await;
    let _one = open(&m.app, &m.customer).await;
    let _two = open(&m.app, &m.customer).await;
    let mut three = open(&m.app, &m.customer).await;
    assert_eq!(
        close_code(&mut three, Duration::from_secs(2)).await,
        Some(4008)
    );
    // Another user is not affected.
    let mut other = open(&m.app, &m.provider).await;
    assert_eq!(
        close_code(&mut other, Duration::from_millis(500)).await,
        None
    );
}

#[actix_web::test]
async fn a_revocation_on_one_instance_holds_on_another_within_two_seconds() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let a = spawn_app_with(Backend::Postgres, with_admin).await;
    let b = spawn_app_on(a.database_url(), with_admin).await;
    let m = market_on(a).await;
    let (token, refresh) = sign_in(&b, "customer@example.test").await;
    let mut socket_on_b = open(&b, &token).await;
    assert_eq!(me(&b, &token).await.0, StatusCode::OK);
    let r = m
        .app
        .post("/api/v1/auth/logout", &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        me(&m.app, &token).await.0,
        StatusCode::UNAUTHORIZED,
        "at once here"
    );
    assert_eq!(
        close_code(&mut socket_on_b, Duration::from_secs(2)).await,
        Some(4001),
        "within 2 s on the other instance"
    );
    assert_eq!(me(&b, &token).await.0, StatusCode::UNAUTHORIZED);
}

/// The events channel carries revocations: instance B polls the log only
/// hourly, so its socket can only close this fast because B heard the
/// `NOTIFY` sent at A's commit.
#[actix_web::test]
async fn another_instance_hears_a_revocation_on_the_events_channel() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let a = spawn_app_with(Backend::Postgres, with_admin).await;
    let b = spawn_app_on(a.database_url(), |s| {
        with_admin(s);
        s.realtime.revocation_poll_ms = 3_600_000;
    })
    .await;
    let m = market_on(a).await;
    let (token, refresh) = sign_in(&b, "customer@example.test").await;
    let mut socket_on_b = open(&b, &token).await;
    // The poll's first tick is immediate: let it pass before the revocation.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = m
        .app
        .post("/api/v1/auth/logout", &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        close_code(&mut socket_on_b, Duration::from_secs(2)).await,
        Some(4001),
        "heard on the channel, not polled"
    );
    assert_eq!(me(&b, &token).await.0, StatusCode::UNAUTHORIZED);
}
