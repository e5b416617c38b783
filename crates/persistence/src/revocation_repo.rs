//! The revocation log (`revoked_sessions`): written in the transaction of
//! each cause — a session ended, an account closed or banned — and read by
//! every instance into the set its bearer check and sockets consult.

use kernel::{StoreError, Timestamp, UserId};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::effects::EVENTS_CHANNEL;
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
    pub at: Timestamp,
}

/// Which live sessions a revocation ends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ending<'a> {
    /// Every session of the user but `keep` (a password change keeps the caller's).
    AllOf { user: UserId, keep: Option<&'a str> },
    /// One session of the user, if it is still live at `now`.
    OneOf { user: UserId, family: &'a str },
    /// A family, whoever's it is (a reused refresh token).
    Family(&'a str),
}

/// Records the end of every live session `which` selects; called before
/// the tokens are revoked, in the same transaction.
pub(crate) async fn record_sessions(
    db: &impl ConnectionTrait,
    which: Ending<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    const LIVE: &str = "INSERT INTO revoked_sessions (user_id, session_id, kind, created_at) \
         SELECT DISTINCT user_id, family_id, 'session', ? FROM refresh_tokens \
          WHERE revoked_at IS NULL AND ";
    let (condition, values): (&str, Vec<sea_orm::Value>) = match which {
        Ending::AllOf { user, keep } => (
            "user_id = ? AND family_id <> ?",
            vec![user.0.into(), keep.unwrap_or_default().into()],
        ),
        Ending::OneOf { user, family } => (
            "user_id = ? AND family_id = ? AND expires_at > ?",
            vec![user.0.into(), family.into(), now.into()],
        ),
        Ending::Family(family) => ("family_id = ?", vec![family.into()]),
    };
    let mut all = vec![now.into()];
    all.extend(values);
    if exec(db, &format!("{LIVE}{condition}"), all).await? > 0 {
        announce(db).await?;
    }
    Ok(())
}

/// Tells every instance listening on PostgreSQL, at commit, that the log
/// grew; SQLite serves one instance, which reads the log itself.
async fn announce(db: &impl ConnectionTrait) -> Result<(), StoreError> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        exec(
            db,
            "SELECT pg_notify(?, ?)",
            vec![EVENTS_CHANNEL.into(), REVOKED.into()],
        )
        .await?;
    }
    Ok(())
}

/// The payload of the events channel's notification that the log grew
/// (the others carry a user id).
pub const REVOKED: &str = "revoked";

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
    announce(db).await
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

    /// Rows written since `since` (by the writers' clocks), oldest first:
    /// what a starting reader needs.
    pub async fn read_since(&self, since: Timestamp) -> Result<Vec<Revocation>, StoreError> {
        self.select("created_at > ?", since.into()).await
    }

    /// Rows above id `after`, oldest first. Readers re-read some overlap, as
    /// a row's transaction may commit after a higher id's; applying a row
    /// twice changes nothing. Ids, not times: the writers' clocks may differ.
    pub async fn read_after(&self, after: i64) -> Result<Vec<Revocation>, StoreError> {
        self.select("id > ?", after.into()).await
    }

    async fn select(
        &self,
        condition: &str,
        value: sea_orm::Value,
    ) -> Result<Vec<Revocation>, StoreError> {
        let sql = format!(
            "SELECT id, user_id, session_id, kind, created_at FROM revoked_sessions \
              WHERE {condition} ORDER BY id LIMIT 100000"
        );
        let rows = self
            .db
            .query_all_raw(stmt(&self.db, &sql, vec![value]))
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
                        .ok_or_else(|| StoreError::backend(format!("unknown revocation {kind}")))?,
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
