//! Failed password checks per key (a normalised e-mail), GCRA in memory.
//!
//! Only failures cost: a correct password is never refused because earlier
//! checks of the same address succeeded. A check holds a reservation while it
//! runs, so concurrent wrong guesses cannot overtake the limit: recorded
//! failures plus checks in flight never exceed `limit`. The price of that
//! exact bound is that a `limit + 1`-th check started while `limit` others of
//! the same address are still hashing is refused, even with the right
//! password.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// What one key owes: the theoretical arrival time of its failures (GCRA),
/// and the checks under way.
#[derive(Debug, Default, Clone, Copy)]
struct Debt {
    tat: Option<Instant>,
    in_flight: u32,
}

/// `limit` failures per `window` per key, allowed as a burst; each recovers
/// after `window / limit`.
#[derive(Debug)]
pub struct FailureCounter {
    interval: Duration,
    limit: u32,
    keys: Mutex<HashMap<String, Debt>>,
}

impl FailureCounter {
    /// Allows `limit` failures per `window` (at least one).
    pub fn new(limit: u32, window: Duration) -> Self {
        let limit = limit.max(1);
        Self {
            interval: window / limit,
            limit,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<String, Debt>> {
        // A panic while holding the lock cannot leave a half-written `Debt`.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reserves a check of `key`; `Err(seconds)` says how long to wait.
    pub fn begin(&self, key: String) -> Result<Attempt<'_>, u64> {
        self.begin_at(key, Instant::now())
    }

    fn begin_at(&self, key: String, now: Instant) -> Result<Attempt<'_>, u64> {
        let mut keys = self.keys();
        let debt = keys.entry(key.clone()).or_default();
        let owed = debt
            .tat
            .map_or(Duration::ZERO, |tat| tat.saturating_duration_since(now));
        let wanted = owed + self.interval * (debt.in_flight + 1);
        let allowed = self.interval * self.limit;
        if wanted > allowed {
            let wait = wanted - allowed;
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        debt.in_flight += 1;
        Ok(Attempt {
            counter: self,
            key,
            failed_at: None,
        })
    }

    fn settle(&self, key: &str, failed_at: Option<Instant>) {
        let mut keys = self.keys();
        if let Some(debt) = keys.get_mut(key) {
            debt.in_flight = debt.in_flight.saturating_sub(1);
            if let Some(now) = failed_at {
                let from = debt.tat.map_or(now, |tat| tat.max(now));
                debt.tat = Some(from + self.interval);
            }
        }
    }

    /// Forgets keys with nothing owed and nothing in flight (bounds memory).
    pub fn prune(&self) {
        let now = Instant::now();
        self.keys()
            .retain(|_, d| d.in_flight > 0 || d.tat.is_some_and(|tat| tat > now));
    }
}

/// A password check under way. Dropping it ends the check without cost;
/// [`Attempt::failed`] records a failure.
#[derive(Debug)]
pub struct Attempt<'a> {
    counter: &'a FailureCounter,
    key: String,
    failed_at: Option<Instant>,
}

impl Attempt<'_> {
    /// The password was wrong: one failure is counted.
    pub fn failed(self) {
        self.failed_at(Instant::now());
    }

    fn failed_at(mut self, now: Instant) {
        self.failed_at = Some(now);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.counter.settle(&self.key, self.failed_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn key() -> String {
        "a@example.com".into()
    }

    #[test]
    fn successes_cost_nothing() {
        let counter = FailureCounter::new(2, MINUTE);
        for _ in 0..10 {
            assert!(counter.begin(key()).is_ok());
        }
    }

    #[test]
    fn failures_are_limited_and_recover() {
        let counter = FailureCounter::new(2, MINUTE);
        let t0 = Instant::now();
        for _ in 0..2 {
            counter.begin_at(key(), t0).map(|a| a.failed_at(t0)).ok();
        }
        let refused = counter.begin_at(key(), t0).map(drop);
        assert_eq!(refused, Err(30));
        assert!(counter.begin_at("b@example.com".into(), t0).is_ok());
        let later = t0 + Duration::from_secs(30);
        assert!(counter.begin_at(key(), later).is_ok());
    }

    #[test]
    fn checks_in_flight_count_until_they_end() {
        let counter = FailureCounter::new(2, MINUTE);
        let first = counter.begin(key());
        let second = counter.begin(key());
        assert!(first.is_ok() && second.is_ok());
        assert!(counter.begin(key()).is_err(), "a third concurrent guess");
        drop(first);
        assert!(counter.begin(key()).is_ok());
    }

    #[test]
    fn pruning_keeps_only_what_is_owed() {
        let counter = FailureCounter::new(2, MINUTE);
        counter.begin("ok@example.com".into()).map(drop).ok();
        counter.begin(key()).map(Attempt::failed).ok();
        counter.prune();
        assert_eq!(counter.keys().len(), 1);
    }
}
