//! `kill -9` of the server under a write load, then a restart on the same
//! database: every write the server acknowledged (2xx) is there.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Launch, Must, column, database, eventually, postgres_configured};

/// Concurrent writers.
const WRITERS: usize = 8;
/// Acknowledged writes after which the server is killed.
const KILL_AFTER: usize = 300;

#[derive(Debug, Default)]
struct Tally {
    /// Ids of the parties acknowledged with 201.
    acked: Vec<i64>,
    /// Answers other than 201 (none expected before the kill).
    refused: Vec<String>,
    /// Requests that got no answer (the kill).
    unanswered: usize,
}

async fn acknowledged_writes_survive(postgres: bool) {
    let dir = tempfile::tempdir().must();
    let (url, _guard) = database(postgres, dir.path()).await;
    let launch = Launch::new(&url, dir.path()).set("JOBS__ENABLED", false);
    let mut server = launch.start("server").await;
    let (token, tenant) = server.tenant_owner("owner@example.com", "acme").await;

    let tally = Rc::new(RefCell::new(Tally::default()));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (tally, token, address) = (tally.clone(), token.clone(), server.address.clone());
        writers.push(actix_web::rt::spawn(async move {
            for i in 0.. {
                let body = json!({"kind": "person", "display_name": format!("Writer {w} #{i}")});
                let r = crate::support::send(
                    &address,
                    "POST",
                    "/api/v1/billing/parties",
                    Some(&token),
                    Some(&body),
                )
                .await;
                let mut tally = tally.borrow_mut();
                match r {
                    Ok(r) if r.status == 201 => tally.acked.push(r.body["id"].as_i64().must()),
                    Ok(r) => tally.refused.push(format!("{} {}", r.status, r.body)),
                    Err(_) => {
                        tally.unanswered += 1;
                        return;
                    }
                }
            }
        }));
    }
    let started = Instant::now();
    let loaded = eventually(Duration::from_secs(60), || {
        let n = tally.borrow().acked.len();
        async move { n >= KILL_AFTER }
    })
    .await;
    assert!(loaded, "the load did not reach {KILL_AFTER} writes");
    server.kill9();
    let load_secs = started.elapsed().as_secs_f64();
    for writer in writers {
        writer.await.must();
    }
    let tally = tally.take();
    assert!(tally.refused.is_empty(), "refused: {:?}", tally.refused);

    // Restart on the same database and data folder.
    let restarted_at = Instant::now();
    let server = launch.start("server").await;
    let serving = restarted_at.elapsed().as_secs_f64();
    let rows = column(
        &url,
        &format!("SELECT id FROM parties WHERE tenant_id = {tenant} ORDER BY id"),
    )
    .await;
    let missing: Vec<i64> = tally
        .acked
        .iter()
        .copied()
        .filter(|id| rows.binary_search(id).is_err())
        .collect();
    eprintln!(
        "faults/kill -9 ({}): {} writes acknowledged in {load_secs:.1} s, {} unanswered at the kill; \
         {} rows found after the restart ({} missing); serving again {serving:.1} s after the restart",
        if postgres { "PostgreSQL" } else { "SQLite" },
        tally.acked.len(),
        tally.unanswered,
        rows.len(),
        missing.len()
    );
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    // Only writes in flight at the kill may exist without an acknowledgement.
    assert!(
        rows.len() <= tally.acked.len() + WRITERS,
        "{} rows for {} acknowledged writes",
        rows.len(),
        tally.acked.len()
    );
    // The restarted server serves them, and takes new writes.
    let last = tally.acked.last().must();
    let read = server
        .call(
            "GET",
            &format!("/api/v1/billing/parties/{last}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    server
        .ok(
            "POST",
            "/api/v1/billing/parties",
            Some(&token),
            json!({"kind": "person", "display_name": "After the restart"}),
        )
        .await;
}

#[actix_web::test]
async fn acknowledged_writes_survive_kill_9_on_sqlite() {
    acknowledged_writes_survive(false).await;
}

#[actix_web::test]
async fn acknowledged_writes_survive_kill_9_on_postgres() {
    if !postgres_configured() {
        return;
    }
    acknowledged_writes_survive(true).await;
}
