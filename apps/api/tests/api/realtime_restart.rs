//! The `LISTEN` connection survives a database restart: on a throwaway
//! PostgreSQL cluster this test creates (never the shared one), a socket
//! still receives an event caused after `pg_ctl restart`, and the pool hands
//! out no dead connection once the database is back.

use std::time::Duration;

use actix_web::http::StatusCode;

use crate::cluster::{self, Cluster};
use crate::helpers::{id, spawn_app_on};
use crate::realtime_support::{Must, connect, market_on, with_admin};

#[actix_web::test]
async fn a_socket_still_receives_events_after_the_database_restarts() {
    if !cluster::available() {
        return;
    }
    let cluster = Cluster::create();
    // A fallback poll far away: only a re-established LISTEN can deliver in time.
    let app = spawn_app_on(&cluster.url(), |s| {
        with_admin(s);
        s.realtime.fallback_poll_ms = 600_000;
    })
    .await;
    let m = market_on(app).await;
    let mut socket = connect(&m.app, "", Some(&m.provider)).await.must();

    cluster.restart();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The database is back: the pool's dead connections (idle through the
    // restart) are found before use, so no request after it fails — a read
    // without a retry of its own, then search.
    for path in ["/api/v1/jobs", "/api/v1/search?q=dog-walking&zipcode=10001"] {
        for _ in 0..10 {
            let r = m.app.call("GET", path, Some(&m.customer), None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
    }
    let mut job = None;
    for _ in 0..20 {
        let r = m
            .app
            .call(
                "POST",
                "/api/v1/jobs",
                Some(&m.customer),
                Some(&m.booking()),
            )
            .await;
        if r.status == StatusCode::CREATED {
            job = Some(id(&r.body));
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let job = job.unwrap_or_else(|| panic!("booking works again after the restart"));
    let events = socket.drain(Duration::from_secs(3)).await;
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "job.updated" && e["data"]["id"] == job),
        "{events:?}"
    );
}
