//! Bounded under a flood: 128 registrations at once against the real binary
//! (spawned, its peak resident size read from `/proc/<pid>/status`). Each
//! argon2id hash holds 19 MiB; unbounded, such a flood took the server to
//! gigabytes. Every request must be answered — 201, 429 or 503 with
//! `Retry-After` — on a connection the server closes only after its answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_stm-api");
const FLOOD: usize = 128;
const PEAK_LIMIT_KIB: u64 = 150 * 1024;

/// The binary serving on a fresh SQLite database; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(env: &[(&str, &str)]) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut child = Command::new(BIN)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("STM__STORAGE__DATA_DIR", dir.path())
            .env("STM__SERVER__JSON_LOGS", "true")
            .env("STM__SERVER__PORT", "0")
            .env(
                "STM__AUTH__JWT_SECRET",
                "flood-secret-flood-secret-flood-secret",
            )
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut port = None;
        for line in lines.by_ref().map_while(Result::ok) {
            if line.contains("stm-api listening") {
                let v: serde_json::Value = serde_json::from_str(&line)?;
                port = v["port"].as_u64().and_then(|p| u16::try_from(p).ok());
                break;
            }
        }
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        let port = port.ok_or("the server did not report its port")?;
        Ok(Self {
            child,
            port,
            _dir: dir,
        })
    }

    /// The peak resident set size so far (`VmHWM`), in KiB.
    fn peak_kib(&self) -> Result<u64, Box<dyn std::error::Error>> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .ok_or("no VmHWM")?;
        Ok(line.split_whitespace().nth(1).ok_or("bad VmHWM")?.parse()?)
    }
}

/// What one request got: a status and whether `Retry-After` came with it,
/// or `None` when the connection ended before a status line (dropped).
type Answer = Option<(u16, bool)>;

/// One POST on its own connection (`Connection: close`), read to the end.
fn post(port: u16, path: &str, body: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .ok()?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    let retry_after = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("retry-after:"));
    Some((status, retry_after))
}

fn registration(email: &str) -> String {
    serde_json::json!({
        "email": email,
        "password": "a flood of passwords",
        "first_name": "Flo",
        "last_name": "Od",
        "role": "customer",
    })
    .to_string()
}

/// `bodies` sent at once, each from its own thread and connection.
fn at_once(port: u16, path: &'static str, bodies: Vec<String>) -> Vec<Answer> {
    let start = Arc::new(Barrier::new(bodies.len()));
    let threads: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                post(port, path, &body)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().ok().flatten())
        .collect()
}

/// How many answers had `status`.
fn tally(answers: &[Answer], status: u16) -> usize {
    answers
        .iter()
        .filter(|a| matches!(a, Some((s, _)) if *s == status))
        .count()
}

fn flood_emails(tag: &str) -> Vec<String> {
    (0..FLOOD).map(|i| format!("{tag}{i}@flood.test")).collect()
}

#[test]
fn a_registration_flood_is_bounded_by_the_hashing_gate() {
    // The rate limit raised out of the way: only the hashing gate (default
    // limits: 2 at once, 32 waiting up to 2 s) stands between the flood and memory.
    let server = Server::start(&[
        ("STM__AUTH__REGISTRATIONS_PER_MINUTE_PER_IP", "100000"),
        ("STM__AUTH__LOGIN_ATTEMPTS_PER_MINUTE_PER_IP", "100000"),
        ("STM__AUTH__LOGIN_ATTEMPTS_PER_MINUTE_PER_EMAIL", "100000"),
    ])
    .unwrap_or_else(|e| panic!("start: {e}"));
    let idle = server.peak_kib().unwrap_or_else(|e| panic!("{e}"));
    let emails = flood_emails("gate");
    let bodies = emails.iter().map(|e| registration(e)).collect();
    let answers = at_once(server.port, "/api/v1/auth/register", bodies);
    let peak = server.peak_kib().unwrap_or_else(|e| panic!("{e}"));
    let (created, busy) = (tally(&answers, 201), tally(&answers, 503));
    eprintln!(
        "flood (gate): {created} × 201, {busy} × 503; peak {} MiB (idle {} MiB)",
        peak / 1024,
        idle / 1024
    );
    assert_eq!(
        answers.iter().filter(|a| a.is_none()).count(),
        0,
        "dropped connections"
    );
    assert_eq!(created + busy, FLOOD, "other statuses: {answers:?}");
    assert!(created >= 1, "nobody registered: {answers:?}");
    assert!(busy >= 1, "the gate never refused: {answers:?}");
    assert!(
        answers.iter().all(|a| !matches!(a, Some((503, false)))),
        "a 503 without Retry-After"
    );
    assert!(peak < PEAK_LIMIT_KIB, "peak {peak} KiB");

    // A refused registration stored nothing: the same e-mail registers now.
    let refused = answers
        .iter()
        .position(|a| matches!(a, Some((503, _))))
        .unwrap_or_else(|| panic!("no 503"));
    let again = post(
        server.port,
        "/api/v1/auth/register",
        &registration(&emails[refused]),
    );
    assert_eq!(again.map(|a| a.0), Some(201));

    // Logins hash too: a flood of them is answered 200 or 503, never dropped.
    let created_email = answers
        .iter()
        .position(|a| matches!(a, Some((201, _))))
        .map(|i| emails[i].clone())
        .unwrap_or_else(|| panic!("no 201"));
    let login =
        serde_json::json!({"email": created_email, "password": "a flood of passwords"}).to_string();
    let logins = at_once(server.port, "/api/v1/auth/login", vec![login; FLOOD]);
    let (ok, busy) = (tally(&logins, 200), tally(&logins, 503));
    let peak = server.peak_kib().unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "flood (logins): {ok} × 200, {busy} × 503; peak {} MiB",
        peak / 1024
    );
    assert_eq!(ok + busy, FLOOD, "{logins:?}");
    assert!(ok >= 1);
    assert!(peak < PEAK_LIMIT_KIB, "peak {peak} KiB");
}

#[test]
fn a_registration_flood_from_one_address_is_rate_limited() {
    // Default settings: 10 registrations a minute per client address.
    let server = Server::start(&[]).unwrap_or_else(|e| panic!("start: {e}"));
    let bodies = flood_emails("limit")
        .iter()
        .map(|e| registration(e))
        .collect();
    let answers = at_once(server.port, "/api/v1/auth/register", bodies);
    let peak = server.peak_kib().unwrap_or_else(|e| panic!("{e}"));
    let (created, limited, busy) = (
        tally(&answers, 201),
        tally(&answers, 429),
        tally(&answers, 503),
    );
    eprintln!(
        "flood (rate limit): {created} × 201, {limited} × 429, {busy} × 503; peak {} MiB",
        peak / 1024
    );
    assert_eq!(
        created + limited + busy,
        FLOOD,
        "dropped or other: {answers:?}"
    );
    // The burst is 10, refilled one every 6 s: the flood is over long before
    // more than a few could pass.
    assert!((1..=20).contains(&(created + busy)), "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| !matches!(a, Some((429 | 503, false)))),
        "a refusal without Retry-After"
    );
    assert!(peak < PEAK_LIMIT_KIB, "peak {peak} KiB");
}
