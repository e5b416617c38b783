//! Throw-away databases for tests: a temporary SQLite file, or a fresh
//! PostgreSQL database when `STM_TEST_DATABASE_URL` is set.
//!
//! Used by this crate's tests and by the API's HTTP tests.

use sea_orm::{ConnectionTrait, DbErr};

use crate::db::{Backend, Database};

/// The variable naming the PostgreSQL server tests may create databases on.
pub const PG_URL_VAR: &str = "STM_TEST_DATABASE_URL";

/// A migrated database that is deleted when dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// The pool.
    pub db: Database,
    /// The URL it was opened with.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// The PostgreSQL server URL, if tests should run there too.
pub fn postgres_url() -> Option<String> {
    std::env::var(PG_URL_VAR).ok().filter(|u| !u.is_empty())
}

impl TestDatabase {
    /// A fresh migrated database on `backend`. Panics (failing the test) when
    /// PostgreSQL is asked for but unreachable: a skipped backend must be visible.
    pub async fn new(backend: Backend) -> Self {
        let result = match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => match postgres_url() {
                Some(url) => Self::postgres(&url).await,
                None => Err(DbErr::Custom(format!("{PG_URL_VAR} is not set"))),
            },
        };
        match result {
            Ok(db) => db,
            Err(e) => panic!("cannot create a {backend:?} test database: {e}"),
        }
    }

    async fn sqlite() -> Result<Self, DbErr> {
        let dir = tempfile::tempdir().map_err(|e| DbErr::Custom(e.to_string()))?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let db = Database::connect(&url, 5).await?;
        db.migrate().await?;
        Ok(Self {
            db,
            url,
            cleanup: Cleanup::Sqlite(dir),
        })
    }

    async fn postgres(admin_url: &str) -> Result<Self, DbErr> {
        let name = format!("stm_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url, 1).await?;
        admin
            .conn()
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await?;
        let url = with_database(admin_url, &name);
        let db = Database::connect(&url, 5).await?;
        db.migrate().await?;
        Ok(Self {
            db,
            url,
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        })
    }
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; a short-lived one of our own does the async work.
            let dropped = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(&admin_url, 1).await.ok()?;
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    admin.conn().execute_unprepared(&sql).await.ok()
                })
            });
            let _ = dropped.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_swapped() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
