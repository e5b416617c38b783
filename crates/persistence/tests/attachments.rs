//! Attachment metadata on real databases: who may read a file is its owner,
//! or anyone who may see a dispute it is evidence for — and nobody else.

// The bodies run as tests through `on_both_backends!`; clippy cannot see that.
#![allow(clippy::unwrap_used)]

mod common;
mod fixtures;

use attachments::ports::{AttachmentRepository, AttachmentViewer};
use attachments::{Attachment, ContentKind};
use fixtures::*;
use kernel::{Role, UserId};
use persistence::{Database, SqlAttachmentRepository};
use sea_orm::{ConnectionTrait, Statement, Value};
use uuid::Uuid;

async fn run(db: &Database, sql: &str, values: Vec<Value>) {
    let backend = db.conn().get_database_backend();
    let mut n = 0;
    let sql: String = if backend == sea_orm::DbBackend::Postgres {
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    db.conn()
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap();
}

async fn scalar(db: &Database, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.conn().get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

fn file(owner: UserId) -> Attachment {
    let id = Uuid::new_v4();
    Attachment {
        id,
        owner_user_id: owner,
        file_name: "evidence.pdf".into(),
        kind: ContentKind::Pdf,
        size_bytes: 1234,
        sha256: "0f".repeat(32),
        storage_key: attachments::model::storage_key(id),
        // PostgreSQL keeps microseconds.
        created_at: chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
    }
}

fn as_user(user: UserId) -> AttachmentViewer {
    AttachmentViewer {
        user_id: user,
        is_admin: false,
        lsm_region: None,
    }
}

/// An LSM as its token carries it: the user and the region it manages.
fn as_lsm(user: UserId, region: &str) -> AttachmentViewer {
    AttachmentViewer {
        lsm_region: Some(region.into()),
        ..as_user(user)
    }
}

/// A job in `nyc` between `customer` and the only provider, with a pending
/// dispute raised by the customer; returns the dispute id.
async fn disputed_job(db: &Database, customer: UserId) -> i64 {
    let provider = scalar(db, "SELECT id FROM service_providers").await;
    run(
        db,
        "INSERT INTO jobs (customer_id, provider_id, service_id, description, zipcode, region_code, \
         response_deadline) VALUES (?, ?, 1, 'walk', '10001', 'nyc', CURRENT_TIMESTAMP)",
        vec![customer.0.into(), provider.into()],
    )
    .await;
    let job = scalar(db, "SELECT MAX(id) FROM jobs").await;
    run(
        db,
        "INSERT INTO disputes (job_id, raised_by_id, raised_by_type, description) \
         VALUES (?, ?, 'customer', 'broken vase')",
        vec![job.into(), customer.0.into()],
    )
    .await;
    scalar(db, "SELECT MAX(id) FROM disputes").await
}

async fn only_owners_and_readers_of_the_dispute_see_an_attachment(db: &Database) {
    seed(db).await;
    offer(db, "walker@example.com", "nyc", &[1]).await;
    let provider_user = UserId(scalar(db, "SELECT user_id FROM service_providers").await);
    let customer = user(db, "customer@example.com", Role::Customer).await;
    let stranger = user(db, "stranger@example.com", Role::Customer).await;
    let nyc_lsm = lsm(db, "lsm-nyc@example.com", "nyc").await;
    let la_lsm = lsm(db, "lsm-la@example.com", "la").await;
    let repo = SqlAttachmentRepository::new(db.conn().clone());

    let evidence = file(customer);
    let private = file(customer);
    repo.insert(&evidence).await.unwrap();
    repo.insert(&private).await.unwrap();

    // Read back whole, by its owner only, until it is linked to a dispute.
    assert_eq!(
        repo.find_visible(evidence.id, as_user(customer))
            .await
            .unwrap(),
        Some(evidence.clone())
    );
    for outsider in [
        as_user(provider_user),
        as_user(stranger),
        as_lsm(nyc_lsm, "nyc"),
    ] {
        assert_eq!(
            repo.find_visible(evidence.id, outsider.clone())
                .await
                .unwrap(),
            None
        );
    }

    let dispute = disputed_job(db, customer).await;
    run(
        db,
        "INSERT INTO dispute_attachments (dispute_id, attachment_id) VALUES (?, ?)",
        vec![dispute.into(), evidence.id.into()],
    )
    .await;

    let admin = AttachmentViewer {
        is_admin: true,
        ..as_user(stranger)
    };
    for reader in [
        as_user(customer),
        as_user(provider_user),
        as_lsm(nyc_lsm, "nyc"),
        admin.clone(),
    ] {
        let found = repo
            .find_visible(evidence.id, reader.clone())
            .await
            .unwrap();
        assert_eq!(found.map(|a| a.id), Some(evidence.id), "{reader:?}");
    }
    for outsider in [as_user(stranger), as_lsm(la_lsm, "la")] {
        assert_eq!(
            repo.find_visible(evidence.id, outsider).await.unwrap(),
            None
        );
    }
    // The link widens nothing else: the owner's other file stays the owner's.
    for other in [
        as_user(provider_user),
        as_lsm(nyc_lsm, "nyc"),
        admin.clone(),
    ] {
        assert_eq!(repo.find_visible(private.id, other).await.unwrap(), None);
    }
    assert_eq!(
        repo.find_visible(Uuid::new_v4(), admin).await.unwrap(),
        None
    );
}

on_both_backends!(
    only_owners_and_readers_of_the_dispute_see_an_attachment_on,
    only_owners_and_readers_of_the_dispute_see_an_attachment
);

async fn a_storage_key_is_recorded_once(db: &Database) {
    let owner = user(db, "owner@example.com", Role::Customer).await;
    let repo = SqlAttachmentRepository::new(db.conn().clone());
    let first = file(owner);
    repo.insert(&first).await.unwrap();
    let mut copy = file(owner);
    copy.storage_key = first.storage_key.clone();
    assert!(matches!(
        repo.insert(&copy).await,
        Err(kernel::StoreError::Conflict(_))
    ));
}

on_both_backends!(
    a_storage_key_is_recorded_once_on,
    a_storage_key_is_recorded_once
);
