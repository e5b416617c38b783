//! The durable real-time feed over HTTP on both backends: `GET /events`
//! (scope, paging, expiry) and `GET /ws` (auth, live events, replay with
//! `after`, heartbeat, client frames, two instances on one PostgreSQL).

use std::time::Duration;

use actix_web::http::StatusCode;
use awc::ws;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{id, spawn_app_on};
use crate::jobs_support::{Market, market};
use crate::realtime_support::{Must, connect};
use crate::supply_support::user;

const WAIT: Duration = Duration::from_secs(5);

async fn feed(m: &Market, token: &str, query: &str) -> crate::helpers::Reply {
    m.app
        .call("GET", &format!("/api/v1/events{query}"), Some(token), None)
        .await
}

fn job_updates(items: &Value, job: i64) -> Vec<&Value> {
    items
        .as_array()
        .must()
        .iter()
        .filter(|e| e["type"] == "job.updated" && e["data"]["id"] == job)
        .collect()
}

async fn the_feed_is_scoped_paged_and_expires(backend: Backend) {
    let m = market(backend).await;
    let job = id(&m.book().await);
    let stranger = user(&m.app, "stranger@example.test", "customer").await;
    for token in [&m.customer, &m.provider] {
        let r = feed(&m, token, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(!job_updates(&r.body["items"], job).is_empty(), "{}", r.body);
        let items = r.body["items"].as_array().must();
        let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().must()).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
        assert_eq!(r.body["next_after"], *seqs.last().must());
        assert!(items[0]["at"].as_str().must().contains('T'));
    }
    let r = feed(&m, &stranger, "").await;
    assert_eq!(r.body, json!({"items": [], "next_after": 0}));

    // Paging: one at a time walks the same feed.
    let all = feed(&m, &m.provider, "").await.body["items"].clone();
    let mut after = 0;
    let mut walked = Vec::new();
    loop {
        let r = feed(&m, &m.provider, &format!("?after={after}&limit=1")).await;
        let items = r.body["items"].as_array().must().clone();
        if items.is_empty() {
            assert_eq!(r.body["next_after"], after);
            break;
        }
        after = r.body["next_after"].as_i64().must();
        walked.extend(items);
    }
    assert_eq!(Value::Array(walked), all);
    for bad in ["?after=-1", "?limit=0", "?limit=501", "?after=x"] {
        let r = feed(&m, &m.provider, bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    assert_eq!(
        m.app.call("GET", "/api/v1/events", None, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Expiry: a week-old event is pruned, the newest is kept, a stale `after` is 410.
    m.act(&m.provider, job, "accept", None).await;
    let newest = feed(&m, &m.provider, "").await.body["next_after"]
        .as_i64()
        .must();
    assert!(newest >= 2);
    age_events(&m.app.db).await;
    let pruned = persistence::SqlEventFeed::new(m.app.db.conn().clone());
    let gone =
        effects::feed::EventFeed::prune(&pruned, chrono::Utc::now() - chrono::Duration::days(7))
            .await
            .must();
    assert!(gone > 0);
    let r = feed(&m, &m.provider, "").await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    assert_eq!(r.body["code"], "events_expired");
    let r = feed(&m, &m.provider, &format!("?after={}", newest - 1)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["items"][0]["seq"], newest);
    let status = connect(&m.app, "?after=0", Some(&m.provider)).await.err();
    assert_eq!(status, Some(StatusCode::GONE));
}

/// Makes every stored event a week and more old.
async fn age_events(db: &persistence::Database) {
    use sea_orm::ConnectionTrait;
    let backend = db.conn().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE user_events SET created_at = $1",
        _ => "UPDATE user_events SET created_at = ?",
    };
    let old = chrono::Utc::now() - chrono::Duration::days(8);
    db.conn()
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [old.into()],
        ))
        .await
        .must();
}

#[actix_web::test]
async fn the_feed_is_scoped_paged_and_expires_on_sqlite() {
    the_feed_is_scoped_paged_and_expires(Backend::Sqlite).await;
}

#[actix_web::test]
async fn the_feed_is_scoped_paged_and_expires_on_postgres() {
    if persistence::testing::postgres_url().is_some() {
        the_feed_is_scoped_paged_and_expires(Backend::Postgres).await;
    }
}

async fn sockets_deliver_live_and_replay_exactly_what_was_missed(backend: Backend) {
    let m = market(backend).await;
    assert_eq!(
        connect(&m.app, "", Some("nope")).await.err(),
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        connect(&m.app, "?access_token=nope", None).await.err(),
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        connect(&m.app, "", None).await.err(),
        Some(StatusCode::UNAUTHORIZED)
    );
    let mut customer = connect(&m.app, "", Some(&m.customer)).await.must();
    let query = format!("?access_token={}", m.provider);
    let mut provider = connect(&m.app, &query, None).await.must();
    let booked_job = m.book().await;
    let job = id(&booked_job);
    let thread = booked_job["thread_id"].clone();
    let booked = provider
        .next_json(WAIT)
        .await
        .unwrap_or_else(|| panic!("provider hears of the booking"));
    assert!(booked["seq"].as_i64().must() > 0, "{booked}");
    let before_accept = provider.drain(Duration::from_millis(700)).await;
    let last_seen = before_accept.last().unwrap_or(&booked)["seq"]
        .as_i64()
        .must();
    let _ = customer.drain(Duration::from_millis(300)).await;

    let r = m.act(&m.provider, job, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let live = customer.drain(Duration::from_millis(1500)).await;
    let accepted = live
        .iter()
        .find(|e| e["type"] == "job.updated" && e["data"]["status"] == "in_progress");
    assert!(accepted.is_some(), "{live:?}");
    assert_eq!(accepted.must()["data"]["id"], job);

    // The provider drops; events happen; reconnecting with `after` gets exactly those.
    drop(provider);
    let r = m
        .act(
            &m.customer,
            job,
            "cancel",
            Some(&json!({"reason": "plans changed"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let missed = feed(&m, &m.provider, &format!("?after={last_seen}"))
        .await
        .body["items"]
        .clone();
    assert!(missed.as_array().must().len() >= 2, "{missed}");
    let mut again = connect(&m.app, &format!("?after={last_seen}"), Some(&m.provider))
        .await
        .must();
    let replayed = again.drain(Duration::from_millis(1500)).await;
    assert_eq!(Value::Array(replayed), missed);

    // Client frames: malformed → error with a null id; a send is answered by id.
    again.send(ws::Message::Text("not json".into())).await;
    let e = again.next_json(WAIT).await.must();
    assert_eq!(
        (e["type"].as_str(), &e["id"]),
        (Some("error"), &Value::Null),
        "{e}"
    );
    let send = json!({"type": "message.send", "id": "c-1", "thread_id": "6f1c4a8e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", "body": "hi"});
    again.send(ws::Message::Text(send.to_string().into())).await;
    let e = again.next_json(WAIT).await.must();
    assert_eq!(
        (e["type"].as_str(), &e["id"]),
        (Some("error"), &json!("c-1")),
        "{e}"
    );
    assert_eq!(e["problem"]["status"], 404, "{e}");
    let send =
        json!({"type": "message.send", "id": "c-2", "thread_id": thread, "body": "see you at 9"});
    again.send(ws::Message::Text(send.to_string().into())).await;
    let mut frames = Vec::new();
    while let Some(f) = again.next_json(WAIT).await {
        let ack = f["type"] == "ack";
        frames.push(f);
        if ack {
            break;
        }
    }
    let ack = frames
        .iter()
        .find(|f| f["type"] == "ack")
        .unwrap_or_else(|| panic!("{frames:?}"));
    assert_eq!(
        (&ack["id"], &ack["data"]["body"]),
        (&json!("c-2"), &json!("see you at 9")),
        "{ack}"
    );
}

#[actix_web::test]
async fn sockets_deliver_live_and_replay_exactly_what_was_missed_on_sqlite() {
    sockets_deliver_live_and_replay_exactly_what_was_missed(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sockets_deliver_live_and_replay_exactly_what_was_missed_on_postgres() {
    if persistence::testing::postgres_url().is_some() {
        sockets_deliver_live_and_replay_exactly_what_was_missed(Backend::Postgres).await;
    }
}

#[actix_web::test]
async fn a_socket_that_misses_two_pongs_is_closed() {
    let m = market(Backend::Sqlite).await;
    let b = spawn_app_on(m.app.database_url(), |s| s.realtime.ping_interval_ms = 100).await;
    let mut silent = connect(&b, "", Some(&m.customer)).await.must();
    let mut pings = 0;
    let closed = loop {
        match silent.next_frame(Duration::from_secs(2)).await {
            Some(ws::Frame::Ping(_)) => pings += 1,
            Some(ws::Frame::Close(_)) | None => break true,
            Some(_) => {}
        }
        assert!(pings <= 3, "still open after {pings} unanswered pings");
    };
    assert!(closed && pings >= 2, "{pings}");
    // One that answers stays open.
    let mut alive = connect(&b, "", Some(&m.customer)).await.must();
    assert!(alive.next_json(Duration::from_millis(800)).await.is_none());
    let job = id(&m.book().await);
    let got = alive
        .next_json(WAIT)
        .await
        .unwrap_or_else(|| panic!("still delivering"));
    assert_eq!(got["data"]["id"], job, "{got}");
}

#[actix_web::test]
async fn an_event_caused_on_one_instance_reaches_a_socket_on_another() {
    if persistence::testing::postgres_url().is_none() {
        return;
    }
    let m = market(Backend::Postgres).await;
    // A long fallback poll: only LISTEN/NOTIFY can be that quick.
    let b = spawn_app_on(m.app.database_url(), |s| {
        s.realtime.fallback_poll_ms = 600_000
    })
    .await;
    let mut on_b = connect(&b, "", Some(&m.provider)).await.must();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let booked = m.book().await;
    let job = id(&booked);
    let got = on_b
        .next_json(Duration::from_secs(3))
        .await
        .unwrap_or_else(|| panic!("event via NOTIFY"));
    assert!(
        got["data"]["id"] == job || got["type"] == "notification",
        "{got}"
    );
    // A message posted through instance A reaches the provider's socket on B.
    let thread = booked["thread_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{booked}"));
    let posted = m
        .app
        .call(
            "POST",
            &format!("/api/v1/threads/{thread}/messages"),
            Some(&m.customer),
            Some(&serde_json::json!({"body": "Is 9am fine?"})),
        )
        .await;
    assert_eq!(
        posted.status,
        actix_web::http::StatusCode::CREATED,
        "{}",
        posted.body
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let event = on_b
            .next_json(left)
            .await
            .unwrap_or_else(|| panic!("message.created via NOTIFY on the other instance"));
        if event["type"] == "message.created" {
            assert_eq!(
                event["data"], posted.body,
                "the socket carries the REST answer"
            );
            break;
        }
    }
}
