//! A client that cannot keep up is disconnected, not buffered without bound.

use std::time::Duration;

use persistence::Backend;
use sea_orm::ConnectionTrait;

use crate::helpers::spawn_app_with;
use crate::realtime_support::{Must, connect, market_on, with_admin};

/// Events stored for one user: far more than socket buffers hold.
const BACKLOG: i64 = 20_000;

#[actix_web::test]
async fn a_client_that_cannot_keep_up_is_disconnected() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        with_admin(s);
        s.realtime.queue_frames = 8;
        s.realtime.send_timeout_ms = 500;
    })
    .await;
    let m = market_on(app).await;
    let me = m.app.get("/api/v1/me", Some(&m.customer)).await;
    let user = me.body["id"]
        .as_i64()
        .or(me.body["user"]["id"].as_i64())
        .must();
    // 20,000 events of 2 KiB each (40 MiB) for the customer, written directly.
    let pad = "x".repeat(2048);
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {BACKLOG}) \
         INSERT INTO user_events (user_id, seq, kind, data, created_at) \
         SELECT {user}, 1000 + i, 'notification', '{{\"pad\":\"{pad}\"}}', \
         strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') FROM n"
    );
    m.app.db.conn().execute_unprepared(&sql).await.must();

    // Connect, replay from the start, and read nothing for a while.
    let mut socket = connect(&m.app, "?after=1000", Some(&m.customer))
        .await
        .must();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut received = 0_i64;
    while let Some(frame) = socket.next_json(Duration::from_secs(5)).await {
        if frame["seq"].is_i64() {
            received += 1;
        }
    }
    // The server gave up on the client instead of queueing 40 MiB for it;
    // it resumes with `after` from the last seq it saw.
    assert!(received > 0, "nothing was delivered");
    assert!(
        received < BACKLOG,
        "all {received} events were buffered for a client that read nothing"
    );

    // A client that does read gets a backlog far larger than the queue, whole.
    let me = m.app.get("/api/v1/me", Some(&m.provider)).await;
    let provider = me.body["id"]
        .as_i64()
        .or(me.body["user"]["id"].as_i64())
        .must();
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) \
         INSERT INTO user_events (user_id, seq, kind, data, created_at) \
         SELECT {provider}, 1000 + i, 'notification', '{{}}', \
         strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') FROM n"
    );
    m.app.db.conn().execute_unprepared(&sql).await.must();
    let mut reader = connect(&m.app, "?after=1000", Some(&m.provider))
        .await
        .must();
    let mut last = 1000;
    while let Some(frame) = reader.next_json(Duration::from_secs(2)).await {
        if let Some(seq) = frame["seq"].as_i64() {
            assert_eq!(seq, last + 1, "no gap, no duplicate");
            last = seq;
        }
    }
    assert_eq!(last, 1500, "a reading client receives its whole backlog");
}
