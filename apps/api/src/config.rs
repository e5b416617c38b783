//! Settings: defaults in code, then the TOML file named by `STM_CONFIG`, then
//! `STM__SECTION__KEY` environment variables. Invalid settings stop the start
//! with a message naming the key; secrets never appear in logs or `Debug`.

use serde::Deserialize;

pub use crate::storage_config::{StorageBackend, StorageSettings};

/// A secret string: deserialised normally, never printed.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for use (never for logging).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// Every setting of the server.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// HTTP listener and logging.
    pub server: ServerSettings,
    /// Database connection.
    pub database: DatabaseSettings,
    /// Tokens and login throttling.
    pub auth: AuthSettings,
    /// The first admin account.
    pub bootstrap: BootstrapSettings,
    /// Where local state (SQLite file, generated secrets) and attachments live.
    pub storage: StorageSettings,
    /// Outgoing e-mail.
    pub email: crate::background_config::EmailSettings,
    /// Background jobs.
    pub jobs: crate::background_config::JobsSettings,
    /// Real-time sockets and the event feed.
    pub realtime: crate::realtime::RealtimeSettings,
    pub search: SearchSettings,
    /// Who may read `/metrics`.
    pub metrics: crate::http::metrics_access::MetricsSettings,
}

/// `[search]`
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// Salt of anonymous searcher keys (≥ 32 bytes), the same on every instance;
    /// generated into the data folder when unset.
    pub searcher_secret: Option<Secret>,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Interface to bind.
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Origins allowed by CORS (exact matches); empty allows none.
    pub cors_allowed_origins: Vec<String>,
    /// Log as JSON lines instead of text.
    pub json_logs: bool,
    /// Default log filter when `RUST_LOG` is unset.
    pub log_level: String,
    /// Seconds in-flight requests get to finish on SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// The address the frontends serve, under which e-mailed links point
    /// (`{public_url}/verify-email?token=…`, `{public_url}/reset-password?token=…`).
    pub public_url: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            cors_allowed_origins: Vec::new(),
            json_logs: false,
            log_level: "info".into(),
            shutdown_timeout_secs: 30,
            public_url: "http://localhost:8080".into(),
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://…` or `postgres://…`; unset means `<data_dir>/stm.db`.
    pub url: Option<Secret>,
    /// Pool size.
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 16,
        }
    }
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// HMAC key for access tokens (≥ 32 bytes); generated into the data folder when unset.
    pub jwt_secret: Option<Secret>,
    /// `iss` of access tokens.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// Access-token lifetime.
    pub access_ttl_secs: i64,
    /// Refresh-token lifetime.
    pub refresh_ttl_days: i64,
    /// Login attempts allowed per client IP per minute.
    pub login_attempts_per_minute_per_ip: u32,
    /// Failed password checks allowed per e-mail per minute (successes are free).
    pub login_attempts_per_minute_per_email: u32,
    /// Registrations allowed per client IP per minute.
    pub registrations_per_minute_per_ip: u32,
    /// Password hashes (argon2id, 19 MiB each) running at once.
    pub hashing_concurrency: usize,
    /// Requests that may wait for a hashing slot; past them, 503.
    pub hashing_queue: usize,
    /// The longest a request waits for a hashing slot before a 503, in milliseconds.
    pub hashing_wait_ms: u64,
    /// Creating jobs, applying as a provider and opening threads need a
    /// verified e-mail (403 `email_unverified`).
    pub require_verified_email: bool,
    /// Account e-mails (verification resends, password resets) per client IP per hour.
    pub account_emails_per_hour_per_ip: u32,
    /// Account e-mails per address (or user) per hour.
    pub account_emails_per_hour_per_email: u32,
}

impl AuthSettings {
    /// The hashing gate's limits.
    pub fn hash_limits(&self) -> crate::auth::HashLimits {
        crate::auth::HashLimits {
            concurrency: self.hashing_concurrency,
            queue: self.hashing_queue,
            wait: std::time::Duration::from_millis(self.hashing_wait_ms),
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            issuer: "stm".into(),
            audience: "stm-api".into(),
            access_ttl_secs: 900,
            refresh_ttl_days: 30,
            login_attempts_per_minute_per_ip: 30,
            login_attempts_per_minute_per_email: 5,
            registrations_per_minute_per_ip: 10,
            hashing_concurrency: 2,
            hashing_queue: 32,
            hashing_wait_ms: 2_000,
            require_verified_email: false,
            account_emails_per_hour_per_ip: 30,
            account_emails_per_hour_per_email: 5,
        }
    }
}

/// `[bootstrap]`
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BootstrapSettings {
    /// E-mail of an admin to ensure at start.
    pub admin_email: Option<String>,
    /// Its password (used only when the account is created).
    pub admin_password: Option<Secret>,
}

/// Settings could not be loaded; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

pub(crate) fn invalid(key: &str, why: &str) -> ConfigError {
    ConfigError(format!("`{key}` {why}"))
}

impl Settings {
    /// Loads defaults ← `STM_CONFIG` file ← `STM__*` variables, then validates.
    pub fn load() -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder();
        if let Ok(path) = std::env::var("STM_CONFIG") {
            builder = builder.add_source(config::File::with_name(&path).required(true));
        }
        let env = config::Environment::with_prefix("STM")
            .prefix_separator("__")
            .separator("__")
            .list_separator(",")
            .with_list_parse_key("server.cors_allowed_origins")
            .try_parsing(true);
        let settings: Settings = builder
            .add_source(env)
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(|e| ConfigError(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.metrics.validate()?;
        if self.server.host.trim().is_empty() {
            return Err(invalid("server.host", "must not be empty"));
        }
        for origin in &self.server.cors_allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://"))
                || origin.ends_with('/')
            {
                return Err(invalid(
                    "server.cors_allowed_origins",
                    "must list origins like https://app.example.com",
                ));
            }
        }
        if let Some(url) = &self.database.url
            && persistence::Backend::of_url(url.expose()).is_none()
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        if !(1..=1_000).contains(&self.database.max_connections) {
            return Err(invalid(
                "database.max_connections",
                "must be between 1 and 1000",
            ));
        }
        if self
            .auth
            .jwt_secret
            .as_ref()
            .is_some_and(|s| s.expose().len() < 32)
        {
            return Err(invalid("auth.jwt_secret", "must be at least 32 bytes"));
        }
        if self
            .search
            .searcher_secret
            .as_ref()
            .is_some_and(|s| s.expose().len() < supply::searcher::MIN_SECRET_BYTES)
        {
            return Err(invalid(
                "search.searcher_secret",
                "must be at least 32 bytes",
            ));
        }
        if self.auth.issuer.is_empty() || self.auth.audience.is_empty() {
            return Err(invalid(
                "auth.issuer",
                "and `auth.audience` must not be empty",
            ));
        }
        if self.auth.audience == crate::startup::PORTAL_AUDIENCE {
            return Err(invalid(
                "auth.audience",
                "must differ from the client-portal audience `stm-portal`",
            ));
        }
        if !(60..=86_400).contains(&self.auth.access_ttl_secs) {
            return Err(invalid(
                "auth.access_ttl_secs",
                "must be between 60 and 86400",
            ));
        }
        if !(1..=365).contains(&self.auth.refresh_ttl_days) {
            return Err(invalid(
                "auth.refresh_ttl_days",
                "must be between 1 and 365",
            ));
        }
        if self.auth.login_attempts_per_minute_per_ip == 0
            || self.auth.login_attempts_per_minute_per_email == 0
        {
            return Err(invalid(
                "auth.login_attempts_per_minute_per_email",
                "and the per-IP limit must be positive",
            ));
        }
        if self.auth.registrations_per_minute_per_ip == 0 {
            return Err(invalid(
                "auth.registrations_per_minute_per_ip",
                "must be positive",
            ));
        }
        if !(1..=64).contains(&self.auth.hashing_concurrency) {
            return Err(invalid(
                "auth.hashing_concurrency",
                "must be between 1 and 64 (each hash holds 19 MiB)",
            ));
        }
        if self.auth.hashing_queue > 10_000 {
            return Err(invalid("auth.hashing_queue", "must be at most 10000"));
        }
        if self.auth.hashing_wait_ms > 60_000 {
            return Err(invalid("auth.hashing_wait_ms", "must be at most 60000"));
        }
        match (&self.bootstrap.admin_email, &self.bootstrap.admin_password) {
            (Some(_), None) => {
                return Err(invalid(
                    "bootstrap.admin_password",
                    "is required with bootstrap.admin_email",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "bootstrap.admin_email",
                    "is required with bootstrap.admin_password",
                ));
            }
            _ => {}
        }
        self.storage.validate()?;
        self.email.validate()?;
        self.jobs.validate()?;
        self.realtime.validate()?;
        Ok(())
    }

    /// The database URL in force: the configured one, or SQLite in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.storage.data_dir.join("stm.db").display()
            ),
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
