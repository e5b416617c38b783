//! Turning database errors into [`StoreError`]s, constraint violations by name.

use kernel::StoreError;
use sea_orm::{DbErr, RuntimeErr};

/// The name of the violated unique or check constraint, if that is what failed.
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

/// The words every [`StoreError::Backend`] caused by an unreachable database
/// starts with. The message travels through each domain crate's error (which
/// knows nothing of databases) to the HTTP layer, which answers 503 with
/// `Retry-After` instead of 500 when it finds them.
pub const UNAVAILABLE: &str = "database unavailable";

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
/// extended codes) after the busy timeout: writers queued longer than it
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
    let primary = db
        .code()
        .and_then(|c| c.parse::<i32>().ok())
        .map(|c| c & 0xff);
    matches!(primary, Some(5 | 6)) && db.message().contains("locked")
}

/// Maps a database error; violations keep their constraint name, an
/// unreachable database is marked [`UNAVAILABLE`].
pub(crate) fn store_err(err: DbErr) -> StoreError {
    if unavailable(&err) {
        return StoreError::Backend(format!("{UNAVAILABLE}: {err}"));
    }
    match violated_constraint(&err) {
        Some(name) => StoreError::Conflict(name),
        None => StoreError::Backend(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::ConnAcquireErr;

    #[test]
    fn an_unreachable_database_is_marked_and_other_failures_are_not() {
        let timeout = store_err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        assert!(timeout.to_string().contains(UNAVAILABLE), "{timeout}");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let refused = DbErr::Conn(RuntimeErr::SqlxError(
            sea_orm::sqlx::Error::Io(refused).into(),
        ));
        assert!(store_err(refused).to_string().contains(UNAVAILABLE));
        let other = store_err(DbErr::Custom("bad row".into()));
        assert!(!other.to_string().contains(UNAVAILABLE), "{other}");
    }
}
