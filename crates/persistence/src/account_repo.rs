//! One-time account tokens and sessions ending (the export of an account's
//! data is `account_export.rs`; closing one is a unit of work, `uow/closure.rs`).

use async_trait::async_trait;
use identity::ports::AccountTokenRepository;
use identity::{OneTimeToken, PendingToken, TokenPurpose};
use kernel::{StoreError, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::error::store_err;
use crate::sql::{exec, stmt};

/// Jobs that are not finished: a party may not leave while one is open.
pub(crate) const OPEN_JOB_STATUSES: &str = "('new', 'in_progress', 'completed')";

/// Stores a token after marking the user's unused ones of its purpose used,
/// and queues its e-mail to the user's address, on `db` (a transaction).
pub(crate) async fn insert_token(
    db: &impl ConnectionTrait,
    user: UserId,
    token: &PendingToken,
) -> Result<(), StoreError> {
    let now = token.created_at;
    exec(
        db,
        "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
        vec![now.into(), user.0.into(), token.purpose.as_str().into()],
    )
    .await?;
    exec(
        db,
        "INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at, created_at) \
         VALUES (?, ?, ?, ?, ?)",
        vec![
            user.0.into(),
            token.purpose.as_str().into(),
            token.token_hash.clone().into(),
            token.expires_at.into(),
            now.into(),
        ],
    )
    .await?;
    // E-mail only: the link must not be copied into the in-app inbox.
    exec(
        db,
        "INSERT INTO email_outbox (to_email, subject, body_text, template, status, attempts, \
                                   next_attempt_at, created_at) \
         SELECT email, ?, ?, ?, 'pending', 0, ?, ? FROM users WHERE id = ?",
        vec![
            token.mail.subject.clone().into(),
            token.mail.body.clone().into(),
            token.mail.template.into(),
            now.into(),
            now.into(),
            user.0.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Revokes every live refresh token of a user but those of `keep_family`.
pub(crate) async fn revoke_all_sessions(
    db: &impl ConnectionTrait,
    user: UserId,
    keep_family: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    // On PostgreSQL, wait for in-flight rotations of the user's families (they
    // lock their family's rows) to commit, so the UPDATE below, a new
    // statement with a new snapshot, also revokes the token they added; a
    // rotation that comes after finds its old token revoked and stores nothing.
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.query_all_raw(stmt(
            db,
            "SELECT id FROM refresh_tokens WHERE user_id = ? ORDER BY id FOR UPDATE",
            vec![user.0.into()],
        ))
        .await
        .map_err(store_err)?;
    }
    crate::revocation_repo::record_sessions(
        db,
        crate::revocation_repo::Ending::AllOf {
            user,
            keep: keep_family,
        },
        now,
    )
    .await?;
    exec(
        db,
        "UPDATE refresh_tokens SET revoked_at = ? \
          WHERE user_id = ? AND revoked_at IS NULL AND family_id <> ?",
        vec![
            now.into(),
            user.0.into(),
            keep_family.unwrap_or_default().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Marks a token used if it is still redeemable at `now`: the row count says
/// whether this redemption won.
async fn claim(
    db: &impl ConnectionTrait,
    token: &OneTimeToken,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let claimed = exec(
        db,
        "UPDATE account_tokens SET used_at = ? \
          WHERE id = ? AND used_at IS NULL AND expires_at > ?",
        vec![now.into(), token.id.into(), now.into()],
    )
    .await?;
    Ok(claimed == 1)
}

/// [`AccountTokenRepository`] and [`AccountClosure`] over SQL.
#[derive(Debug, Clone)]
pub struct SqlAccountRepository {
    pub(crate) db: DatabaseConnection,
}

impl SqlAccountRepository {
    /// A repository on this connection pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AccountTokenRepository for SqlAccountRepository {
    async fn issue(&self, user: UserId, token: PendingToken) -> Result<(), StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        insert_token(&txn, user, &token).await?;
        txn.commit().await.map_err(store_err)
    }

    async fn find(&self, token_hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        let row = self
            .db
            .query_one_raw(stmt(
                &self.db,
                "SELECT id, user_id, purpose, expires_at, used_at FROM account_tokens \
                  WHERE token_hash = ?",
                vec![token_hash.into()],
            ))
            .await
            .map_err(store_err)?;
        let Some(r) = row else { return Ok(None) };
        let purpose: String = r.try_get_by_index(2).map_err(store_err)?;
        Ok(Some(OneTimeToken {
            id: r.try_get_by_index(0).map_err(store_err)?,
            user_id: UserId(r.try_get_by_index(1).map_err(store_err)?),
            purpose: TokenPurpose::parse(&purpose)
                .ok_or_else(|| StoreError::backend(format!("unknown token purpose {purpose}")))?,
            expires_at: r.try_get_by_index(3).map_err(store_err)?,
            used_at: r.try_get_by_index(4).map_err(store_err)?,
        }))
    }

    async fn redeem_verification(
        &self,
        token: &OneTimeToken,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if !claim(&txn, token, now).await? {
            return Ok(false);
        }
        exec(
            &txn,
            "UPDATE users SET email_verified = ?, updated_at = ? WHERE id = ?",
            vec![true.into(), now.into(), token.user_id.0.into()],
        )
        .await?;
        txn.commit().await.map_err(store_err)?;
        Ok(true)
    }

    async fn redeem_reset(
        &self,
        token: &OneTimeToken,
        password_hash: String,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let txn = self.db.begin().await.map_err(store_err)?;
        if !claim(&txn, token, now).await? {
            return Ok(false);
        }
        exec(
            &txn,
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
            vec![password_hash.into(), now.into(), token.user_id.0.into()],
        )
        .await?;
        revoke_all_sessions(&txn, token.user_id, None, now).await?;
        txn.commit().await.map_err(store_err)?;
        Ok(true)
    }
}
