//! Connecting to SQLite or PostgreSQL and applying migrations.

use std::time::Duration;

use migration::{Migrator, sea_orm_migration::MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, DbErr};

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite, the default.
    Sqlite,
    /// PostgreSQL, for production.
    Postgres,
}

impl Backend {
    /// The backend a URL names, if supported.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// A pool of connections to the STM database.
#[derive(Debug, Clone)]
pub struct Database {
    conn: DatabaseConnection,
}

impl Database {
    /// Connects with at most `max_connections` pooled connections.
    /// SQLite files are created when missing and run in WAL mode.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbErr> {
        let backend = Backend::of_url(url).ok_or_else(|| {
            DbErr::Custom(format!("unsupported database URL scheme: {}", redact(url)))
        })?;
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(5))
            // No liveness ping on the hot path (it was a round trip per
            // statement): only a connection idle for a second is pinged when
            // handed out, so after an outage the pool's dead connections are
            // found and replaced before use; a busy one that died fails its
            // statement and is dropped, and search's read is retried once
            // (docs/performance.md).
            .test_before_acquire_if_idle_for(Duration::from_secs(1))
            .sqlx_logging(false);
        if backend == Backend::Sqlite {
            opts.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
        }
        let conn = sea_orm::Database::connect(opts).await?;
        Ok(Self { conn })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.execute_unprepared("SELECT 1").await.map(|_| ())
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self.conn.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The underlying SeaORM connection.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}

/// A URL with its password hidden, for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://stm:s3cret@db:5432/stm"),
            "postgres://stm:***@db:5432/stm"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            redact("sqlite://data/stm.db?mode=rwc"),
            "sqlite://data/stm.db?mode=rwc"
        );
    }

    #[test]
    fn urls_select_the_backend() {
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgresql://x/y"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://x/y"), None);
    }
}
