//! Login throttling per client IP and per e-mail, registration throttling per
//! client IP (GCRA, in memory).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Two keyed limiters; an attempt must pass both.
#[derive(Debug)]
pub struct LoginLimiter {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_email: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimiter {
    /// Allows `per_ip` and `per_email` attempts a minute, each as a burst.
    pub fn new(per_ip: u32, per_email: u32) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_minute(per_ip)),
            per_email: RateLimiter::keyed(per_minute(per_email)),
            clock: DefaultClock::default(),
        }
    }

    /// Allows `per_ip` and `per_key` an hour, each as a burst (account e-mails:
    /// verification resends and password resets).
    pub fn per_hour(per_ip: u32, per_key: u32) -> Self {
        let quota = |n: u32| Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip)),
            per_email: RateLimiter::keyed(quota(per_key)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts an attempt; `Err(seconds)` says how long to wait.
    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), u64> {
        let now = self.clock.now();
        let wait =
            |not_until: governor::NotUntil<_>| not_until.wait_time_from(now).as_secs().max(1);
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip).map_err(wait)?;
        }
        self.per_email
            .check_key(&kernel::normalize_identity(email))
            .map_err(wait)
    }

    /// Forgets keys whose limits have fully recovered (bounds memory).
    pub fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_email.retain_recent();
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
    fn the_email_limit_applies_across_ips_and_case() {
        let limiter = LoginLimiter::new(100, 2);
        let ip = |n| Some(IpAddr::from([127, 0, 0, n]));
        assert!(limiter.check(ip(1), "a@example.com").is_ok());
        assert!(limiter.check(ip(2), "A@example.com").is_ok());
        assert!(
            limiter
                .check(ip(3), "a@example.com")
                .is_err_and(|secs| secs >= 1)
        );
        assert!(limiter.check(ip(3), "b@example.com").is_ok());
    }

    #[test]
    fn the_ip_limit_applies_across_emails() {
        let limiter = LoginLimiter::new(2, 100);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(limiter.check(ip, "a@example.com").is_ok());
        assert!(limiter.check(ip, "b@example.com").is_ok());
        assert!(limiter.check(ip, "c@example.com").is_err());
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
