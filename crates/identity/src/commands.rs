//! What the account use cases take: the commands as received and the
//! token lifetimes.

use chrono::Duration;

/// Registration input as received (unvalidated).
#[derive(Debug, Clone, Default)]
pub struct RegisterCommand {
    /// E-mail.
    pub email: String,
    pub password: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// `customer` or `provider`.
    pub role: String,
    /// Optional phone.
    pub phone: Option<String>,
    /// Optional home zipcode.
    pub zipcode: Option<String>,
    /// The client's `User-Agent`, for the sessions list.
    pub user_agent: Option<String>,
}

/// Login input as received.
#[derive(Debug, Clone, Default)]
pub struct LoginCommand {
    /// E-mail.
    pub email: String,
    pub password: String,
    /// The client's `User-Agent`, for the sessions list.
    pub user_agent: Option<String>,
}

/// How long refresh tokens live.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            refresh_ttl: Duration::days(30),
        }
    }
}
