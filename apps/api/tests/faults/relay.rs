//! The SMTP relay down: queued e-mails stay in the outbox (attempts counted,
//! the error kept), and when a relay listens again each is delivered, once.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::smtp;
use crate::support::{Launch, Must, column, eventually, free_port};

/// E-mails queued while the relay is down.
const EMAILS: usize = 20;

#[actix_web::test]
async fn mail_queued_while_the_relay_is_down_is_delivered_once_when_it_returns() {
    let dir = tempfile::tempdir().must();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("stm.db").display());
    let port = free_port();
    // Short backoff: 100 ms doubled per attempt; nothing listens on `port` yet.
    let server = Launch::new(&url, dir.path())
        .set("EMAIL__SMTP_HOST", "127.0.0.1")
        .set("EMAIL__SMTP_PORT", port)
        .set("EMAIL__RETRY_BASE_MS", 100)
        .set("EMAIL__POLL_INTERVAL_MS", 50)
        .set("EMAIL__MAX_ATTEMPTS", 100)
        .set("JOBS__TICK_SECS", 3600)
        .start("server")
        .await;
    let (owner, _) = server.tenant_owner("owner@example.com", "acme").await;
    let invited: BTreeSet<String> = (0..EMAILS)
        .map(|i| format!("staff{i}@example.com"))
        .collect();
    // Besides the invitations, the owner's registration queued their
    // e-mail verification: every one of them must arrive, once.
    let mut expected = invited.clone();
    expected.insert("owner@example.com".to_owned());
    let queued = expected.len() as i64;
    for email in &invited {
        server
            .ok(
                "POST",
                "/api/v1/tenants/me/invitations",
                Some(&owner),
                json!({"email": email}),
            )
            .await;
    }
    // Every e-mail has failed at least twice and is still pending.
    let retried = eventually(Duration::from_secs(30), || {
        let url = url.clone();
        async move {
            column(
                &url,
                "SELECT COUNT(*) FROM email_outbox WHERE status = 'pending' AND attempts >= 2 \
                 AND last_error IS NOT NULL",
            )
            .await
                == [queued]
        }
    })
    .await;
    assert!(
        retried,
        "the e-mails were not retried while the relay was down"
    );
    let attempts_while_down = column(&url, "SELECT SUM(attempts) FROM email_outbox").await[0];

    let inbox = smtp::serve(port).await;
    let back = Instant::now();
    let delivered = eventually(Duration::from_secs(30), || {
        let url = url.clone();
        async move {
            column(
                &url,
                "SELECT COUNT(*) FROM email_outbox WHERE status = 'sent'",
            )
            .await
                == [queued]
        }
    })
    .await;
    assert!(
        delivered,
        "not every e-mail was sent after the relay came back"
    );
    let took = back.elapsed();
    // Late duplicates would arrive after the rows are marked: wait a little.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut received = inbox.recipients();
    received.sort();
    eprintln!(
        "faults/relay down: {queued} e-mails, {attempts_while_down} failed attempts while down, \
         all {} delivered {:.1} s after the relay came back",
        received.len(),
        took.as_secs_f64()
    );
    assert_eq!(received, expected.into_iter().collect::<Vec<_>>());
}
