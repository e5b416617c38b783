//! `[email]` and `[jobs]`: the outbox worker and the scheduled jobs.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::{ConfigError, Secret, invalid};

/// `email.smtp_tls`: how the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same host or a trusted network.
    #[default]
    None,
    /// Plain connection upgraded with `STARTTLS`, which the relay must offer
    /// (never falls back to plain text); usually port 587.
    Starttls,
    /// TLS from the first byte (implicit TLS, "SMTPS"); usually port 465.
    Tls,
}

/// `[email]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    /// SMTP relay host; unset sends e-mails to the log.
    pub smtp_host: Option<String>,
    /// SMTP port (usually 25 or 587 with `none`/`starttls`, 465 with `tls`).
    pub smtp_port: u16,
    /// How the connection to the relay is secured.
    pub smtp_tls: SmtpTls,
    /// A PEM file of extra root certificates trusted for the relay (a private
    /// CA, or a self-signed relay), on top of the system's roots.
    pub smtp_ca_file: Option<PathBuf>,
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
            smtp_tls: SmtpTls::None,
            smtp_ca_file: None,
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
        if let Some(path) = &self.smtp_ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| invalid("email.smtp_ca_file", &format!("cannot be read: {e}")))?;
            if lettre::transport::smtp::client::Certificate::from_pem(&pem).is_err()
                || !pem.windows(11).any(|w| w == b"CERTIFICATE")
            {
                return Err(invalid(
                    "email.smtp_ca_file",
                    "must hold PEM certificates (-----BEGIN CERTIFICATE-----)",
                ));
            }
            if self.smtp_tls == SmtpTls::None {
                return Err(invalid(
                    "email.smtp_ca_file",
                    "needs `email.smtp_tls` = \"starttls\" or \"tls\"",
                ));
            }
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
        let bad = EmailSettings {
            smtp_ca_file: Some("/nonexistent/ca.pem".into()),
            smtp_tls: SmtpTls::Tls,
            ..EmailSettings::default()
        };
        assert!(
            bad.validate()
                .err()
                .is_some_and(|e| e.to_string().contains("email.smtp_ca_file"))
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
