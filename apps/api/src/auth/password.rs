//! argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane), run off the
//! async threads behind a bounded gate (a few at once, a short queue, then busy).

use argon2::password_hash::{Output, PasswordHash, SaltString, rand_core::OsRng};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use identity::ports::{HashError, PasswordHasher};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// How much hashing may run at once, and how long a request may queue for it.
///
/// Each argon2id hash holds 19 MiB while it runs, so concurrent hashes are the
/// server's largest memory cost: unbounded, a flood of registrations drives the
/// resident size to gigabytes. Beyond `concurrency` running hashes, up to
/// `queue` requests wait (first come, first served) for at most `wait`; any
/// other request is refused at once as busy (503 with `Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    /// Hashes running at once (`auth.hashing_concurrency`).
    pub concurrency: usize,
    /// Requests waiting for a slot (`auth.hashing_queue`).
    pub queue: usize,
    /// The longest a request waits for a slot (`auth.hashing_wait_ms`).
    pub wait: Duration,
}

impl Default for HashLimits {
    fn default() -> Self {
        Self {
            concurrency: 2,
            queue: 32,
            wait: Duration::from_secs(2),
        }
    }
}

/// The bounded entry to the blocking pool for hashing work.
#[derive(Debug)]
struct Gate {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    limits: HashLimits,
}

/// Leaves the queue when dropped (admitted, timed out or abandoned).
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    fn new(limits: HashLimits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            limits,
        }
    }

    /// A slot now, or after waiting in the queue; `Busy` when the queue is
    /// full or the wait runs out.
    async fn admit(&self) -> Result<OwnedSemaphorePermit, HashError> {
        if let Ok(slot) = self.slots.clone().try_acquire_owned() {
            return Ok(slot);
        }
        let queue = self.limits.queue;
        self.waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < queue).then_some(n + 1)
            })
            .map_err(|_| HashError::Busy)?;
        let _queued = Queued(&self.waiting);
        match tokio::time::timeout(self.limits.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(HashError::Busy),
        }
    }

    /// Runs `work` on the blocking pool once admitted. The slot moves into the
    /// blocking task: a request abandoned mid-hash still holds it until the
    /// hash is done, so the bound is on memory really in use.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let slot = self.admit().await?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(slot);
            result
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))
    }
}

/// The production [`PasswordHasher`]: argon2id on the blocking pool, behind a
/// bounded gate shared by every clone.
#[derive(Debug, Clone)]
pub struct Argon2Hasher {
    /// Verified against when the e-mail is unknown, so both paths cost the same.
    dummy_hash: Arc<str>,
    gate: Arc<Gate>,
}

impl Argon2Hasher {
    /// Prepares the dummy hash (one hashing, at start), with the default limits.
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            dummy_hash: hash_blocking("dummy password for timing")?.into(),
            gate: Arc::new(Gate::new(HashLimits::default())),
        })
    }

    /// The same hasher under `limits` (a fresh gate).
    pub fn bounded(self, limits: HashLimits) -> Self {
        Self {
            gate: Arc::new(Gate::new(limits)),
            ..self
        }
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.gate
            .run(move || hash_blocking(&password))
            .await?
            .map_err(HashError::Failed)
    }

    async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, HashError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let password = password.to_owned();
        let ok = self
            .gate
            .run(move || verify_blocking(&password, &hash))
            .await?;
        Ok(known && ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Occupies the gate's only slot until the returned sender is dropped.
    fn hold(gate: &Arc<Gate>) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
        let (release, held) = std::sync::mpsc::channel::<()>();
        let g = gate.clone();
        let task = tokio::spawn(async move {
            let _ = g.run(move || held.recv()).await;
        });
        (release, task)
    }

    async fn until(what: impl Fn() -> bool) {
        while !what() {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_slots_requests_queue_and_past_the_queue_they_are_busy() {
        let gate = Arc::new(Gate::new(HashLimits {
            concurrency: 1,
            queue: 1,
            wait: Duration::from_secs(600),
        }));
        let (release, holder) = hold(&gate);
        until(|| gate.slots.available_permits() == 0).await;
        let g = gate.clone();
        let queued = tokio::spawn(async move { g.run(|| 42).await });
        until(|| gate.waiting.load(Ordering::Acquire) == 1).await;
        // The slot is taken and the queue is full: refused at once, not after the wait.
        assert_eq!(gate.run(|| 0).await, Err(HashError::Busy));
        drop(release);
        assert_eq!(queued.await.unwrap_or_else(|e| panic!("{e}")), Ok(42));
        holder.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(gate.waiting.load(Ordering::Acquire), 0);
        assert_eq!(gate.slots.available_permits(), 1);
        assert_eq!(gate.run(|| 7).await, Ok(7));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_queued_request_gives_up_when_its_wait_runs_out() {
        let gate = Arc::new(Gate::new(HashLimits {
            concurrency: 1,
            queue: 4,
            wait: Duration::from_millis(20),
        }));
        let (release, holder) = hold(&gate);
        until(|| gate.slots.available_permits() == 0).await;
        assert_eq!(gate.run(|| 0).await, Err(HashError::Busy));
        assert_eq!(gate.waiting.load(Ordering::Acquire), 0, "left the queue");
        drop(release);
        holder.await.unwrap_or_else(|e| panic!("{e}"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_abandoned_request_keeps_its_slot_until_the_hash_is_done() {
        let gate = Arc::new(Gate::new(HashLimits {
            concurrency: 1,
            queue: 0,
            wait: Duration::from_secs(600),
        }));
        let (release, holder) = hold(&gate);
        until(|| gate.slots.available_permits() == 0).await;
        // The request goes away (client disconnected); its hash still runs.
        holder.abort();
        let _ = holder.await;
        assert_eq!(gate.run(|| 0).await, Err(HashError::Busy));
        drop(release);
        until(|| gate.slots.available_permits() == 1).await;
        assert_eq!(gate.run(|| 1).await, Ok(1));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_hasher_hashes_and_verifies_through_the_gate() {
        let hasher = Argon2Hasher::new()
            .unwrap_or_else(|e| panic!("{e}"))
            .bounded(HashLimits::default());
        let hash = hasher
            .hash("correct horse battery")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            hasher
                .verify("correct horse battery", Some(hash.clone()))
                .await,
            Ok(true)
        );
        assert_eq!(
            hasher.verify("wrong horse battery", Some(hash)).await,
            Ok(false)
        );
        assert_eq!(
            hasher.verify("dummy password for timing", None).await,
            Ok(false)
        );
    }

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
