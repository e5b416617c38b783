use chrono::TimeZone;
use futures_executor::block_on;
use kernel::{FixedClock, UserId};

use super::*;
use crate::ports::MockAttachmentRepository;
use crate::sniff::ContentKind;

fn service(repo: MockAttachmentRepository) -> AttachmentService {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap();
    AttachmentService::new(Arc::new(repo), Arc::new(FixedClock(at)))
}

fn checked() -> Checked {
    Checked {
        kind: ContentKind::Pdf,
        size_bytes: 42,
        sha256: "ab".repeat(32),
    }
}

#[test]
fn a_recorded_upload_is_the_callers_with_a_sanitised_name_and_its_slot() {
    let mut repo = MockAttachmentRepository::new();
    repo.expect_insert()
        .withf(|a| a.owner_user_id == UserId(7) && a.file_name == "report.pdf")
        .times(1)
        .returning(|_| Ok(()));
    let slot = AttachmentService::slot();
    let ctx = Ctx::new(UserId(7), vec![Role::Customer]);
    let saved =
        block_on(service(repo).record(&ctx, slot.clone(), "../x/report.pdf", checked())).unwrap();
    assert_eq!(saved.id, slot.id);
    assert_eq!(saved.storage_key, format!("attachments/{}", slot.id));
    assert_eq!(saved.kind, ContentKind::Pdf);
}

#[test]
fn an_attachment_outside_the_callers_scope_is_not_found() {
    let mut repo = MockAttachmentRepository::new();
    repo.expect_find_visible()
        .withf(|_, v| v.user_id == UserId(9) && !v.is_admin)
        .returning(|_, _| Ok(None));
    let ctx = Ctx::new(UserId(9), vec![Role::Customer]);
    let found = block_on(service(repo).find(&ctx, Uuid::new_v4()));
    assert_eq!(found, Err(AttachmentError::NotFound));
}

#[test]
fn an_admin_reads_with_the_admin_scope() {
    let mut repo = MockAttachmentRepository::new();
    repo.expect_find_visible()
        .withf(|_, v| v.is_admin)
        .times(1)
        .returning(|_, _| Ok(None));
    let ctx = Ctx::new(UserId(1), vec![Role::Admin]);
    let _ = block_on(service(repo).find(&ctx, Uuid::new_v4()));
}
