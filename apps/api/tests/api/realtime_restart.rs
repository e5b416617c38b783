//! The `LISTEN` connection survives a database restart: on a throwaway
//! PostgreSQL cluster this test creates (never the shared one), a socket
//! still receives an event caused after `pg_ctl restart`, and the pool hands
//! out no dead connection once the database is back.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use actix_web::http::StatusCode;

use crate::helpers::{id, spawn_app_on};
use crate::realtime_support::{Must, connect, market_on, with_admin};

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A cluster in a temp dir on a free port, stopped on drop.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
}

fn as_postgres(program: &str, args: &[&str]) {
    let status = Command::new("runuser")
        .args(["-u", "postgres", "--", &format!("{BIN}/{program}")])
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start() -> Self {
        let dir = tempfile::tempdir().must();
        let chown = Command::new("chown")
            .args(["postgres:postgres", &dir.path().display().to_string()])
            .status()
            .must();
        assert!(chown.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .must()
            .local_addr()
            .must()
            .port();
        let cluster = Self { dir, port };
        let data = cluster.data().display().to_string();
        as_postgres(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("log").display().to_string();
        as_postgres(
            "pg_ctl",
            &["start", "-w", "-D", &data, "-l", &log, "-o", &opts],
        );
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn restart(&self) {
        let data = self.data().display().to_string();
        as_postgres("pg_ctl", &["restart", "-w", "-m", "fast", "-D", &data]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{BIN}/pg_ctl")])
            .args(["stop", "-m", "immediate", "-D", &data])
            .status();
    }
}

#[actix_web::test]
async fn a_socket_still_receives_events_after_the_database_restarts() {
    if !Path::new(BIN).join("initdb").exists() {
        eprintln!("skipped: no initdb under {BIN}");
        return;
    }
    let cluster = Cluster::start();
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
