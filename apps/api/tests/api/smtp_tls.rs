//! SMTP over TLS, STARTTLS and implicit: a relay started by the test with a
//! self-signed certificate (committed under `tls/`, valid until 2126) that the
//! server trusts through `email.smtp_ca_file` receives the outbox's e-mail
//! only once the connection is encrypted; a relay whose certificate is not
//! trusted is never sent to, and the e-mail stays queued.

use std::sync::Arc;
use std::time::Duration;

use persistence::Backend;
use stm_api::background_config::SmtpTls;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::helpers::{TestApp, spawn_app_with};
use crate::smtp::{Inbox, dialog};
use crate::supply_support::{ADMIN_EMAIL, PASSWORD, count, login, lsm};

fn tls_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/api/tls/{name}"))
}

/// A TLS acceptor presenting `tls/<name>.pem` (CN and SAN `localhost`).
fn acceptor(name: &str) -> Result<TlsAcceptor, Box<dyn std::error::Error>> {
    let certs = CertificateDer::pem_file_iter(tls_file(&format!("{name}.pem")))?
        .collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(tls_file(&format!("{name}.key")))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Before STARTTLS only EHLO, STARTTLS and QUIT are served; mail is refused
/// in plain text. Returns the socket once the client asked for TLS.
async fn until_starttls(socket: tokio::net::TcpStream) -> Option<tokio::net::TcpStream> {
    let mut reader = BufReader::new(socket);
    reader
        .get_mut()
        .write_all(b"220 fake.smtp ESMTP\r\n")
        .await
        .ok()?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let verb = line.split_whitespace().next().unwrap_or_default();
        let answer: &[u8] = match verb.to_uppercase().as_str() {
            "EHLO" => b"250-fake.smtp\r\n250 STARTTLS\r\n",
            "STARTTLS" => {
                reader
                    .get_mut()
                    .write_all(b"220 2.0.0 ready\r\n")
                    .await
                    .ok()?;
                // The client sends nothing more until the handshake.
                return Some(reader.into_inner());
            }
            "QUIT" => return None,
            _ => b"530 5.7.0 Must issue a STARTTLS command first\r\n",
        };
        reader.get_mut().write_all(answer).await.ok()?;
    }
}

/// A relay on `listener` speaking `mode`, presenting `tls/<cert>.pem`.
fn serve(listener: TcpListener, mode: SmtpTls, cert: &str, inbox: Inbox) {
    let tls = acceptor(cert).unwrap_or_else(|e| panic!("acceptor {cert}: {e}"));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (tls, inbox) = (tls.clone(), inbox.clone());
            tokio::spawn(async move {
                let (socket, greet) = match mode {
                    SmtpTls::Starttls => match until_starttls(socket).await {
                        Some(socket) => (socket, false),
                        None => return,
                    },
                    _ => (socket, true),
                };
                // A client that does not trust the certificate aborts here.
                if let Ok(stream) = tls.accept(socket).await {
                    dialog(stream, greet, inbox).await;
                }
            });
        }
    });
}

async fn wait_for(app: &TestApp, sql: &str, expected: i64) {
    for _ in 0..300 {
        if count(app, sql).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "timed out waiting for `{sql}` = {expected} (got {})",
        count(app, sql).await
    );
}

/// A relay on a free port, and a server mailing to it as `localhost` over
/// `mode`, trusting `tls/trusted.pem`; a search nobody serves queues a digest
/// e-mail to the NYC LSM at the next tick.
async fn app_and_relay(mode: SmtpTls, relay_cert: &str) -> (TestApp, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let inbox = Inbox::default();
    serve(listener, mode, relay_cert, inbox.clone());
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.bootstrap.admin_email = Some(ADMIN_EMAIL.into());
        s.bootstrap.admin_password = Some(stm_api::config::Secret::new(PASSWORD));
        // The name the certificate carries (resolved to 127.0.0.1).
        s.email.smtp_host = Some("localhost".into());
        s.email.smtp_port = port;
        s.email.smtp_tls = mode;
        s.email.smtp_ca_file = Some(tls_file("trusted.pem"));
        s.email.retry_base_ms = 100;
        s.email.poll_interval_ms = 50;
        s.email.max_attempts = 50;
        s.jobs.tick_secs = 1;
    })
    .await;
    let admin = login(&app, ADMIN_EMAIL).await;
    lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    app.get("/api/v1/search?q=xylophone%20tuning&zipcode=10001", None)
        .await;
    (app, inbox)
}

#[actix_web::test]
async fn mail_reaches_a_trusted_relay_over_starttls_and_implicit_tls() {
    for mode in [SmtpTls::Starttls, SmtpTls::Tls] {
        let (app, inbox) = app_and_relay(mode, "trusted").await;
        wait_for(
            &app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'sent'",
            1,
        )
        .await;
        let received = inbox.messages();
        assert_eq!(received.len(), 1, "{mode:?}: {received:?}");
        assert_eq!(received[0].to, ["nyc.lsm@stm.test"], "{mode:?}");
        assert!(
            received[0].data.contains("xylophone tuning"),
            "{mode:?}: {}",
            received[0].data
        );
    }
}

#[actix_web::test]
async fn an_untrusted_relay_certificate_is_refused_and_the_mail_stays_queued() {
    for mode in [SmtpTls::Starttls, SmtpTls::Tls] {
        let (app, inbox) = app_and_relay(mode, "untrusted").await;
        wait_for(
            &app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'pending' AND attempts >= 2 AND last_error IS NOT NULL",
            1,
        )
        .await;
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'sent'"
            )
            .await,
            0,
            "{mode:?}"
        );
        let received = inbox.messages().len();
        assert_eq!(
            received, 0,
            "{mode:?}: nothing may reach an unverified relay"
        );
    }
}
