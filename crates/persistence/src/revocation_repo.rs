//! The revocation log (`revoked_sessions`): written in the transaction of
//! each cause — a session ended, an account closed or banned — and read by
//! every instance into the set its bearer check and sockets consult.

use kernel::{StoreError, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::error::store_err;
use crate::sql::{exec, stmt};

/// What a row ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationKind {
    /// One session (refresh-token family) of the user.
    Session,
    /// The account was closed: every token issued before is void.
    Closed,
    /// The account was banned: every token issued before is void.
    Disabled,
}

impl RevocationKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Closed => "closed",
            Self::Disabled => "disabled",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "session" => Some(Self::Session),
            "closed" => Some(Self::Closed),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// Its place in the log.
    pub id: i64,
    /// Whose tokens it ends.
    pub user: UserId,
    /// The session, for [`RevocationKind::Session`].
    pub session: Option<String>,
    /// What it ends.
    pub kind: RevocationKind,
    /// When.
    pub at: Timestamp,
}

/// Records the end of every live session of `user` that `family_filter`
/// (an SQL condition on `refresh_tokens` with its values) selects; called
/// before the tokens are revoked, in the same transaction.
pub(crate) async fn record_sessions(
    db: &impl ConnectionTrait,
    user: UserId,
    family_filter: (&str, Vec<sea_orm::Value>),
    now: Timestamp,
) -> Result<(), StoreError> {
    let (condition, values) = family_filter;
    let sql = format!(
        "INSERT INTO revoked_sessions (user_id, session_id, kind, created_at) \
         SELECT DISTINCT user_id, family_id, 'session', ? FROM refresh_tokens \
          WHERE user_id = ? AND revoked_at IS NULL AND {condition}"
    );
    let mut all = vec![now.into(), user.0.into()];
    all.extend(values);
    exec(db, &sql, all).await?;
    Ok(())
}

/// Records that every token of `user` issued until now is void.
pub(crate) async fn record_account(
    db: &impl ConnectionTrait,
    user: UserId,
    kind: RevocationKind,
    now: Timestamp,
) -> Result<(), StoreError> {
    exec(
        db,
        "INSERT INTO revoked_sessions (user_id, session_id, kind, created_at) VALUES (?, NULL, ?, ?)",
        vec![user.0.into(), kind.as_str().into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Reads the log.
#[derive(Debug, Clone)]
pub struct SqlRevocationLog {
    db: DatabaseConnection,
}

impl SqlRevocationLog {
    /// A reader on this pool.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Rows newer than `since`, oldest first. Readers re-read a few seconds
    /// of overlap, since a row's transaction may commit after a later one's;
    /// applying a row twice changes nothing.
    pub async fn read(&self, since: Timestamp) -> Result<Vec<Revocation>, StoreError> {
        let rows = self
            .db
            .query_all_raw(stmt(
                &self.db,
                "SELECT id, user_id, session_id, kind, created_at FROM revoked_sessions \
                  WHERE created_at > ? ORDER BY id LIMIT 100000",
                vec![since.into()],
            ))
            .await
            .map_err(store_err)?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("", "kind").map_err(store_err)?;
                Ok(Revocation {
                    id: r.try_get("", "id").map_err(store_err)?,
                    user: UserId(r.try_get("", "user_id").map_err(store_err)?),
                    session: r.try_get("", "session_id").map_err(store_err)?,
                    kind: RevocationKind::parse(&kind)
                        .ok_or_else(|| StoreError::Backend(format!("unknown revocation {kind}")))?,
                    at: r.try_get("", "created_at").map_err(store_err)?,
                })
            })
            .collect()
    }

    /// Deletes rows older than `before` (they can void no live token).
    pub async fn prune(&self, before: Timestamp) -> Result<u64, StoreError> {
        exec(
            &self.db,
            "DELETE FROM revoked_sessions WHERE created_at < ?",
            vec![before.into()],
        )
        .await
    }
}
