//! The chat post quota (issue 17): `chat_posts_per_minute` (30) per user,
//! REST and socket together; the next post is 429 `quota_exceeded` with
//! `Retry-After` over REST and an `error` frame with the same problem and
//! `retry_after` on the socket. Other users are not affected.

use std::time::Duration;

use actix_web::http::StatusCode;
use awc::ws;
use persistence::Backend;
use serde_json::{Value, json};

use crate::jobs_support::{Market, market};
use crate::realtime_support::{Must, Socket, connect};
use crate::supply_support::count;

const WAIT: Duration = Duration::from_secs(5);

async fn rest_post(m: &Market, token: &str, thread: &str, body: &str) -> crate::helpers::Reply {
    m.app
        .call(
            "POST",
            &format!("/api/v1/threads/{thread}/messages"),
            Some(token),
            Some(&json!({ "body": body })),
        )
        .await
}

/// Sends `message.send` and returns the answer with that id (ack or error).
async fn socket_post(socket: &mut Socket, id: &str, thread: &str) -> Value {
    let send = json!({"type": "message.send", "id": id, "thread_id": thread, "body": id});
    socket
        .send(ws::Message::Text(send.to_string().into()))
        .await;
    loop {
        let frame = socket.next_json(WAIT).await.must();
        if frame["id"] == id && (frame["type"] == "ack" || frame["type"] == "error") {
            return frame;
        }
    }
}

async fn posts_beyond_the_minute_quota_are_refused_on_both_routes(backend: Backend) {
    let m = market(backend).await;
    let job = m.book().await;
    let thread = job["thread_id"].as_str().must().to_owned();
    for i in 0..20 {
        let r = rest_post(&m, &m.customer, &thread, &format!("rest {i}")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{i}: {}", r.body);
    }
    let mut socket = connect(&m.app, "", Some(&m.customer)).await.must();
    for i in 0..10 {
        let answer = socket_post(&mut socket, &format!("ws-{i}"), &thread).await;
        assert_eq!(answer["type"], "ack", "{answer}");
    }
    // The 31st within the minute, by either route.
    let refused = socket_post(&mut socket, "ws-over", &thread).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["problem"]["code"], "quota_exceeded", "{refused}");
    assert_eq!(refused["problem"]["status"], 429, "{refused}");
    let retry = refused["retry_after"].as_u64().must();
    assert!((1..=60).contains(&retry), "{refused}");
    let r = rest_post(&m, &m.customer, &thread, "one more").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.body["code"], "quota_exceeded", "{}", r.body);
    let header: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).must();
    assert!((1..=60).contains(&header), "{header}");
    let sql = "SELECT COUNT(*) AS n FROM messages WHERE body IN ('one more', 'ws-over')";
    assert_eq!(count(&m.app, sql).await, 0, "a refused post is not stored");
    // The quota is the sender's: the provider still answers in the same thread.
    let answer = rest_post(&m, &m.provider, &thread, "on my way").await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[actix_web::test]
async fn posts_beyond_the_minute_quota_are_refused_on_both_routes_on_sqlite() {
    posts_beyond_the_minute_quota_are_refused_on_both_routes(Backend::Sqlite).await;
}

#[actix_web::test]
async fn posts_beyond_the_minute_quota_are_refused_on_both_routes_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    posts_beyond_the_minute_quota_are_refused_on_both_routes(Backend::Postgres).await;
}

/// 40 posts of one customer at once: the quota is counted under the
/// sender's lock, so exactly 30 are stored and 10 refused.
async fn racing_posts_never_exceed_the_quota(backend: Backend) {
    let m = market(backend).await;
    let job = m.book().await;
    let thread = job["thread_id"].as_str().must().to_owned();
    let bodies: Vec<String> = (0..40).map(|i| format!("race {i}")).collect();
    let replies = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| rest_post(&m, &m.customer, &thread, body)),
    )
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS && r.body["code"] == "quota_exceeded")
        .count();
    assert_eq!(
        (created, refused),
        (30, 10),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let sql = "SELECT COUNT(*) AS n FROM messages WHERE body LIKE 'race %'";
    assert_eq!(count(&m.app, sql).await, 30);
}

#[actix_web::test]
async fn racing_posts_never_exceed_the_quota_on_sqlite() {
    racing_posts_never_exceed_the_quota(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_posts_never_exceed_the_quota_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_posts_never_exceed_the_quota(Backend::Postgres).await;
}
