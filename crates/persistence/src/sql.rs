//! Raw statements for the queries the query builder does not express well
//! (aggregates, `INSERT … SELECT`, keyset search). Written once with `?`
//! placeholders; PostgreSQL gets `$1, $2, …`. The text never depends on the
//! values, so PostgreSQL reuses its prepared plans.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::error::store_err;
use kernel::StoreError;

/// Rewrites `?` placeholders for the backend.
pub(crate) fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A statement for the connection's backend.
pub(crate) fn stmt(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

/// Executes; returns the rows affected.
pub(crate) async fn exec(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<u64, StoreError> {
    db.execute_raw(stmt(db, sql, values))
        .await
        .map(|r| r.rows_affected())
        .map_err(store_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_gets_numbered_placeholders() {
        assert_eq!(
            placeholders(DbBackend::Postgres, "a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
