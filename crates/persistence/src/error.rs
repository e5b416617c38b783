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

/// Maps a database error; violations keep their constraint name.
pub(crate) fn store_err(err: DbErr) -> StoreError {
    match violated_constraint(&err) {
        Some(name) => StoreError::Conflict(name),
        None => StoreError::Backend(err.to_string()),
    }
}
