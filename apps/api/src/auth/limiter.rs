//! Login throttling per client IP (every attempt) and per e-mail (failures
//! only), account e-mails per client IP and address, registrations per client
//! IP (GCRA, in memory, per instance).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::failures::{Attempt, FailureCounter};

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// Login throttling: every attempt counts against the client IP, only
/// failures against the e-mail (see [`FailureCounter`]).
#[derive(Debug)]
pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_email: FailureCounter,
    clock: DefaultClock,
}

impl LoginLimiter {
    /// Allows `per_ip` attempts and `per_email` failures a minute, each as a burst.
    pub fn new(per_ip: u32, per_email: u32) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_minute(per_ip)),
            per_email: FailureCounter::new(per_email, Duration::from_secs(60)),
            clock: DefaultClock::default(),
        }
    }

    /// Starts a password check for `email` (normalised; any other key, such
    /// as the portal's tenant + e-mail, as given): refused while the address
    /// has used up its failures or the IP its attempts. `Err(seconds)` says
    /// how long to wait; call [`Attempt::failed`] when the password is wrong.
    pub fn begin(&self, ip: Option<IpAddr>, email: &str) -> Result<Attempt<'_>, u64> {
        let attempt = self.per_email.begin(kernel::normalize_identity(email))?;
        if let Some(ip) = ip {
            let now = self.clock.now();
            self.per_ip
                .check_key(&ip)
                .map_err(|not_until| not_until.wait_time_from(now).as_secs().max(1))?;
        }
        Ok(attempt)
    }

    /// Forgets keys whose limits have fully recovered (bounds memory).
    pub fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_email.prune();
    }
}

/// Account e-mails (verification resends, password resets): every request
/// counts, per client IP and per address or user.
#[derive(Debug)]
pub struct MailLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_key: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl MailLimiter {
    /// Allows `per_ip` and `per_key` an hour, each as a burst.
    pub fn per_hour(per_ip: u32, per_key: u32) -> Self {
        let quota = |n: u32| Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip)),
            per_key: RateLimiter::keyed(quota(per_key)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts a request; `Err(seconds)` says how long to wait.
    pub fn check(&self, ip: Option<IpAddr>, key: &str) -> Result<(), u64> {
        let now = self.clock.now();
        let wait =
            |not_until: governor::NotUntil<_>| not_until.wait_time_from(now).as_secs().max(1);
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip).map_err(wait)?;
        }
        self.per_key
            .check_key(&kernel::normalize_identity(key))
            .map_err(wait)
    }

    /// Forgets keys whose limits have fully recovered (bounds memory).
    pub fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_key.retain_recent();
    }
}

/// Registrations per client IP: each one costs a 19 MiB hash and a new
/// account, so one address cannot create them in bulk.
#[derive(Debug)]
pub struct RegistrationLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl RegistrationLimiter {
    /// Allows `per_ip` registrations a minute, as a burst.
    pub fn new(per_ip: u32) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_minute(per_ip)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts a registration; `Err(seconds)` says how long to wait. Without a
    /// peer address (not over TCP) nothing is counted.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        let Some(ip) = ip else {
            return Ok(());
        };
        let now = self.clock.now();
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(now).as_secs().max(1))
    }

    /// Forgets addresses whose limit has fully recovered (bounds memory).
    pub fn prune(&self) {
        self.per_ip.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_failures_apply_across_ips_and_case() {
        let limiter = LoginLimiter::new(100, 2);
        let ip = |n| Some(IpAddr::from([127, 0, 0, n]));
        for (n, email) in [(1, "a@example.com"), (2, "A@example.com")] {
            limiter.begin(ip(n), email).map(Attempt::failed).ok();
        }
        assert!(
            limiter
                .begin(ip(3), "a@example.com")
                .is_err_and(|secs| secs >= 1)
        );
        assert!(limiter.begin(ip(3), "b@example.com").is_ok());
    }

    #[test]
    fn successful_logins_do_not_use_up_the_email() {
        let limiter = LoginLimiter::new(100, 2);
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..6 {
            assert!(limiter.begin(ip, "a@example.com").is_ok());
        }
    }

    #[test]
    fn the_ip_limit_counts_every_attempt() {
        let limiter = LoginLimiter::new(2, 100);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(limiter.begin(ip, "a@example.com").is_ok());
        assert!(limiter.begin(ip, "b@example.com").is_ok());
        assert!(limiter.begin(ip, "c@example.com").is_err());
    }

    #[test]
    fn account_mails_count_every_request() {
        let limiter = MailLimiter::per_hour(100, 2);
        assert!(limiter.check(None, "a@example.com").is_ok());
        assert!(limiter.check(None, "A@example.com").is_ok());
        assert!(limiter.check(None, "a@example.com").is_err());
    }

    #[test]
    fn registrations_are_limited_per_ip_only() {
        let limiter = RegistrationLimiter::new(2);
        let ip = |n| Some(IpAddr::from([10, 0, 0, n]));
        assert!(limiter.check(ip(1)).is_ok());
        assert!(limiter.check(ip(1)).is_ok());
        assert!(limiter.check(ip(1)).is_err_and(|secs| secs >= 1));
        assert!(limiter.check(ip(2)).is_ok());
    }
}
