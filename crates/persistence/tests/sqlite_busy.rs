//! A SQLite writer that waited out the busy timeout is "unavailable" (the
//! HTTP layer answers 503 with `Retry-After`), not an internal error.

use persistence::{Database, SqlAccountRepository};
use sea_orm::{ConnectionTrait, TransactionTrait};

#[tokio::test]
async fn a_locked_sqlite_database_is_unavailable_not_an_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}/busy.db?mode=rwc", dir.path().display());
    let holder = Database::connect(&url, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    holder.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    let waiter = Database::connect(&url, 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The holder takes SQLite's write lock and keeps it past the busy timeout.
    let txn = holder
        .conn()
        .begin()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    txn.execute_unprepared("INSERT INTO tenants (name, slug, created_at, updated_at) VALUES ('a', 'a', '2026-11-30T00:00:00Z', '2026-11-30T00:00:00Z')")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let repo = SqlAccountRepository::new(waiter.conn().clone());
    let blocked = identity::ports::AccountTokenRepository::issue(
        &repo,
        kernel::UserId(1),
        identity::PendingToken {
            purpose: identity::TokenPurpose::VerifyEmail,
            token_hash: "h".into(),
            expires_at: chrono::Utc::now(),
            created_at: chrono::Utc::now(),
            mail: identity::AccountMail {
                template: "t",
                subject: "s".into(),
                body: "b".into(),
            },
        },
    )
    .await;
    txn.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(blocked, Err(kernel::StoreError::Unavailable(_))),
        "{blocked:?}"
    );
}
