//! Turning database errors into [`StoreError`]s, constraint violations by name.

use kernel::{Fault, StoreError};
use sea_orm::{DbErr, RuntimeErr};

/// The name of the violated unique or check constraint, if that is what failed.
///
/// The one place an error's text is read: SQLite reports a violated
/// constraint only in its message (sqlx's `constraint()` is PostgreSQL's).
///
/// Foreign-key failures are not named by SQLite and stay backend errors.
///
/// PostgreSQL reports the constraint name. SQLite reports the columns
/// (`UNIQUE constraint failed: invoices.tenant_id, invoices.number`), which the
/// schema's naming convention turns into the same name (`uq_invoices_tenant_id_number`).
fn violated_constraint(err: &DbErr) -> Option<String> {
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return None;
    };
    let db = e.as_database_error()?;
    if let Some(name) = db.constraint() {
        return Some(name.to_owned());
    }
    let message = db.message();
    // SQLite names expression indexes and CHECK constraints directly.
    if let Some(rest) = message.strip_prefix("UNIQUE constraint failed: index '") {
        return rest.strip_suffix('\'').map(str::to_owned);
    }
    if let Some(name) = message.strip_prefix("CHECK constraint failed: ") {
        return Some(name.trim().to_owned());
    }
    let cols = message.strip_prefix("UNIQUE constraint failed: ")?;
    let mut table = "";
    let names: Vec<&str> = cols
        .split(", ")
        .filter_map(|tc| tc.split_once('.'))
        .map(|(t, c)| {
            table = t;
            c
        })
        .collect();
    Some(format!("uq_{table}_{}", names.join("_")))
}

/// Whether the connection the statement ran on was dead or died under it
/// (closed socket, server shut down or restarted), so the statement never ran
/// to completion and may be sent again on a fresh connection.
pub(crate) fn connection_lost(err: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    match &**e {
        sea_orm::sqlx::Error::Io(_) | sea_orm::sqlx::Error::WorkerCrashed => true,
        // Class 08 (connection exception), 57P01–57P03 (shutdown, crash, cannot connect now).
        sea_orm::sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// Whether the database could not be reached at all: no connection from the
/// pool in time (the server is down or restarting, every connect refused), a
/// closed pool, or a connection that died under the statement.
pub(crate) fn unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
            if matches!(
                &**e,
                sea_orm::sqlx::Error::PoolTimedOut | sea_orm::sqlx::Error::PoolClosed
            ) =>
        {
            true
        }
        _ => connection_lost(err) || sqlite_busy(err),
    }
}

/// SQLite's "database is locked" (`SQLITE_BUSY`/`SQLITE_LOCKED` and their
/// extended codes, recognised by the code alone) after the busy timeout: writers queued longer than it
/// allows. Nothing was written; the request may be sent again, so it is a 503
/// with `Retry-After` like an unreachable database, not a 500.
fn sqlite_busy(err: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(db) = &**e else {
        return false;
    };
    // Only SQLite's own error, by type: PostgreSQL's numeric SQLSTATEs
    // (`22021`) would otherwise pass for result codes.
    let Some(db) = db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>() else {
        return false;
    };
    let primary = sea_orm::sqlx::error::DatabaseError::code(db)
        .and_then(|c| c.parse::<i32>().ok())
        .map(|c| c & 0xff);
    matches!(primary, Some(5 | 6))
}

/// Maps a database error by its type: an unreachable database is
/// [`StoreError::Unavailable`], a violated constraint is looked up by its
/// exact name in [`crate::constraints::NAMED`]; the driver's error is kept
/// as the typed source of the rest.
pub(crate) fn store_err(err: DbErr) -> StoreError {
    if unavailable(&err) {
        return StoreError::Unavailable(Fault::new(err));
    }
    match violated_constraint(&err) {
        Some(name) => StoreError::Conflict(crate::constraints::named(&name)),
        None => StoreError::Backend(Fault::new(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn an_unreachable_database_is_marked_and_other_failures_are_not() {
        let timeout = store_err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        assert!(matches!(timeout, StoreError::Unavailable(_)), "{timeout}");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let refused = DbErr::Conn(RuntimeErr::SqlxError(
            sea_orm::sqlx::Error::Io(refused).into(),
        ));
        assert!(matches!(store_err(refused), StoreError::Unavailable(_)));
        let other = store_err(DbErr::Custom("bad row".into()));
        assert!(matches!(other, StoreError::Backend(_)), "{other}");
    }
}
