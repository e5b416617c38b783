//! The access tokens this instance must refuse before their `exp`: those of
//! ended sessions (logout, a revoked session, a password change or reset) and
//! those issued before an account was closed or banned.
//!
//! The set lives in memory and is fed by the database's revocation log
//! (`revoked_sessions`, written in each cause's transaction): at start (the
//! rows young enough to matter), right after a request of this instance
//! revoked something (so it holds here at once), on PostgreSQL when the
//! events channel announces a revocation (a `NOTIFY` sent at the cause's
//! commit) and after the listener reconnects, and by a poll every
//! `realtime.revocation_poll_ms` (so it holds on every instance within that
//! even while `LISTEN` is down).
//! Sockets subscribe to changes and close themselves when their session is hit.
//!
//! Once a read is [`OVERLAP`] old, rows are read by id, never by the writers' clocks;
//! ids seen in the last [`OVERLAP`] are read again, as a row's transaction
//! may commit after a higher id's.

use std::collections::{HashMap, VecDeque};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::Utc;
use kernel::Timestamp;
use persistence::{RevocationKind, SqlRevocationLog};
use tokio::sync::watch;

use crate::http::ApiError;

/// Ids are re-read for this long (by this instance's monotonic clock) after
/// they were first read: a row's transaction may commit after a higher id's.
const OVERLAP: Duration = Duration::from_secs(10);

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The session ended or the account was closed: 401 `session_revoked`, close 4001.
    SessionEnded,
    /// The account was banned: 403 `account_disabled`, close 4003.
    AccountDisabled,
}

impl Denial {
    /// The problem a request with such a token gets.
    pub fn error(self) -> ApiError {
        match self {
            Self::SessionEnded => ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                kernel::Code::SessionRevoked,
                "this session has ended; sign in again",
            ),
            Self::AccountDisabled => ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                kernel::Code::AccountDisabled,
                "this account is suspended or banned",
            ),
        }
    }
}

/// What identifies a token for the check.
#[derive(Debug, Clone, Copy)]
pub struct TokenFacts<'a> {
    /// The user.
    pub user: i64,
    /// The session (refresh-token family), for staff tokens.
    pub session: Option<&'a str>,
    /// Issued at (Unix seconds).
    pub issued_at: i64,
}

#[derive(Debug, Default)]
struct State {
    /// Ended sessions and when.
    sessions: HashMap<String, Timestamp>,
    /// Users whose tokens issued until the time are void, and why.
    accounts: HashMap<i64, (Timestamp, Denial)>,
    /// Every id up to this was read more than [`OVERLAP`] ago; `None`
    /// until a read is that old (reads go by time until then).
    settled: Option<i64>,
    /// The highest id known after each recent read, oldest first.
    recent: VecDeque<(Instant, i64)>,
}

/// The per-instance revocation set.
#[derive(Debug)]
pub struct Revocations {
    state: RwLock<State>,
    log: SqlRevocationLog,
    /// How long a row matters: the access-token lifetime plus the leeway.
    keep: chrono::Duration,
    changed: watch::Sender<u64>,
    refresh: tokio::sync::Mutex<()>,
}

impl Revocations {
    /// An empty set over `log`, for tokens living `access_ttl_secs`.
    pub fn new(log: SqlRevocationLog, access_ttl_secs: i64) -> Self {
        Self {
            state: RwLock::new(State::default()),
            log,
            keep: chrono::Duration::seconds(access_ttl_secs + 60),
            changed: watch::channel(0).0,
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Why a token must be refused, if it must.
    pub fn check(&self, token: TokenFacts<'_>) -> Option<Denial> {
        let state = self.read();
        if let Some(session) = token.session
            && state.sessions.contains_key(session)
        {
            return Some(Denial::SessionEnded);
        }
        match state.accounts.get(&token.user) {
            Some((at, denial)) if token.issued_at <= at.timestamp() => Some(*denial),
            _ => None,
        }
    }

    /// A receiver that changes whenever the set grows.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Reads the log's new rows into the set and forgets what no longer matters.
    pub async fn refresh(&self) -> Result<(), kernel::StoreError> {
        // One reader at a time; a caller that waited finds the rows read.
        let _one = self.refresh.lock().await;
        let now = Utc::now();
        let cutoff = now - self.keep;
        let settled = self.read().settled;
        let rows = match settled {
            Some(after) => self.log.read_after(after).await?,
            None => self.log.read_since(cutoff).await?,
        };
        let highest = rows.iter().map(|r| r.id).max();
        let mut grew = false;
        {
            let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
            for row in rows {
                match (row.kind, row.session) {
                    (RevocationKind::Session, Some(session)) => {
                        grew |= state.sessions.insert(session, row.at).is_none();
                    }
                    (RevocationKind::Session, None) => {}
                    (kind, _) => {
                        let denial = if kind == RevocationKind::Disabled {
                            Denial::AccountDisabled
                        } else {
                            Denial::SessionEnded
                        };
                        let newer = state
                            .accounts
                            .get(&row.user.0)
                            .is_none_or(|(at, _)| *at < row.at);
                        if newer {
                            state.accounts.insert(row.user.0, (row.at, denial));
                            grew = true;
                        }
                    }
                }
            }
            state.sessions.retain(|_, at| *at > cutoff);
            state.accounts.retain(|_, (at, _)| *at > cutoff);
            // Until a read is OVERLAP old, rows are read by time, so a
            // transaction that began before the start and commits late is
            // still seen; from then on, above what was known that long ago.
            let known = highest
                .into_iter()
                .chain(state.recent.back().map(|(_, id)| *id))
                .chain(state.settled)
                .max()
                .unwrap_or(0);
            let read_at = Instant::now();
            state.recent.push_back((read_at, known));
            while let Some(&(at, id)) = state.recent.front()
                && read_at.duration_since(at) > OVERLAP
            {
                state.recent.pop_front();
                state.settled = Some(state.settled.map_or(id, |s| s.max(id)));
            }
        }
        if grew {
            self.changed.send_modify(|n| *n += 1);
        }
        Ok(())
    }

    /// Refreshes after a request of this instance revoked something; a
    /// failure is logged (the poll catches up).
    pub async fn refresh_now(&self) {
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "cannot read the revocation log");
        }
    }

    /// Polls the log until the process ends; prunes old rows now and then.
    pub async fn run(self: std::sync::Arc<Self>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut polls: u64 = 0;
        loop {
            tick.tick().await;
            self.refresh_now().await;
            polls += 1;
            // About hourly at the default period.
            if polls.is_multiple_of(7200)
                && let Err(e) = self.log.prune(Utc::now() - self.keep * 2).await
            {
                tracing::warn!(error = %e, "cannot prune the revocation log");
            }
        }
    }
}
