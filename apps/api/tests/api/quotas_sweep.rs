//! The upload sweeper (issue 17) against the local folder (SQLite and
//! PostgreSQL) and an S3-compatible server (moto): two instances sweeping at
//! once, one runs; uploads older than a day that no dispute and no listing
//! cites go with their bytes, cited and young ones stay, and an object whose
//! row was never written goes too.

use std::sync::Arc;

use actix_web::http::StatusCode;
use attachments::AttachmentService;
use attachments::ports::BlobStore;
use chrono::{Duration, Utc};
use kernel::FixedClock;
use persistence::{Backend, SqlAttachmentRepository};
use serde_json::json;
use stm_api::storage::AttachmentStore;

use crate::attachments_support::*;
use crate::helpers::id;
use crate::jobs_support::{Market, market};

/// A sweeper as one instance runs it, two hours from now (a slot the app's
/// own background sweep has not claimed).
fn instance(m: &Market) -> AttachmentService {
    AttachmentService::new(
        Arc::new(SqlAttachmentRepository::new(m.app.db.conn().clone())),
        Arc::new(FixedClock(Utc::now() + Duration::hours(2))),
    )
}

async fn keys(store: &AttachmentStore) -> Vec<String> {
    let mut keys: Vec<String> = store
        .list("attachments/")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|o| o.key)
        .collect();
    keys.sort();
    keys
}

/// Runs the scenario on `m`, whose attachments live in `store`.
pub async fn sweeps_once_what_nobody_cites(m: &Market, store: &AttachmentStore) {
    let file = pdf();
    let up = |name: &'static str| uploaded(&m.app, &m.customer, name, &file);
    let (disputed, listed, stale, young, orphan) = (
        up("a.pdf").await,
        up("b.pdf").await,
        up("c.pdf").await,
        up("d.pdf").await,
        up("e.pdf").await,
    );
    let job = id(&m.book().await);
    dispute_with(&m.app, job, &disputed).await;
    let listing = json!({
        "title": "Dog walks", "description": "Thirty-minute walks", "category": "pets",
        "price_type": "hourly", "zip_code": "10001", "state": "NY",
        "images": [format!("https://stm.test/api/v1/attachments/{listed}")]
    });
    crate::listings::create(m, &m.provider, &listing).await;
    let day_ago = Utc::now() - Duration::hours(25);
    for a in [&disputed, &listed, &stale, &orphan] {
        let uuid: uuid::Uuid = a.parse().unwrap_or_else(|e| panic!("{e}"));
        sql(
            &m.app,
            "UPDATE attachments SET created_at = ? WHERE id = ?",
            vec![day_ago.into(), uuid.into()],
        )
        .await;
    }
    // An upload interrupted between its bytes and its row.
    let uuid: uuid::Uuid = orphan.parse().unwrap_or_else(|e| panic!("{e}"));
    sql(
        &m.app,
        "DELETE FROM attachments WHERE id = ?",
        vec![uuid.into()],
    )
    .await;

    let (one, two) = (instance(m), instance(m));
    let (a, b) = futures_util::future::join(one.sweep(store), two.sweep(store)).await;
    let (a, b) = (
        a.unwrap_or_else(|e| panic!("{e}")),
        b.unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(
        a.claimed != b.claimed,
        "exactly one instance sweeps: {a:?} {b:?}"
    );
    assert_eq!(
        (a.expired + b.expired, a.orphans + b.orphans),
        (1, 1),
        "{a:?} {b:?}"
    );

    let mut expected: Vec<String> = [&disputed, &listed, &young]
        .iter()
        .map(|id| format!("attachments/{id}"))
        .collect();
    expected.sort();
    assert_eq!(keys(store).await, expected);
    assert_eq!(count(&m.app, "SELECT COUNT(*) FROM attachments").await, 3);
    let gone = download(&m.app, Some(&m.customer), &stale).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let kept = download(&m.app, Some(&m.customer), &disputed).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert_eq!(kept.bytes.as_ref(), file.as_slice());
    // The slot is spent: a third run in it does nothing.
    let again = instance(m)
        .sweep(store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!again.claimed, "{again:?}");
}

async fn sweeps_the_local_folder(backend: Backend) {
    let m = market(backend).await;
    let store = AttachmentStore::local(m.app.data_dir()).unwrap_or_else(|e| panic!("{e}"));
    sweeps_once_what_nobody_cites(&m, &store).await;
    assert_eq!(stored_files(&m.app), 3, "the files themselves are gone");
}

#[actix_web::test]
async fn sweeps_the_local_folder_on_sqlite() {
    sweeps_the_local_folder(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sweeps_the_local_folder_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    sweeps_the_local_folder(Backend::Postgres).await;
}
