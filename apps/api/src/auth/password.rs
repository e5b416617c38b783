//! argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane), run off the async threads.

use argon2::password_hash::{Output, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use identity::ports::PasswordHasher;

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Blocks of argon2's working memory handed to it: more than glibc's largest
/// dynamic mmap threshold (32 MiB), so the state is always a mapping of its
/// own, returned to the system when the hash is done. Left to allocate its 19
/// MiB itself, argon2 raised that threshold at the first free and every later
/// hash stayed in the heap for good (docs/performance.md). Only the 19 MiB the
/// parameters use are ever touched.
const STATE_BLOCKS: usize = 33 * 1024;

/// The raw argon2id output of `password` with `salt` under `argon`'s parameters.
fn derive(argon: &Argon2<'_>, password: &[u8], salt: &[u8], len: usize) -> Result<Output, String> {
    let mut out = vec![0u8; len];
    let used = argon.params().block_count();
    // Reserved above the threshold, zeroed only as far as the parameters use.
    let mut state = Vec::with_capacity(STATE_BLOCKS.max(used));
    state.resize(used, argon2::Block::default());
    argon
        .hash_password_into_with_memory(password, salt, &mut out, &mut state)
        .map_err(|e| e.to_string())?;
    drop(state);
    Output::new(&out).map_err(|e| e.to_string())
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut raw = [0u8; 64];
    let raw = salt.decode_b64(&mut raw).map_err(|e| e.to_string())?;
    let argon = argon2();
    let hash = derive(&argon, password.as_bytes(), raw, Params::DEFAULT_OUTPUT_LEN)?;
    let params = argon.params();
    // The PHC string `argon2::PasswordHasher` writes.
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${hash}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        salt.as_str()
    ))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    let mut raw = [0u8; 64];
    let Ok(raw) = salt.decode_b64(&mut raw) else {
        return false;
    };
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    // `Output`'s equality is constant-time.
    derive(&argon, password.as_bytes(), raw, expected.len()).is_ok_and(|got| got == expected)
}

/// The production [`PasswordHasher`].
#[derive(Debug, Clone)]
pub struct Argon2Hasher {
    /// Verified against when the e-mail is unknown, so both paths cost the same.
    dummy_hash: String,
}

impl Argon2Hasher {
    /// Prepares the dummy hash (one hashing, at start).
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            dummy_hash: hash_blocking("dummy password for timing")?,
        })
    }

    /// Hashes on the blocking pool (also used by the billing portal).
    pub async fn hash_password(password: String) -> Result<String, String> {
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(|e| e.to_string())?
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, String> {
        Self::hash_password(password.to_owned()).await
    }

    async fn verify(&self, password: &str, hash: Option<String>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
            .await
            .unwrap_or(false);
        known && ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hash = hash_blocking("correct horse battery").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking("correct horse battery", &hash));
        assert!(!verify_blocking("wrong horse battery", &hash));
        assert!(!verify_blocking("anything", "not a phc string"));
    }

    #[test]
    fn hashes_interoperate_with_the_crates_own_hasher() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let ours = hash_blocking("correct horse battery").unwrap_or_else(|e| panic!("{e}"));
        let parsed = PasswordHash::new(&ours).unwrap_or_else(|e| panic!("{e}: {ours}"));
        assert!(
            argon2()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2()
            .hash_password(b"correct horse battery", &salt)
            .map(|h| h.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(verify_blocking("correct horse battery", &theirs));
        assert!(!verify_blocking("correct horse batter", &theirs));
        // Other parameters verify with their own cost, as before.
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("{e}")),
        )
        .hash_password(b"pw-123456789", &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(verify_blocking("pw-123456789", &light));
    }
}
