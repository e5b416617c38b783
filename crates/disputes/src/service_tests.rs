//! The use cases over a mocked port: scope, storage outcomes mapped to the
//! right refusals.

use kernel::Refusal as _;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use jobs::JobStatus;
use kernel::{Ctx, ErrorKind, FixedClock, Role, StoreError, UserId};
use uuid::Uuid;

use crate::dispute::DisputedJob;
use crate::ports::MockDisputeRepository;
use crate::service::DisputeService;
use kernel::Constraint;

fn job() -> DisputedJob {
    DisputedJob {
        id: 7,
        status: JobStatus::InProgress,
        customer_id: UserId(1),
        provider_user_id: UserId(2),
        region_code: "nyc".into(),
        thread_id: None,
    }
}

fn service(repo: MockDisputeRepository) -> DisputeService {
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap());
    DisputeService::new(Arc::new(repo), Arc::new(clock))
}

fn customer() -> Ctx {
    Ctx::new(UserId(1), vec![Role::Customer])
}

#[test]
fn an_invisible_job_is_not_found() {
    let mut repo = MockDisputeRepository::new();
    repo.expect_job().returning(|_, _| Ok(None));
    let err =
        futures_executor::block_on(service(repo).raise(&customer(), 7, "x", &[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn someone_elses_attachment_is_a_422_before_anything_is_written() {
    let mut repo = MockDisputeRepository::new();
    repo.expect_job().returning(|_, _| Ok(Some(job())));
    let id = Uuid::new_v4();
    repo.expect_unusable_attachments()
        .returning(move |_, _| Ok(vec![id]));
    repo.expect_raise().never();
    let err =
        futures_executor::block_on(service(repo).raise(&customer(), 7, "x", &[id])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
}

#[test]
fn constraints_become_409_and_422() {
    for (constraint, kind) in [
        (Constraint::DisputeOfJob, ErrorKind::Conflict),
        (Constraint::DisputeOfAttachment, ErrorKind::Validation),
    ] {
        let mut repo = MockDisputeRepository::new();
        repo.expect_job().returning(|_, _| Ok(Some(job())));
        let refused = constraint.clone();
        repo.expect_raise()
            .returning(move |_| Err(StoreError::Conflict(refused.clone())));
        let err =
            futures_executor::block_on(service(repo).raise(&customer(), 7, "x", &[])).unwrap_err();
        assert_eq!(err.kind(), kind, "{constraint:?}");
    }
}

#[test]
fn the_region_list_is_for_lsms() {
    let repo = MockDisputeRepository::new();
    let err = futures_executor::block_on(service(repo).region(&customer(), Default::default()))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}
