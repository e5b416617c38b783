//! PostgreSQL stopped and started under load, the server left running: while
//! the database is down a request waits at most the pool's 5 s acquire
//! timeout and gets a 503 problem with `Retry-After` (never a 500, a dropped
//! connection or a hang; one caught mid-statement by the shutdown gets it at
//! once), and within 5 s of the database coming back every kind of request
//! succeeds again.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cluster::{self, Cluster};
use crate::support::{Launch, Must, Reply, send};

/// Concurrent clients.
const CLIENTS: usize = 6;
/// An answer slower than this is a hang (the pool gives up acquiring after 5 s;
/// the rest is margin for a loaded CI machine).
const SLOWEST: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct Outcome {
    at: Instant,
    took: Duration,
    what: String,
    answer: Result<Reply, String>,
}

/// The requests each client cycles through: reads and writes of the back
/// office, an account read and search.
fn request(i: usize) -> (&'static str, String, Option<serde_json::Value>) {
    match i % 4 {
        0 => (
            "POST",
            "/api/v1/billing/parties".into(),
            Some(json!({"kind": "organization", "display_name": format!("Client {i}")})),
        ),
        1 => ("GET", "/api/v1/billing/parties".into(), None),
        2 => ("GET", "/api/v1/me".into(), None),
        _ => (
            "GET",
            "/api/v1/search?q=dog-walking&zipcode=10001".into(),
            None,
        ),
    }
}

#[actix_web::test]
async fn postgres_down_gives_503_problems_then_service_resumes_within_5_s() {
    if !cluster::available() {
        return;
    }
    let cluster = Arc::new(Cluster::create());
    let dir = tempfile::tempdir().must();
    let launch = Launch::new(&cluster.url(), dir.path()).set("JOBS__ENABLED", false);
    let server = launch.start("server").await;
    let (token, _) = server.tenant_owner("owner@example.com", "acme").await;

    let outcomes: Rc<RefCell<Vec<Outcome>>> = Rc::default();
    let running = Rc::new(std::cell::Cell::new(true));
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (outcomes, running) = (outcomes.clone(), running.clone());
        let (address, token) = (server.address.clone(), token.clone());
        clients.push(actix_web::rt::spawn(async move {
            let mut i = c;
            while running.get() {
                let (method, path, body) = request(i);
                let at = Instant::now();
                let answer = send(&address, method, &path, Some(&token), body.as_ref()).await;
                outcomes.borrow_mut().push(Outcome {
                    at,
                    took: at.elapsed(),
                    what: format!("{method} {path}"),
                    answer,
                });
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(1)).await;
    let stop = Instant::now();
    blocking(&cluster, Cluster::stop).await;
    let down = Instant::now();
    // Down longer than the pool's 5 s acquire timeout: every client is answered.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let up_started = Instant::now();
    blocking(&cluster, Cluster::start).await;
    let up = Instant::now();
    // Every kind of request works again within 5 s of the database accepting connections.
    let mut recovered = Duration::ZERO;
    for i in 0..4 {
        let (method, path, body) = request(i);
        loop {
            let r = send(&server.address, method, &path, Some(&token), body.as_ref()).await;
            if r.as_ref().is_ok_and(|r| r.status / 100 == 2) {
                break;
            }
            assert!(
                r.as_ref().is_ok_and(|r| r.status == 503),
                "{method} {path} after the database came back: {r:?}"
            );
            assert!(
                up.elapsed() < Duration::from_secs(5),
                "{method} {path} still fails {:?} after the database came back: {r:?}",
                up.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        recovered = recovered.max(up.elapsed());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    running.set(false);
    for client in clients {
        client.await.must();
    }

    let outcomes = outcomes.take();
    let mut ok = 0;
    let mut unavailable_while_down = 0;
    let mut slowest = Duration::ZERO;
    for o in &outcomes {
        let r = o
            .answer
            .as_ref()
            .unwrap_or_else(|e| panic!("{} got no answer ({e}) after {:?}", o.what, o.took));
        assert!(o.took < SLOWEST, "{} took {:?}", o.what, o.took);
        slowest = slowest.max(o.took);
        match r.status {
            200..=299 => ok += 1,
            503 => {
                assert_eq!(r.content_type, "application/problem+json", "{r:?}");
                assert!(r.retry_after.is_some(), "503 without Retry-After: {r:?}");
                assert_eq!(r.body["status"], 503, "{r:?}");
                // Answered between the stop and the start: the outage itself
                // (requests waiting on the pool across the start succeed instead).
                let answered = o.at + o.took;
                if answered >= stop && answered <= up_started {
                    unavailable_while_down += 1;
                }
            }
            _ => panic!(
                "{} answered {} {}; the server's errors: {:?}",
                o.what,
                r.status,
                r.body,
                server
                    .log_lines()
                    .iter()
                    .filter(|l| l["level"] == "ERROR")
                    .map(|l| l["error"].to_string())
                    .collect::<BTreeSet<_>>()
            ),
        }
    }
    eprintln!(
        "faults/postgres restart: {} requests ({ok} 2xx, {unavailable_while_down} 503 while down); \
         stop took {:.1} s; every route served again {:.2} s after the database was back; slowest answer {:.1} s",
        outcomes.len(),
        (down - stop).as_secs_f64(),
        recovered.as_secs_f64(),
        slowest.as_secs_f64()
    );
    assert!(
        unavailable_while_down >= CLIENTS,
        "only {unavailable_while_down} answers while the database was down"
    );
    // Something still got done after the outage, through the same pool.
    let after = outcomes
        .iter()
        .filter(|o| o.at >= up && o.answer.as_ref().is_ok_and(|r| r.status / 100 == 2))
        .count();
    assert!(after > 0, "no request succeeded after the restart");
}

/// Runs a `pg_ctl` step on the blocking pool, so the clients keep going meanwhile.
async fn blocking(cluster: &Arc<Cluster>, step: fn(&Cluster)) {
    let cluster = cluster.clone();
    tokio::task::spawn_blocking(move || step(&cluster))
        .await
        .must();
}
