//! The `stm-api` binary: one-shot commands, configuration errors, graceful shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_stm-api");

fn stm(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STM__STORAGE__DATA_DIR", data_dir)
        .env("STM__SERVER__JSON_LOGS", "true")
        .env("STM__SERVER__PORT", "0");
    cmd
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run stm-api: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn migrate_seed_and_create_admin_are_idempotent() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (ok, out) = run(stm(dir.path()).arg("migrate"));
    assert!(ok, "{out}");
    let (ok, out) = run(stm(dir.path()).arg("seed"));
    assert!(ok && out.contains("\"services_added\":45"), "{out}");
    let (ok, out) = run(stm(dir.path()).arg("seed"));
    assert!(
        ok && out.contains("\"services_added\":0"),
        "second seed adds nothing: {out}"
    );
    let (ok, out) = run(stm(dir.path()).args(["seed", "--demo"]));
    assert!(ok && out.contains("\"demo_providers_added\":36"), "{out}");
    let (ok, out) = run(stm(dir.path()).args(["seed", "--demo"]));
    assert!(ok && out.contains("\"demo_providers_added\":0"), "{out}");
    for _ in 0..2 {
        let (ok, out) = run(stm(dir.path())
            .args(["create-admin", "--email", "ops@example.com"])
            .env("STM_ADMIN_PASSWORD", "a long admin password"));
        assert!(ok, "{out}");
    }
    assert!(dir.path().join("stm.db").exists());
}

#[test]
fn invalid_configuration_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cases = [
        ("STM__DATABASE__URL", "mysql://nope", "database.url"),
        ("STM__SERVER__PORT", "eighty", "server.port"),
        ("STM__AUTH__JWT_SECRET", "short", "auth.jwt_secret"),
        ("STM__SERVER__NO_SUCH_KEY", "1", "no_such_key"),
    ];
    for (var, value, key) in cases {
        let (ok, out) = run(stm(dir.path()).arg("migrate").env(var, value));
        assert!(!ok, "{var}={value} was accepted");
        assert!(
            out.contains(key),
            "{var}: message does not name `{key}`: {out}"
        );
        assert!(!out.contains("short\""), "a secret was echoed: {out}");
    }
}

#[test]
fn the_server_serves_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut child = stm(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut port = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if line.contains("stm-api listening") {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            port = v["port"].as_u64();
            break;
        }
    }
    let port = port.unwrap_or_else(|| panic!("the server did not report its port"));
    let ready = std::net::TcpStream::connect(("127.0.0.1", port as u16));
    assert!(ready.is_ok(), "nothing listens on {port}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(killed.is_ok_and(|s| s.success()));
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "exit status after SIGTERM: {status}");
}
