//! Who searched, as popularity counts them: one key per person per day.
//!
//! A signed-in searcher is `u:<user id>`. An anonymous one is
//! `a:` + hex(SHA-256(secret ‖ day ‖ client address)): the secret is shared by
//! every instance (so all of them give one client the same key) and the day
//! (UTC, `YYYY-MM-DD`) changes the key at midnight, so keys of two days cannot
//! be linked to each other nor, without the secret, to an address.

use std::net::IpAddr;

use chrono::NaiveDate;
use kernel::UserId;
use sha2::{Digest, Sha256};

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The server-wide salt of anonymous searcher keys; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SearcherSecret(Vec<u8>);

impl SearcherSecret {
    /// Wraps a secret of at least [`MIN_SECRET_BYTES`] bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Option<Self> {
        let bytes = bytes.into();
        (bytes.len() >= MIN_SECRET_BYTES).then_some(Self(bytes))
    }
}

impl std::fmt::Debug for SearcherSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearcherSecret(***)")
    }
}

/// The caller of a search, as far as counting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Searcher {
    /// A signed-in user.
    User(UserId),
    /// Nobody signed in, seen from this address (`None` when the transport
    /// has no peer address: all such callers share one key).
    Anonymous(Option<IpAddr>),
}

/// The key one searcher has on `day`.
pub fn searcher_key(searcher: Searcher, secret: &SearcherSecret, day: NaiveDate) -> String {
    match searcher {
        Searcher::User(id) => format!("u:{}", id.0),
        Searcher::Anonymous(ip) => {
            let address = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
            let mut hash = Sha256::new();
            hash.update(&secret.0);
            // Separators keep (secret, day, address) unambiguous.
            hash.update(b"\n");
            hash.update(day.format("%Y-%m-%d").to_string().as_bytes());
            hash.update(b"\n");
            hash.update(address.as_bytes());
            let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
            format!("a:{hex}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(fill: u8) -> SearcherSecret {
        SearcherSecret::new(vec![fill; 32]).unwrap_or_else(|| panic!("32 bytes"))
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn anon(last: u8) -> Searcher {
        Searcher::Anonymous(Some(IpAddr::from([203, 0, 113, last])))
    }

    #[test]
    fn same_address_same_day_is_the_same_key() {
        let k = searcher_key(anon(7), &secret(1), day(30));
        assert_eq!(k, searcher_key(anon(7), &secret(1), day(30)));
        assert!(k.starts_with("a:") && k.len() == 2 + 64, "{k}");
        assert!(!k.contains("203.0.113"));
    }

    #[test]
    fn another_day_another_address_or_another_secret_is_another_key() {
        let k = searcher_key(anon(7), &secret(1), day(30));
        assert_ne!(k, searcher_key(anon(7), &secret(1), day(29)));
        assert_ne!(k, searcher_key(anon(8), &secret(1), day(30)));
        assert_ne!(k, searcher_key(anon(7), &secret(2), day(30)));
    }

    #[test]
    fn a_user_is_the_same_key_every_day_and_short_secrets_are_refused() {
        let user = Searcher::User(UserId(42));
        assert_eq!(searcher_key(user, &secret(1), day(1)), "u:42");
        assert_eq!(searcher_key(user, &secret(2), day(2)), "u:42");
        assert!(SearcherSecret::new(vec![0; 31]).is_none());
        assert!(!format!("{:?}", secret(b'x')).contains("xxx"));
    }
}
