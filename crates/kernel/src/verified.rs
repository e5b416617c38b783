//! The verified-e-mail policy (`auth.require_verified_email`): actions that
//! reach other people — booking a provider, asking about a listing, applying
//! as a provider — need a verified address when the platform requires one.
//! The use cases of those actions ask it first; the lookup is a port.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{StoreError, UserId};

/// The future a lookup returns.
pub type Lookup<'a> = Pin<Box<dyn Future<Output = Result<bool, StoreError>> + Send + 'a>>;

/// Whether a user's e-mail address is verified, read fresh (a token may
/// predate the verification).
pub trait EmailVerification: Send + Sync {
    /// `true` when `user`'s address is verified; an unknown user is not.
    fn is_verified(&self, user: UserId) -> Lookup<'_>;
}

/// The policy in force: off, or required with the lookup that checks it.
#[derive(Clone, Default)]
pub struct VerifiedEmailPolicy(Option<Arc<dyn EmailVerification>>);

impl std::fmt::Debug for VerifiedEmailPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "VerifiedEmailPolicy::Required"
        } else {
            "VerifiedEmailPolicy::Off"
        })
    }
}

impl VerifiedEmailPolicy {
    /// No verified address needed (the default).
    pub fn off() -> Self {
        Self(None)
    }

    /// A verified address needed, checked by `lookup`.
    pub fn required(lookup: Arc<dyn EmailVerification>) -> Self {
        Self(Some(lookup))
    }

    /// Whether `user` may take an action the policy covers.
    pub async fn admits(&self, user: UserId) -> Result<bool, StoreError> {
        match &self.0 {
            None => Ok(true),
            Some(lookup) => lookup.is_verified(user).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Verified(bool);

    impl EmailVerification for Verified {
        fn is_verified(&self, _: UserId) -> Lookup<'_> {
            let answer = self.0;
            Box::pin(async move { Ok(answer) })
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        // The futures here never wait: poll once with a no-op waker.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the future waited"),
        }
    }

    #[test]
    fn off_admits_everyone_and_required_asks_the_lookup() {
        assert_eq!(
            block_on(VerifiedEmailPolicy::off().admits(UserId(1))),
            Ok(true)
        );
        let yes = VerifiedEmailPolicy::required(Arc::new(Verified(true)));
        let no = VerifiedEmailPolicy::required(Arc::new(Verified(false)));
        assert_eq!(block_on(yes.admits(UserId(1))), Ok(true));
        assert_eq!(block_on(no.admits(UserId(1))), Ok(false));
    }
}
