//! The real `stm-api` binary as a child process, a small HTTP client, direct
//! database reads and the JSON log the server writes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// The JWT key every server of a test shares (tokens survive restarts).
pub const JWT_SECRET: &str = "faults-secret-faults-secret-faults!!";
/// The bootstrap admin of servers that ask for one.
pub const ADMIN_EMAIL: &str = "admin@stm.test";
/// Every account's password.
pub const PASSWORD: &str = "correct horse battery";

/// A value, or a panic failing the test.
pub trait Must<T> {
    /// The value, or a panic naming the error.
    fn must(self) -> T;
}

impl<T> Must<T> for Option<T> {
    fn must(self) -> T {
        self.unwrap_or_else(|| panic!("expected a value"))
    }
}

impl<T, E: std::fmt::Debug> Must<T> for Result<T, E> {
    fn must(self) -> T {
        self.unwrap_or_else(|e| panic!("{e:?}"))
    }
}

/// A running `stm-api` process; killed (SIGKILL) when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Its JSON log (stdout and stderr), appended across restarts.
    pub log: PathBuf,
    /// Where the log of this start begins.
    log_start: u64,
}

/// What a server is started with: database, data folder, extra `STM__*` settings.
#[derive(Debug, Clone)]
pub struct Launch {
    /// `database.url`.
    pub database_url: String,
    /// `storage.data_dir` (the log is written there too).
    pub data_dir: PathBuf,
    /// Further settings as `(variable, value)`.
    pub env: Vec<(String, String)>,
}

impl Launch {
    /// A launch on `database_url` keeping its files in `data_dir`.
    pub fn new(database_url: &str, data_dir: &Path) -> Self {
        Self {
            database_url: database_url.to_owned(),
            data_dir: data_dir.to_path_buf(),
            env: Vec::new(),
        }
    }

    /// Adds `STM__<key>` (e.g. `EMAIL__SMTP_PORT`).
    pub fn set(mut self, key: &str, value: impl ToString) -> Self {
        self.env.push((format!("STM__{key}"), value.to_string()));
        self
    }

    /// With the bootstrap admin.
    pub fn with_admin(self) -> Self {
        self.set("BOOTSTRAP__ADMIN_EMAIL", ADMIN_EMAIL)
            .set("BOOTSTRAP__ADMIN_PASSWORD", PASSWORD)
    }

    /// Starts the binary and waits until it listens (at most 90 s: a first
    /// start migrates the database).
    pub async fn start(&self, name: &str) -> Server {
        std::fs::create_dir_all(&self.data_dir).must();
        let log = self.data_dir.join(format!("{name}.log"));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .must();
        writeln!(file, "{}", json!({"message": "-- test: start"})).must();
        let log_start = file.metadata().must().len();
        let mut command = Command::new(env!("CARGO_BIN_EXE_stm-api"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("STM__DATABASE__URL", &self.database_url)
            .env("STM__DATABASE__MAX_CONNECTIONS", "8")
            .env("STM__STORAGE__DATA_DIR", &self.data_dir)
            .env("STM__SERVER__PORT", "0")
            .env("STM__SERVER__JSON_LOGS", "true")
            .env("STM__SERVER__SHUTDOWN_TIMEOUT_SECS", "1")
            .env("STM__AUTH__JWT_SECRET", JWT_SECRET)
            // Generous throttles: the load comes from one address.
            .env("STM__AUTH__LOGIN_ATTEMPTS_PER_MINUTE_PER_IP", "10000")
            .env("STM__AUTH__LOGIN_ATTEMPTS_PER_MINUTE_PER_EMAIL", "10000")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone().must()))
            .stderr(Stdio::from(file));
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let child = command.spawn().must();
        let mut server = Server {
            child,
            address: String::new(),
            log,
            log_start,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(port) = server
                .log_lines()
                .iter()
                .find(|l| l["message"] == "stm-api listening")
                .and_then(|l| l["port"].as_u64())
            {
                server.address = format!("http://127.0.0.1:{port}");
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "{name} exited ({status}) before listening:\n{}",
                    server.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not listen within 90 s:\n{}",
                server.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Server {
    /// The JSON lines this start wrote.
    pub fn log_lines(&self) -> Vec<Value> {
        let text = std::fs::read(&self.log).unwrap_or_default();
        let start = usize::try_from(self.log_start).unwrap_or(0).min(text.len());
        String::from_utf8_lossy(&text[start..])
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// How many log lines of this start carry `message`.
    pub fn logged(&self, message: &str) -> usize {
        self.log_lines()
            .iter()
            .filter(|l| l["message"] == message)
            .count()
    }

    /// The end of the log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// `kill -9`, and waits for the process to be gone.
    pub fn kill9(&mut self) {
        self.child.kill().must();
        self.child.wait().must();
    }

    /// A request; `Err` when no answer came (refused, reset, timed out).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        send(&self.address, method, path, token, body).await
    }

    /// A request that must be answered.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        self.send(method, path, token, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.log_tail()))
    }

    /// A request that must succeed; its body.
    pub async fn ok(&self, method: &str, path: &str, token: Option<&str>, body: Value) -> Value {
        let r = self.call(method, path, token, Some(&body)).await;
        assert!(
            r.status / 100 == 2,
            "{method} {path}: {} {}",
            r.status,
            r.body
        );
        r.body
    }

    /// Registers `email` as `role`; returns the access token.
    pub async fn register(&self, email: &str, role: &str) -> String {
        let body = json!({
            "email": email, "password": PASSWORD, "first_name": "Ann", "last_name": "Lee",
            "role": role, "zipcode": "10001",
        });
        let session = self.ok("POST", "/api/v1/auth/register", None, body).await;
        session["access_token"].as_str().must().to_owned()
    }

    /// Signs in; returns the access token.
    pub async fn login(&self, email: &str) -> String {
        let body = json!({"email": email, "password": PASSWORD});
        let session = self.ok("POST", "/api/v1/auth/login", None, body).await;
        session["access_token"].as_str().must().to_owned()
    }

    /// A provider owning a fresh tenant `slug`; returns the token and the tenant id.
    pub async fn tenant_owner(&self, email: &str, slug: &str) -> (String, i64) {
        let token = self.register(email, "provider").await;
        let tenant = self
            .ok(
                "POST",
                "/api/v1/tenants",
                Some(&token),
                json!({"name": "Acme", "slug": slug}),
            )
            .await;
        (token, tenant["id"].as_i64().must())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// `Retry-After`, if any.
    pub retry_after: Option<String>,
    /// The body as JSON (`Null` when empty, a string when not JSON).
    pub body: Value,
}

/// One request with a 15 s limit: an answer later than that is a hang.
pub async fn send(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<Reply, String> {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(15))
        .finish();
    let method = awc::http::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = client.request(method, format!("{address}{path}"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = match body {
        Some(body) => req.send_json(body).await,
        None => req.send().await,
    };
    let mut res = res.map_err(|e| e.to_string())?;
    let bytes = res
        .body()
        .limit(10 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Ok(Reply {
        status: res.status().as_u16(),
        content_type: header("content-type").unwrap_or_default(),
        retry_after: header("retry-after"),
        body: if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        },
    })
}

/// A fresh database for a test: a SQLite file in `dir`, or a database of its
/// own on the shared PostgreSQL server (dropped with the guard).
pub async fn database(
    postgres: bool,
    dir: &Path,
) -> (String, Option<persistence::testing::TestDatabase>) {
    if postgres {
        let db = persistence::testing::TestDatabase::new(persistence::Backend::Postgres).await;
        (db.url.clone(), Some(db))
    } else {
        let url = format!("sqlite://{}?mode=rwc", dir.join("stm.db").display());
        (url, None)
    }
}

/// Whether the PostgreSQL half should run (`STM_TEST_DATABASE_URL` set).
pub fn postgres_configured() -> bool {
    if persistence::testing::postgres_url().is_some() {
        return true;
    }
    eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
    false
}

/// The first column of every row of `sql`, as integers, read with a pool of our own.
pub async fn column(url: &str, sql: &str) -> Vec<i64> {
    let db = persistence::Database::connect(url, 1).await.must();
    let conn = db.conn();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let values = rows
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0).must())
        .collect();
    db.close().await.must();
    values
}

/// A free local TCP port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .must()
        .local_addr()
        .must()
        .port()
}

/// Polls `check` every 100 ms until it holds or `limit` passes; whether it held.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
