//! Real-time delivery of the durable per-user event feed (SPEC §4 Messaging).
//!
//! The database is the source of truth: a wake-up carries only a user id, and
//! each socket then reads `seq > last_sent` from `user_events`. Wake-ups come
//! from PostgreSQL `LISTEN` (every instance hears every commit), from a poll
//! of the newest row id on SQLite, and from a slow fallback poll on both, so a
//! lost wake-up delays an event but never loses it.

pub mod frames;
pub mod hub;
pub mod listener;
pub mod session;

use serde::Deserialize;

use crate::config::ConfigError;

pub use hub::Hub;

/// `[realtime]`: socket heartbeat and back-pressure, feed retention.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeSettings {
    /// Milliseconds between WebSocket pings; a socket that misses two pongs is closed.
    pub ping_interval_ms: u64,
    /// Frames a socket may have waiting.
    pub queue_frames: usize,
    /// Milliseconds an event may wait for room in a full queue; a client that
    /// stays that far behind is disconnected (it resumes with `after`).
    pub send_timeout_ms: u64,
    /// SQLite: how often the newest event id is polled to wake sockets.
    pub sqlite_poll_ms: u64,
    /// Every backend: how often every socket re-reads the database regardless of wake-ups.
    pub fallback_poll_ms: u64,
    /// Days events are kept before pruning (the newest per user is always kept).
    pub retention_days: i64,
    /// Sockets one user may hold on one instance; the next is closed with 4008.
    pub max_sockets_per_user: usize,
    /// Every backend: how often the revocation log is polled (PostgreSQL also
    /// hears each revocation on the events channel at once).
    pub revocation_poll_ms: u64,
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            ping_interval_ms: 30_000,
            queue_frames: 256,
            send_timeout_ms: 10_000,
            sqlite_poll_ms: 250,
            fallback_poll_ms: 5_000,
            retention_days: effects::feed::RETENTION_DAYS,
            max_sockets_per_user: 8,
            revocation_poll_ms: 500,
        }
    }
}

impl RealtimeSettings {
    /// The ping period.
    pub fn ping_interval(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.ping_interval_ms)
    }

    /// Checks values the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, msg: &str| Err(ConfigError(format!("`realtime.{key}` {msg}")));
        if !(10..=3_600_000).contains(&self.ping_interval_ms) {
            return bad("ping_interval_ms", "must be between 10 and 3600000");
        }
        if !(8..=65_536).contains(&self.queue_frames) {
            return bad("queue_frames", "must be between 8 and 65536");
        }
        if !(100..=600_000).contains(&self.send_timeout_ms) {
            return bad("send_timeout_ms", "must be between 100 and 600000");
        }
        if !(10..=60_000).contains(&self.sqlite_poll_ms) {
            return bad("sqlite_poll_ms", "must be between 10 and 60000");
        }
        if !(100..=600_000).contains(&self.fallback_poll_ms) {
            return bad("fallback_poll_ms", "must be between 100 and 600000");
        }
        if !(50..=3_600_000).contains(&self.revocation_poll_ms) {
            return bad("revocation_poll_ms", "must be between 50 and 3600000");
        }
        if !(1..=1_000).contains(&self.max_sockets_per_user) {
            return bad("max_sockets_per_user", "must be between 1 and 1000");
        }
        if self.retention_days < effects::feed::RETENTION_DAYS || self.retention_days > 3650 {
            return bad("retention_days", "must be between 7 and 3650");
        }
        Ok(())
    }
}
