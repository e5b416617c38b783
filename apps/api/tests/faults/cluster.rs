//! A throwaway PostgreSQL cluster (never the shared one): `initdb` into a temp
//! dir as the `postgres` user, on a free port; stopped (`-m immediate`) and
//! removed when dropped, also when the test fails. The same approach as the
//! API suite's `realtime_restart.rs`, with stop and start apart.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Must, free_port};

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

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `initdb` and start.
    pub fn create() -> Self {
        let dir = tempfile::tempdir().must();
        let chown = Command::new("chown")
            .args(["postgres:postgres", &dir.path().display().to_string()])
            .status()
            .must();
        assert!(chown.success(), "chown of the cluster dir failed");
        let cluster = Self {
            dir,
            port: free_port(),
        };
        let data = cluster.data().display().to_string();
        as_postgres(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        )
        .must();
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
        as_postgres(
            "pg_ctl",
            &["start", "-w", "-D", &data, "-l", &log, "-o", &opts],
        )
        .must();
    }

    /// `pg_ctl stop -m fast -w`: sessions are terminated, the port closes.
    pub fn stop(&self) {
        let data = self.data().display().to_string();
        as_postgres("pg_ctl", &["stop", "-w", "-m", "fast", "-D", &data]).must();
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
