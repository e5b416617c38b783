use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use futures_executor::block_on;
use kernel::{FixedClock, Timestamp};
use uuid::Uuid;

use super::*;
use crate::ports::{MockAttachmentRepository, MockBlobStore, SweepCandidate};

fn now() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 12, 7, 10, 30, 0)
        .unwrap()
}

fn service(repo: MockAttachmentRepository) -> AttachmentService {
    AttachmentService::new(Arc::new(repo), Arc::new(FixedClock(now())))
}

fn object(key: &str, age: Duration) -> StoredObject {
    StoredObject {
        key: key.into(),
        last_modified: now() - age,
    }
}

#[test]
fn slots_are_hours_and_uploads_go_a_day_after() {
    assert_eq!(
        slot(now()),
        chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    );
    assert_eq!(cutoff(now()), now() - Duration::hours(24));
    assert!(past_grace(&object("k", Duration::minutes(60)), now()));
    assert!(!past_grace(&object("k", Duration::minutes(59)), now()));
}

#[test]
fn an_unclaimed_slot_touches_nothing() {
    let mut repo = MockAttachmentRepository::new();
    repo.expect_claim_sweep()
        .withf(|s| *s == slot(now()))
        .returning(|_| Ok(false));
    repo.expect_sweep_candidates().never();
    let mut blobs = MockBlobStore::new();
    blobs.expect_list().never();
    blobs.expect_delete().never();
    let report = block_on(service(repo).sweep(&blobs)).unwrap();
    assert_eq!(report, SweepReport::default());
}

#[test]
fn uncited_uploads_and_old_orphans_go_cited_and_young_ones_stay() {
    let (gone, kept) = (Uuid::new_v4(), Uuid::new_v4());
    let mut repo = MockAttachmentRepository::new();
    repo.expect_claim_sweep().returning(|_| Ok(true));
    repo.expect_sweep_candidates()
        .withf(|c, _| *c == now() - Duration::hours(24))
        .times(1)
        .returning(move |_, _| {
            Ok([gone, kept]
                .iter()
                .map(|id| SweepCandidate {
                    id: *id,
                    storage_key: format!("attachments/{id}"),
                    created_at: now() - Duration::hours(30),
                })
                .collect())
        });
    // `kept` was cited by a dispute between the select and the delete.
    repo.expect_delete_uncited()
        .returning(move |id, _| Ok(id == gone));
    repo.expect_known_keys()
        .returning(|keys| Ok(keys.into_iter().filter(|k| k.ends_with("known")).collect()));
    let mut blobs = MockBlobStore::new();
    blobs.expect_list().withf(|p| p == PREFIX).returning(|_| {
        Ok(vec![
            object("attachments/known", Duration::hours(5)),
            object("attachments/orphan", Duration::hours(2)),
            object("attachments/in-flight", Duration::minutes(5)),
        ])
    });
    let deleted = Arc::new(Mutex::new(Vec::new()));
    let log = deleted.clone();
    blobs.expect_delete().returning(move |k| {
        log.lock().unwrap().push(k.to_owned());
        Ok(())
    });
    let report = block_on(service(repo).sweep(&blobs)).unwrap();
    assert_eq!(
        report,
        SweepReport {
            claimed: true,
            expired: 1,
            orphans: 1
        }
    );
    assert_eq!(
        *deleted.lock().unwrap(),
        [
            format!("attachments/{gone}"),
            "attachments/orphan".to_owned()
        ]
    );
}
