//! The constraint table names real objects: every PostgreSQL name in
//! `persistence::constraints::NAMED` is an index or a constraint of the
//! migrated schema, so a renamed index cannot silently turn a domain
//! refusal into a 500.

use persistence::Backend;
use persistence::constraints::{NAMED, NOT_IN_POSTGRES};
use persistence::testing::{TestDatabase, postgres_url};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn every_postgres_name_in_the_table_exists_in_the_schema() {
    if postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let t = TestDatabase::new(Backend::Postgres).await;
    let mut missing = Vec::new();
    for (name, _) in NAMED.iter().filter(|(n, _)| !NOT_IN_POSTGRES.contains(n)) {
        let found =
            t.db.conn()
                .query_one_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT 1 AS one FROM pg_indexes WHERE indexname = $1 \
                 UNION ALL SELECT 1 FROM pg_constraint WHERE conname = $1",
                    [(*name).into()],
                ))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        if found.is_none() {
            missing.push(*name);
        }
    }
    assert!(missing.is_empty(), "not in the schema: {missing:?}");
}
