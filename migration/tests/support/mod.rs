//! Test databases and catalogue queries shared by the schema tests.
//!
//! SQLite runs on a fresh temporary file. PostgreSQL runs when
//! `STM_TEST_DATABASE_URL` names a server: each test creates its own database
//! (a UUID name) and drops it afterwards. A configured but unreachable server
//! is an error, never a silent skip.

use std::collections::BTreeSet;
use std::error::Error;
use std::future::Future;
use std::time::Duration;

use migration::sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult,
    Statement,
};

/// What every test returns.
pub type TestResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// The environment variable naming the PostgreSQL server to test against.
pub const PG_ENV: &str = "STM_TEST_DATABASE_URL";

/// A SQLite database in a temporary folder that lives as long as this value.
pub struct SqliteDb {
    _dir: tempfile::TempDir,
    pub db: DatabaseConnection,
}

impl SqliteDb {
    pub async fn create() -> TestResult<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("stm.db").display());
        let db = Database::connect(url).await?;
        Ok(Self { _dir: dir, db })
    }
}

/// The PostgreSQL server URL, or `None` (with a note) when not configured.
pub fn pg_url(test: &str) -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!("{test}: {PG_ENV} is not set, skipping the PostgreSQL part");
            None
        }
    }
}

/// Runs `body` on a fresh PostgreSQL database of the server at `server_url`
/// and drops that database afterwards, also when `body` fails or panics.
pub async fn with_pg_database<F, Fut>(server_url: &str, body: F) -> TestResult
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let pg = PgDb::create(server_url).await?;
    // A spawned task turns a panicking assertion into a JoinError, so the
    // database is dropped before the panic is passed on.
    let outcome = tokio::spawn(body(pg.db.clone())).await;
    pg.drop_database().await?;
    match outcome {
        Ok(result) => result,
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(join) => Err(join.into()),
    }
}

/// A throw-away PostgreSQL database.
struct PgDb {
    admin: DatabaseConnection,
    name: String,
    db: DatabaseConnection,
}

impl PgDb {
    async fn create(server_url: &str) -> TestResult<Self> {
        // Fail within seconds, not the pool's default half minute, when the
        // configured server is down.
        let mut options = ConnectOptions::new(server_url);
        options.acquire_timeout(Duration::from_secs(5));
        let admin = Database::connect(options)
            .await
            .map_err(|e| format!("{PG_ENV} is set but the server is unreachable: {e}"))?;
        let name = format!("stm_migration_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        let db = Database::connect(with_database(server_url, &name)).await?;
        Ok(Self { admin, name, db })
    }

    async fn drop_database(self) -> TestResult {
        self.db.close().await?;
        self.admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .await?;
        self.admin.close().await?;
        Ok(())
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

async fn rows(db: &DatabaseConnection, sql: &str) -> TestResult<Vec<QueryResult>> {
    let stmt = Statement::from_string(db.get_database_backend(), sql);
    Ok(db.query_all_raw(stmt).await?)
}

/// One `BIGINT` value from the first row.
pub async fn scalar(db: &DatabaseConnection, sql: &str) -> TestResult<i64> {
    let rows = rows(db, sql).await?;
    let row = rows.first().ok_or_else(|| format!("no row from {sql}"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Runs a statement that must succeed.
pub async fn exec(db: &DatabaseConnection, sql: &str) -> TestResult {
    db.execute_unprepared(sql)
        .await
        .map_err(|e| format!("{sql}: {e}"))?;
    Ok(())
}

/// Runs a statement that must fail, and returns the error text.
pub async fn exec_err(db: &DatabaseConnection, sql: &str) -> TestResult<String> {
    match db.execute_unprepared(sql).await {
        Ok(_) => Err(format!("expected a constraint violation from {sql}").into()),
        Err(e) => Ok(e.to_string()),
    }
}

/// The application tables (not `seaql_migrations`, not SQLite internals).
pub async fn tables(db: &DatabaseConnection) -> TestResult<BTreeSet<String>> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
    };
    rows(db, sql)
        .await?
        .iter()
        .map(|r| Ok(r.try_get_by_index::<String>(0)?))
        .collect()
}

/// `(table, column, NOT NULL)` of every application column.
pub async fn columns(db: &DatabaseConnection) -> TestResult<BTreeSet<(String, String, bool)>> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT m.name, p.name, p.\"notnull\" FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT table_name::text, column_name::text, \
             (CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END)::bigint \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
    };
    rows(db, sql)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get_by_index::<String>(0)?,
                r.try_get_by_index::<String>(1)?,
                r.try_get_by_index::<i64>(2)? != 0,
            ))
        })
        .collect()
}

/// The names of the indexes this schema names itself (`uq_…`, `idx_…`).
pub async fn index_names(db: &DatabaseConnection) -> TestResult<BTreeSet<String>> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index'",
        _ => "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'",
    };
    let mut names = BTreeSet::new();
    for row in rows(db, sql).await? {
        let name = row.try_get_by_index::<String>(0)?;
        if name.starts_with("uq_") || name.starts_with("idx_") {
            names.insert(name);
        }
    }
    Ok(names)
}

/// The `CREATE TABLE` text SQLite stored for `table`.
pub async fn sqlite_table_sql(db: &DatabaseConnection, table: &str) -> TestResult<String> {
    let sql = format!("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'");
    let rows = rows(db, &sql).await?;
    let row = rows.first().ok_or_else(|| format!("no table {table}"))?;
    Ok(row.try_get_by_index::<String>(0)?)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_only_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
