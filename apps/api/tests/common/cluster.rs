//! A throwaway PostgreSQL cluster (never the shared one): `initdb` into a temp
//! dir as the `postgres` user, on a free port; stopped (`-m immediate`) and
//! removed when dropped, also when the test fails. Both test binaries include
//! this file (`tests/faults/pg_restart.rs`, `tests/api/realtime_restart.rs`).

// Each test binary uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// Whether `initdb` is there (the suite says so and skips otherwise).
pub fn available() -> bool {
    if Path::new(BIN).join("initdb").exists() {
        return true;
    }
    eprintln!("skipped: no initdb under {BIN}");
    false
}

/// A running cluster of our own.
#[derive(Debug)]
pub struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
}

fn as_postgres(program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new("runuser")
        .args(["-u", "postgres", "--", &format!("{BIN}/{program}")])
        .args(args)
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {args:?} failed: {status}"))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("a free port: {e}"))
}

fn must<T>(result: Result<T, String>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `initdb` and start.
    pub fn create() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temp dir: {e}"));
        let chown = Command::new("chown")
            .args(["postgres:postgres", &dir.path().display().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("chown: {e}"));
        assert!(chown.success(), "chown of the cluster dir failed");
        let cluster = Self {
            dir,
            port: free_port(),
        };
        let data = cluster.data().display().to_string();
        must(as_postgres(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        ));
        cluster.start();
        cluster
    }

    /// The cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl start -w`.
    pub fn start(&self) {
        let data = self.data().display().to_string();
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        must(as_postgres(
            "pg_ctl",
            &["start", "-w", "-D", &data, "-l", &log, "-o", &opts],
        ));
    }

    /// `pg_ctl stop -m fast -w`: sessions are terminated, the port closes.
    pub fn stop(&self) {
        let data = self.data().display().to_string();
        must(as_postgres(
            "pg_ctl",
            &["stop", "-w", "-m", "fast", "-D", &data],
        ));
    }

    /// `pg_ctl restart -w -m fast`.
    pub fn restart(&self) {
        let data = self.data().display().to_string();
        must(as_postgres(
            "pg_ctl",
            &["restart", "-w", "-m", "fast", "-D", &data],
        ));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        // Fails harmlessly when already stopped; the temp dir goes after this.
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{BIN}/pg_ctl")])
            .args(["stop", "-m", "immediate", "-D", &data])
            .status();
    }
}
