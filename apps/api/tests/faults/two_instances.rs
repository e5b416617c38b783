//! Two server processes on one PostgreSQL database, both running the
//! background work every second: the weekly popularity slot is computed by
//! one of them only, a region's digest of unanswered searches goes out once,
//! and every queued e-mail reaches the relay exactly once.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use crate::smtp;
use crate::support::{
    ADMIN_EMAIL, Launch, Must, PASSWORD, column, database, eventually, free_port,
    postgres_configured,
};

/// Invitation e-mails queued through both instances.
const EMAILS: usize = 60;

#[actix_web::test]
async fn two_instances_run_each_slot_once_and_send_each_email_once() {
    if !postgres_configured() {
        return;
    }
    let dir = tempfile::tempdir().must();
    let (url, _guard) = database(true, dir.path()).await;
    let port = free_port();
    let inbox = smtp::serve(port).await;
    let launch = |name: &str| {
        Launch::new(&url, &dir.path().join(name))
            .with_admin()
            .set("EMAIL__SMTP_HOST", "127.0.0.1")
            .set("EMAIL__SMTP_PORT", port)
            .set("EMAIL__POLL_INTERVAL_MS", 20)
            .set("JOBS__TICK_SECS", 1)
            // Instances of one deployment share the searcher salt.
            .set("SEARCH__SEARCHER_SECRET", "s".repeat(32))
    };
    let a = launch("a").start("a").await;
    let b = launch("b").start("b").await;

    let admin = a.login(ADMIN_EMAIL).await;
    let lsm = json!({"email": "nyc.lsm@stm.test", "password": PASSWORD, "first_name": "Lou", "last_name": "Manager", "region": "nyc"});
    a.ok("POST", "/api/v1/admin/lsms", Some(&admin), lsm).await;
    let (owner, _) = a.tenant_owner("owner@example.com", "acme").await;
    // Unanswered searches in NYC on both instances: one digest to its LSM.
    for server in [&a, &b] {
        let r = server
            .call(
                "GET",
                "/api/v1/search?q=xylophone%20tuning&zipcode=10001",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Invitations through both, in bursts each instance's worker races for.
    let mut invited = Vec::new();
    for i in 0..EMAILS {
        let server = if i % 2 == 0 { &a } else { &b };
        let email = format!("staff{i}@example.com");
        server
            .ok(
                "POST",
                "/api/v1/tenants/me/invitations",
                Some(&owner),
                json!({"email": email}),
            )
            .await;
        invited.push(email);
    }
    // The invitations, the NYC digest and the owner's e-mail verification.
    let expected = i64::try_from(EMAILS + 2).must();
    let sent = eventually(Duration::from_secs(30), || {
        let url = url.clone();
        async move {
            column(
                &url,
                "SELECT COUNT(*) FROM email_outbox WHERE status = 'sent'",
            )
            .await
                == [expected]
        }
    })
    .await;
    assert!(
        sent,
        "not every e-mail was sent: {:?}",
        column(&url, "SELECT COUNT(*) FROM email_outbox GROUP BY status").await
    );
    // Both instances keep ticking: any second run or late duplicate shows up now.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for to in inbox.recipients() {
        *per_recipient.entry(to).or_default() += 1;
    }
    let duplicates: Vec<_> = per_recipient.iter().filter(|(_, n)| **n > 1).collect();
    let runs = a.logged("weekly popularity computed") + b.logged("weekly popularity computed");
    let digests = a.logged("demand digests sent") + b.logged("demand digests sent");
    let ticks_a = a.logged("response figures refreshed");
    eprintln!(
        "faults/two instances: {} e-mails received for {} queued ({} duplicated); popularity slot \
         computed {runs} time(s), NYC digest sent {digests} time(s) over both instances' ticks",
        per_recipient.values().sum::<usize>(),
        expected,
        duplicates.len()
    );
    assert!(duplicates.is_empty(), "sent more than once: {duplicates:?}");
    for email in &invited {
        assert_eq!(per_recipient.get(email), Some(&1), "{email}");
    }
    assert_eq!(per_recipient.get("nyc.lsm@stm.test"), Some(&1));
    assert_eq!(per_recipient.get("owner@example.com"), Some(&1));
    assert_eq!(per_recipient.values().sum::<usize>(), EMAILS + 2);
    assert_eq!(runs, 1, "the weekly popularity slot ran {runs} times");
    assert_eq!(digests, 1, "the NYC digest went out {digests} times");
    // Both instances did tick (else "once" would prove nothing).
    assert!(ticks_a >= 1 && b.logged("response figures refreshed") >= 1);
}
