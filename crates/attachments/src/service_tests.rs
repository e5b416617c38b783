use chrono::TimeZone;
use futures_executor::block_on;
use kernel::Refusal as _;
use kernel::{FixedClock, Role, UserId};

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
    repo.expect_insert_within_quota()
        .withf(|a, since| {
            a.owner_user_id == UserId(7)
                && a.file_name == "report.pdf"
                && *since == a.created_at - chrono::Duration::hours(24)
        })
        .times(1)
        .returning(|_, _| Ok(Ok(())));
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

#[test]
fn an_lsm_reads_with_the_region_of_its_token() {
    let mut repo = MockAttachmentRepository::new();
    repo.expect_find_visible()
        .withf(|_, v| v.lsm_region.as_deref() == Some("nyc") && !v.is_admin)
        .times(1)
        .returning(|_, _| Ok(None));
    let mut ctx = Ctx::new(UserId(4), vec![Role::Lsm]);
    ctx.region = Some("nyc".into());
    let _ = block_on(service(repo).find(&ctx, Uuid::new_v4()));
}

#[test]
fn an_upload_over_a_quota_is_refused_before_and_after_its_bytes() {
    let used = |files| crate::quota::UploadUse {
        files: kernel::WindowUse {
            used: files,
            oldest: None,
        },
        ..Default::default()
    };
    let mut repo = MockAttachmentRepository::new();
    repo.expect_upload_use()
        .returning(move |_, _| Ok((crate::quota::UploadLimits::default(), used(100))));
    let ctx = Ctx::new(UserId(7), vec![Role::Customer]);
    let err = block_on(service(repo).check_quota(&ctx)).unwrap_err();
    assert_eq!(err.code(), "quota_exceeded");

    let mut repo = MockAttachmentRepository::new();
    repo.expect_insert_within_quota().returning(|a, _| {
        let limits = crate::quota::UploadLimits {
            bytes_stored: 41,
            ..Default::default()
        };
        Ok(limits.admit(&Default::default(), a.size_bytes as i64, a.created_at))
    });
    let err = block_on(service(repo).record(&ctx, AttachmentService::slot(), "a.pdf", checked()))
        .unwrap_err();
    assert!(
        matches!(&err, AttachmentError::Quota(q) if q.quota == "upload_bytes_stored"),
        "{err:?}"
    );
}
