//! Runs each persistence test on SQLite and, when `STM_TEST_DATABASE_URL` is set, on PostgreSQL.

/// Declares `<name>::sqlite` and `<name>::postgres` tests running `body(&Database)`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            use persistence::{Backend, testing::TestDatabase};

            #[tokio::test]
            async fn sqlite() {
                let t = TestDatabase::new(Backend::Sqlite).await;
                super::$body(&t.db).await;
            }

            #[tokio::test]
            async fn postgres() {
                if persistence::testing::postgres_url().is_none() {
                    eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
                    return;
                }
                let t = TestDatabase::new(Backend::Postgres).await;
                super::$body(&t.db).await;
            }
        }
    };
}
