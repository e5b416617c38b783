//! `[email]` and `[jobs]`: the outbox worker and the scheduled jobs.

use serde::Deserialize;

use crate::config::{ConfigError, Secret, invalid};

/// `[email]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    /// SMTP relay host; unset sends e-mails to the log.
    pub smtp_host: Option<String>,
    /// SMTP port (plain SMTP: no TLS backend is compiled in).
    pub smtp_port: u16,
    /// SMTP user, when the relay needs one.
    pub smtp_username: Option<String>,
    /// SMTP password.
    pub smtp_password: Option<Secret>,
    /// `From:` of every e-mail.
    pub from: String,
    /// Attempts before an e-mail is marked `failed`.
    pub max_attempts: i32,
    /// First retry delay in milliseconds, doubled after each failure (max 1 h).
    pub retry_base_ms: i64,
    /// How often the worker looks for due e-mails.
    pub poll_interval_ms: u64,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            smtp_host: None,
            smtp_port: 25,
            smtp_username: None,
            smtp_password: None,
            from: "STM <no-reply@stm.local>".into(),
            max_attempts: 8,
            retry_base_ms: 30_000,
            poll_interval_ms: 2_000,
        }
    }
}

impl EmailSettings {
    /// Checks values the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self
            .smtp_host
            .as_deref()
            .is_some_and(|h| h.trim().is_empty())
        {
            return Err(invalid("email.smtp_host", "must not be empty when set"));
        }
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid(
                "email.from",
                "must be an address like `STM <no-reply@example.com>`",
            ));
        }
        if !(1..=100).contains(&self.max_attempts) {
            return Err(invalid("email.max_attempts", "must be between 1 and 100"));
        }
        if !(1..=3_600_000).contains(&self.retry_base_ms) {
            return Err(invalid(
                "email.retry_base_ms",
                "must be between 1 and 3600000",
            ));
        }
        if !(10..=600_000).contains(&self.poll_interval_ms) {
            return Err(invalid(
                "email.poll_interval_ms",
                "must be between 10 and 600000",
            ));
        }
        Ok(())
    }
}

/// `[jobs]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsSettings {
    /// Run the background workers (outbox, popularity schedule, demand digests, catalog refresh) in this process.
    pub enabled: bool,
    /// Day of the weekly popularity run (`mon` … `sun`), UTC.
    pub popularity_weekday: String,
    /// Hour of the weekly popularity run, 0–23 UTC.
    pub popularity_hour_utc: u32,
    /// How often the schedule is checked, due demand digests sent and the catalog snapshot reloaded (other instances' admin edits).
    pub tick_secs: u64,
}

impl Default for JobsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            popularity_weekday: "mon".into(),
            popularity_hour_utc: 3,
            tick_secs: 60,
        }
    }
}

impl JobsSettings {
    /// The weekly popularity schedule.
    pub fn popularity_schedule(&self) -> Option<supply::popularity::WeeklySchedule> {
        supply::popularity::WeeklySchedule::parse(
            &self.popularity_weekday,
            self.popularity_hour_utc,
        )
    }

    /// Checks values the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.popularity_schedule().is_none() {
            return Err(invalid(
                "jobs.popularity_weekday",
                "must be a weekday (mon … sun) and `jobs.popularity_hour_utc` 0–23",
            ));
        }
        if !(1..=86_400).contains(&self.tick_secs) {
            return Err(invalid("jobs.tick_secs", "must be between 1 and 86400"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_name_their_key() {
        assert!(EmailSettings::default().validate().is_ok());
        assert!(JobsSettings::default().validate().is_ok());
        let bad = EmailSettings {
            from: "nobody".into(),
            ..EmailSettings::default()
        };
        assert!(
            bad.validate()
                .err()
                .is_some_and(|e| e.to_string().contains("email.from"))
        );
        let bad = JobsSettings {
            popularity_weekday: "someday".into(),
            ..JobsSettings::default()
        };
        assert!(
            bad.validate()
                .err()
                .is_some_and(|e| e.to_string().contains("jobs.popularity_weekday"))
        );
    }
}
