//! The revocation log (`revoked_sessions`): written in the transaction of
//! each cause — a session ended, an account closed or banned — and read by
//! every instance into the set its bearer check and sockets consult.

use kernel::{Fault, StoreError, Timestamp, UserId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use crate::effects::EVENTS_CHANNEL;
use crate::entities::{refresh_tokens, revoked_sessions as revoked};
use crate::error::store_err;
use crate::sql::exec;

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
    use refresh_tokens::Column as T;
    let live = refresh_tokens::Entity::find()
        .select_only()
        .distinct()
        .column(T::UserId)
        .column(T::FamilyId)
        .expr(Expr::val(RevocationKind::Session.as_str()))
        .expr(Expr::val(now))
        .filter(T::RevokedAt.is_null());
    let live = match which {
        Ending::AllOf { user, keep } => live
            .filter(T::UserId.eq(user.0))
            .filter(T::FamilyId.ne(keep.unwrap_or_default())),
        Ending::OneOf { user, family } => live
            .filter(T::UserId.eq(user.0))
            .filter(T::FamilyId.eq(family))
            .filter(T::ExpiresAt.gt(now)),
        Ending::Family(family) => live.filter(T::FamilyId.eq(family)),
    };
    let mut insert = Query::insert();
    insert
        .into_table(revoked::Entity)
        .columns([
            revoked::Column::UserId,
            revoked::Column::SessionId,
            revoked::Column::Kind,
            revoked::Column::CreatedAt,
        ])
        .select_from(live.into_query())
        .map_err(|e| StoreError::Backend(Fault::new(e)))?;
    if db
        .execute(&insert)
        .await
        .map_err(store_err)?
        .rows_affected()
        > 0
    {
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
    revoked::Entity::insert(revoked::ActiveModel {
        id: NotSet,
        user_id: Set(user.0),
        session_id: Set(None),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .map_err(store_err)?;
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
        self.select(revoked::Column::CreatedAt.gt(since)).await
    }

    /// Rows above id `after`, oldest first. Readers re-read some overlap, as
    /// a row's transaction may commit after a higher id's; applying a row
    /// twice changes nothing. Ids, not times: the writers' clocks may differ.
    pub async fn read_after(&self, after: i64) -> Result<Vec<Revocation>, StoreError> {
        self.select(revoked::Column::Id.gt(after)).await
    }

    async fn select(&self, after: Expr) -> Result<Vec<Revocation>, StoreError> {
        let rows = revoked::Entity::find()
            .filter(after)
            .order_by_asc(revoked::Column::Id)
            .limit(100_000)
            .all(&self.db)
            .await
            .map_err(store_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Revocation {
                    id: r.id,
                    user: UserId(r.user_id),
                    session: r.session_id,
                    kind: RevocationKind::parse(&r.kind).ok_or_else(|| {
                        StoreError::backend(format!("unknown revocation {}", r.kind))
                    })?,
                    at: r.created_at,
                })
            })
            .collect()
    }

    /// Deletes rows older than `before` (they can void no live token).
    pub async fn prune(&self, before: Timestamp) -> Result<u64, StoreError> {
        revoked::Entity::delete_many()
            .filter(revoked::Column::CreatedAt.lt(before))
            .exec(&self.db)
            .await
            .map(|done| done.rows_affected)
            .map_err(store_err)
    }
}
