//! Keyed hashes of an applicant's e-mail and phone (HMAC-SHA-256), kept on a
//! rejected provider application once its user has left, so the
//! re-application guard still recognises them without storing them.

use sha2::{Digest, Sha256};

/// The secret the hashes are keyed with (derived from server configuration),
/// so a copy of the database alone cannot test guesses against them.
#[derive(Clone, Default)]
pub struct ApplicantKey(Vec<u8>);

impl std::fmt::Debug for ApplicantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplicantKey(..)")
    }
}

impl ApplicantKey {
    /// A key from secret bytes.
    pub fn new(secret: &[u8]) -> Self {
        Self(secret.to_vec())
    }

    /// HMAC-SHA-256 of `value`, hex.
    pub fn hash(&self, value: &str) -> String {
        const BLOCK: usize = 64;
        let mut key = if self.0.len() > BLOCK {
            Sha256::digest(&self.0).to_vec()
        } else {
            self.0.clone()
        };
        key.resize(BLOCK, 0);
        let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(value.as_bytes())
            .finalize();
        let outer = Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize();
        outer.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::ApplicantKey;

    #[test]
    fn matches_rfc_4231_test_case_2() {
        let key = ApplicantKey::new(b"Jefe");
        assert_eq!(
            key.hash("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
