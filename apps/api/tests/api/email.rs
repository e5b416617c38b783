//! E-mails really leave through SMTP: a tiny SMTP listener started by the
//! test receives them, and while it is down the outbox retries.

use std::time::Duration;

use persistence::Backend;
use tokio::net::TcpListener;

use crate::helpers::{TestApp, spawn_app_with};
use crate::smtp;
use crate::supply_support::{ADMIN_EMAIL, PASSWORD, count, login, lsm};

async fn wait_for(app: &TestApp, sql: &str, expected: i64) {
    for _ in 0..200 {
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

async fn app_mailing_to(port: u16, max_attempts: i32) -> (TestApp, String) {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.bootstrap.admin_email = Some(ADMIN_EMAIL.into());
        s.bootstrap.admin_password = Some(stm_api::config::Secret::new(PASSWORD));
        s.email.smtp_host = Some("127.0.0.1".into());
        s.email.smtp_port = port;
        s.email.retry_base_ms = 100;
        s.email.poll_interval_ms = 50;
        s.email.max_attempts = max_attempts;
        // The digest worker ticks every second: unanswered searches reach the LSM fast.
        s.jobs.tick_secs = 1;
    })
    .await;
    let admin = login(&app, ADMIN_EMAIL).await;
    lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    (app, admin)
}

pub(crate) async fn free_port() -> u16 {
    let probe = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    probe
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[actix_web::test]
async fn mail_is_retried_while_the_relay_is_down_then_delivered() {
    let port = free_port().await;
    let (app, _) = app_mailing_to(port, 50).await;
    // Nobody offers this: a service request, and the next worker tick's digest
    // queues an e-mail to the NYC LSM (the request is then `email_sent`).
    let search = app
        .get("/api/v1/search?q=xylophone%20tuning&zipcode=10001", None)
        .await;
    let request = search.body["service_request_id"]
        .as_i64()
        .unwrap_or_default();
    // The relay is down: attempts pile up, the row stays pending with the error.
    wait_for(&app, "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'pending' AND attempts >= 2 AND last_error IS NOT NULL", 1).await;
    assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM service_requests WHERE id = {request} AND email_sent = TRUE")).await, 1);

    let inbox = smtp::serve(port).await;
    wait_for(
        &app,
        "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'sent'",
        1,
    )
    .await;
    let received = inbox.messages();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].to, ["nyc.lsm@stm.test"]);
    assert!(
        received[0].data.contains("xylophone tuning")
            && received[0].data.contains("nyc.lsm@stm.test"),
        "{}",
        received[0].data
    );
}

#[actix_web::test]
async fn mail_is_marked_failed_after_the_last_attempt() {
    let port = free_port().await;
    let (app, _) = app_mailing_to(port, 2).await;
    app.get("/api/v1/search?q=xylophone%20tuning&zipcode=10001", None)
        .await;
    wait_for(
        &app,
        "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'failed' AND attempts = 2",
        1,
    )
    .await;
}
