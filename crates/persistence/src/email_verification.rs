//! The lookup behind the verified-e-mail policy: the user's row, read fresh.

use kernel::verified::Lookup;
use kernel::{EmailVerification, UserId};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entities::users;
use crate::error::store_err;

/// Reads `users.email_verified`; an unknown user is not verified.
#[derive(Debug, Clone)]
pub struct SqlEmailVerification {
    db: DatabaseConnection,
}

impl SqlEmailVerification {
    /// The lookup on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl EmailVerification for SqlEmailVerification {
    fn is_verified(&self, user: UserId) -> Lookup<'_> {
        Box::pin(async move {
            let row = users::Entity::find_by_id(user.0)
                .one(&self.db)
                .await
                .map_err(store_err)?;
            Ok(row.is_some_and(|u| u.email_verified))
        })
    }
}
