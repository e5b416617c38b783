//! Where wake-ups come from. PostgreSQL: a dedicated `LISTEN stm_user_events`
//! connection; when it is lost it is re-established and then every socket
//! re-reads from its last sent `seq`, so events stored meanwhile still arrive.
//! SQLite (one instance): a poll of the newest `user_events` id, waking the
//! users whose events are above the last one seen — chosen over an in-process
//! signal because every write path then wakes sockets without being touched.
//! Both: a slow fallback poll wakes every socket.
//!
//! The same channel tells that the revocation log grew (payload `revoked`):
//! the instance re-reads it at once, and again after a reconnect.

use std::sync::Arc;
use std::time::Duration;

use persistence::event_repo::{EventListener, Heard, newest_event_id, users_with_events_since};
use persistence::{Backend, Database};

use super::{Hub, RealtimeSettings};
use crate::auth::Revocations;

/// Starts the wake-up sources on the current runtime.
pub fn spawn(
    db: &Database,
    hub: Arc<Hub>,
    revocations: Arc<Revocations>,
    settings: &RealtimeSettings,
) {
    let fallback = Duration::from_millis(settings.fallback_poll_ms);
    let all = hub.clone();
    actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(fallback);
        loop {
            every.tick().await;
            all.wake_all();
        }
    });
    let conn = db.clone();
    if db.backend() == Backend::Postgres {
        // On the Tokio runtime itself, not actix's local set: the listener's
        // connection must be dropped inside a Tokio context, also at shutdown.
        tokio::spawn(listen(conn, hub, revocations));
    } else {
        let every = Duration::from_millis(settings.sqlite_poll_ms);
        actix_web::rt::spawn(poll_newest(conn, hub, every));
    }
}

async fn listen(conn: Database, hub: Arc<Hub>, revocations: Arc<Revocations>) {
    loop {
        let mut listener = match EventListener::connect(conn.conn()).await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "event listener cannot connect; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        // Listening again: whatever was stored while nobody listened is read now.
        hub.wake_all();
        revocations.refresh_now().await;
        loop {
            match listener.next().await {
                Ok(Heard::User(user)) => hub.wake_user(user),
                Ok(Heard::Revoked) => revocations.refresh_now().await,
                Ok(Heard::Reconnected) => {
                    tracing::info!("event listener reconnected");
                    hub.wake_all();
                    revocations.refresh_now().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event listener lost its connection");
                    break;
                }
            }
        }
    }
}

async fn poll_newest(conn: Database, hub: Arc<Hub>, every: Duration) {
    let mut seen = newest_event_id(conn.conn()).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot read the newest event id");
        0
    });
    let mut tick = actix_web::rt::time::interval(every);
    loop {
        tick.tick().await;
        let newest = match newest_event_id(conn.conn()).await {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the newest event id");
                continue;
            }
        };
        if newest <= seen {
            // Also covers a smaller id (rows pruned): nothing new to announce.
            seen = seen.max(newest);
            continue;
        }
        match users_with_events_since(conn.conn(), seen).await {
            Ok(users) => users.into_iter().for_each(|u| hub.wake_user(u)),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read which users have new events");
                continue;
            }
        }
        seen = newest;
    }
}
