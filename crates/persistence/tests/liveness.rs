//! The SQL of a live provider (`persistence::liveness::live_provider`) and
//! the domain's predicate (`supply::is_live`) agree for every combination of
//! provider status, deletion and account status, on both backends.

mod common;
mod fixtures;

use identity::model::UserStatus;
use kernel::Role;
use persistence::Database;
use sea_orm::{ConnectionTrait, Statement};
use supply::ProviderStatus;

async fn the_sql_and_the_predicate_agree(db: &Database) {
    fixtures::seed(db).await;
    let conn = db.conn();
    let mut expected = Vec::new();
    let mut rows = Vec::new();
    let mut n = 0;
    for status in ProviderStatus::ALL {
        for deleted in [false, true] {
            for account in UserStatus::ALL {
                n += 1;
                let user = fixtures::user(db, &format!("p{n}@example.com"), Role::Provider).await;
                let sql = format!(
                    "UPDATE users SET status = '{}' WHERE id = {}",
                    account.as_str(),
                    user.0
                );
                conn.execute_unprepared(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let sql = format!(
                    "INSERT INTO service_providers \
                     (user_id, business_name, phone, zipcode, region_code, status, is_deleted) \
                     VALUES ({}, 'Biz', '2125550100', '10001', 'nyc', '{}', {})",
                    user.0,
                    status.as_str(),
                    if deleted { "TRUE" } else { "FALSE" }
                );
                conn.execute_unprepared(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                if supply::is_live(status, deleted, account) {
                    expected.push(user.0);
                }
                rows.push((user.0, status, deleted, account));
            }
        }
    }
    assert_eq!(n, 30);
    assert_eq!(live(db).await, expected);
    assert_eq!(expected.len(), 1, "one combination is live");

    // Every account changes status after its profile exists: the copy the
    // fragment reads follows (migration 000025's triggers).
    let next = |a: UserStatus| {
        let all = UserStatus::ALL;
        let at = all.iter().position(|s| *s == a).unwrap_or_default();
        all[(at + 1) % all.len()]
    };
    let mut expected = Vec::new();
    for (user, status, deleted, account) in rows {
        let account = next(account);
        let sql = format!(
            "UPDATE users SET status = '{}' WHERE id = {user}",
            account.as_str()
        );
        conn.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if supply::is_live(status, deleted, account) {
            expected.push(user);
        }
    }
    assert_eq!(live(db).await, expected);
    assert_eq!(expected.len(), 1, "one combination is live");
}

/// The providers' user ids that the fragment finds live.
async fn live(db: &Database) -> Vec<i64> {
    let conn = db.conn();
    let sql = format!(
        "SELECT p.user_id FROM service_providers p WHERE {} ORDER BY p.user_id",
        persistence::liveness::live_provider("p")
    );
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rows.iter()
        .map(|r| r.try_get_by_index(0).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

on_both_backends!(agreement, the_sql_and_the_predicate_agree);

/// The once-per-job event kinds are declared by jobs
/// (`EventKind::once_per_job`) and enforced by the migration's partial
/// index: the index's definition names exactly those kinds.
async fn the_once_per_job_index_lists_the_kinds_jobs_declares(db: &Database) {
    let conn = db.conn();
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_job_events_job_id_kind_once'"
        }
        _ => "SELECT sql FROM sqlite_master WHERE name = 'uq_job_events_job_id_kind_once'",
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the index exists"));
    let definition: String = row.try_get_by_index(0).unwrap_or_else(|e| panic!("{e}"));
    let mut in_index: Vec<&str> = definition.split('\'').skip(1).step_by(2).collect();
    in_index.sort_unstable();
    let mut declared: Vec<&str> = jobs::EventKind::ALL
        .into_iter()
        .filter(|k| k.once_per_job())
        .map(jobs::EventKind::as_str)
        .collect();
    declared.sort_unstable();
    assert_eq!(in_index, declared, "{definition}");
}

on_both_backends!(
    once_per_job,
    the_once_per_job_index_lists_the_kinds_jobs_declares
);
