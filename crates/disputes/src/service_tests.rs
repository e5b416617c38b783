//! The use cases over a mocked port and a mocked unit of work: scope,
//! storage outcomes mapped to the right refusals, and what raising and
//! resolving write, in which order.

use kernel::Refusal as _;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use effects::Audience;
use jobs::ports::JobRecord;
use jobs::unit_of_work::MockJobStore;
use jobs::{EventKind, Job, JobStatus, Party, Terms};
use kernel::{Ctx, ErrorKind, FixedClock, ProviderId, Role, ServiceId, StoreError, UserId};
use messaging::thread_store::MockThreadStore;
use uuid::Uuid;

use crate::dispute::{Dispute, DisputedJob, RaisedBy};
use crate::ports::MockDisputeRepository;
use crate::service::DisputeService;
use crate::unit_of_work::{MockDisputeStore, MockDisputeUnitOfWork, MockDisputeUnits};
use kernel::Constraint;

const THREAD: Uuid = Uuid::from_u128(0x7);

fn at() -> kernel::Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn job() -> DisputedJob {
    DisputedJob {
        id: 7,
        status: JobStatus::InProgress,
        customer_id: UserId(1),
        provider_user_id: UserId(2),
        region_code: "nyc".into(),
        thread_id: Some(THREAD),
    }
}

fn job_record(version: i64) -> JobRecord {
    let terms = Terms {
        price_cents: Some(5_000),
        scheduled_at: None,
        description: "Fix the sink".into(),
    };
    JobRecord {
        job: Job {
            id: 7,
            customer_id: UserId(1),
            provider_id: ProviderId(20),
            provider_user_id: UserId(2),
            service_id: ServiceId(1),
            region_code: "nyc".into(),
            status: JobStatus::InProgress,
            terms: terms.clone(),
            agreed: terms,
            pending_approval: false,
            response_deadline: at(),
            responded_at: Some(at()),
            rejection_reason: None,
            cancellation_reason: None,
            completed_at: None,
            paid_at: None,
            deadline_warning_issued: false,
            version,
        },
        thread_id: Some(THREAD),
        answers: serde_json::json!({}),
        currency: "USD".into(),
        zipcode: "10001".into(),
        address: None,
        cancellation_policy: None,
        created_at: at(),
        updated_at: at(),
    }
}

fn visible() -> MockDisputeRepository {
    let mut repo = MockDisputeRepository::new();
    repo.expect_job().returning(|_, _| Ok(Some(job())));
    repo
}

fn service(repo: MockDisputeRepository, units: MockDisputeUnits) -> DisputeService {
    DisputeService::new(Arc::new(repo), Arc::new(units), Arc::new(FixedClock(at())))
}

fn customer() -> Ctx {
    Ctx::new(UserId(1), vec![Role::Customer])
}

fn lsm() -> Ctx {
    let mut ctx = Ctx::new(UserId(9), vec![Role::Lsm]);
    ctx.region = Some("nyc".into());
    ctx
}

/// Every write of the units, in order.
type Log = Arc<Mutex<Vec<String>>>;

fn note(log: &Log, what: impl Into<String>) {
    log.lock().unwrap().push(what.into());
}

/// Units of work, one per `begin`, each built by `unit` with the log.
fn units(log: &Log, n: usize, unit: fn(&Log, usize) -> MockDisputeUnitOfWork) -> MockDisputeUnits {
    let mut units = MockDisputeUnits::new();
    let log = log.clone();
    let mut opened = 0;
    units.expect_begin().times(n).returning(move || {
        opened += 1;
        Ok(Box::new(unit(&log, opened)))
    });
    units
}

fn committing(unit: &mut MockDisputeUnitOfWork, log: &Log) {
    let log = log.clone();
    unit.expect_commit().returning(move || {
        note(&log, "commit");
        Ok(())
    });
}

fn threads(log: &Log) -> MockThreadStore {
    let mut threads = MockThreadStore::new();
    let l = log.clone();
    threads
        .expect_system_message()
        .returning(move |thread, _, audiences, _| {
            assert_eq!(thread, THREAD);
            // Both parties and the region's managers hear of it.
            assert_eq!(
                audiences,
                [
                    Audience::Users(vec![UserId(1), UserId(2)]),
                    Audience::RegionLsms("nyc".into())
                ]
            );
            note(&l, "system message");
            Ok(())
        });
    let l = log.clone();
    threads.expect_first_lsm().returning(move |_, lsm| {
        note(&l, format!("first lsm {}", lsm.0));
        Ok(())
    });
    threads
}

/// A raise whose first unit loses the job's compare-and-set and whose
/// second one goes through.
fn raising(log: &Log, attempt: usize) -> MockDisputeUnitOfWork {
    let mut unit = MockDisputeUnitOfWork::new();
    let mut jobs = MockJobStore::new();
    let l = log.clone();
    jobs.expect_load().returning(move |id| {
        note(&l, format!("load job {id}"));
        Ok(job_record(4))
    });
    let l = log.clone();
    jobs.expect_save().returning(move |change| {
        assert_eq!(change.expected_version, 4);
        assert_eq!(change.job.version, 5);
        assert_eq!(change.job.status, JobStatus::InProgress);
        assert_eq!(change.events.len(), 1);
        assert_eq!(change.events[0].kind, EventKind::Disputed);
        assert_eq!(change.events[0].actor, Party::Customer);
        assert_eq!(change.events[0].data["dispute_id"], 31);
        assert_eq!(change.actor, Some(UserId(1)));
        note(&l, "save job");
        if attempt == 1 {
            Err(StoreError::Stale)
        } else {
            Ok(())
        }
    });
    unit.expect_jobs().return_once(move || Box::new(jobs));
    let mut disputes = MockDisputeStore::new();
    let l = log.clone();
    disputes.expect_insert().returning(move |job, raise, _| {
        assert_eq!(job.id, 7);
        assert_eq!(raise.raised_by, RaisedBy::Customer);
        note(&l, "insert dispute");
        Ok(31)
    });
    let l = log.clone();
    disputes.expect_effects().returning(move |effects, _| {
        note(&l, format!("effects: {} messages", effects.messages.len()));
        Ok(())
    });
    unit.expect_disputes()
        .return_once(move || Box::new(disputes));
    if attempt > 1 {
        let threads = threads(log);
        unit.expect_threads().return_once(move || Box::new(threads));
        committing(&mut unit, log);
    } else {
        unit.expect_commit().never();
    }
    unit
}

#[test]
fn a_raise_writes_dispute_job_thread_and_notices_in_one_unit_and_retries_a_moved_job() {
    let log: Log = Arc::default();
    let stored = futures_executor::block_on(service(visible(), units(&log, 2, raising)).raise(
        &customer(),
        7,
        "It leaks again",
        &[],
    ))
    .unwrap();
    assert_eq!((stored.id, stored.job.id), (31, 7));
    assert_eq!(stored.created_at, at());
    let log = log.lock().unwrap().clone();
    let first = ["load job 7", "insert dispute", "save job"];
    let second = [
        "load job 7",
        "insert dispute",
        "save job",
        "system message",
        "effects: 2 messages",
        "commit",
    ];
    assert_eq!(log[..3], first, "{log:?}");
    assert_eq!(log[3..], second, "{log:?}");
}

#[test]
fn an_invisible_job_is_not_found() {
    let mut repo = MockDisputeRepository::new();
    repo.expect_job().returning(|_, _| Ok(None));
    let err = futures_executor::block_on(service(repo, MockDisputeUnits::new()).raise(
        &customer(),
        7,
        "x",
        &[],
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn someone_elses_attachment_is_a_422_before_anything_is_written() {
    let mut repo = visible();
    let id = Uuid::new_v4();
    repo.expect_unusable_attachments()
        .returning(move |_, _| Ok(vec![id]));
    let err = futures_executor::block_on(service(repo, MockDisputeUnits::new()).raise(
        &customer(),
        7,
        "x",
        &[id],
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
}

fn refused(constraint: Constraint) -> MockDisputeUnits {
    let mut units = MockDisputeUnits::new();
    units.expect_begin().times(1).return_once(move || {
        let mut unit = MockDisputeUnitOfWork::new();
        let mut jobs = MockJobStore::new();
        jobs.expect_load().returning(|_| Ok(job_record(4)));
        jobs.expect_save().never();
        unit.expect_jobs().return_once(move || Box::new(jobs));
        let mut disputes = MockDisputeStore::new();
        disputes
            .expect_insert()
            .returning(move |_, _, _| Err(StoreError::Conflict(constraint.clone())));
        unit.expect_disputes()
            .return_once(move || Box::new(disputes));
        unit.expect_commit().never();
        Ok(Box::new(unit))
    });
    units
}

#[test]
fn constraints_become_409_and_422_and_nothing_is_committed() {
    for (constraint, kind) in [
        (Constraint::DisputeOfJob, ErrorKind::Conflict),
        (Constraint::DisputeOfAttachment, ErrorKind::Validation),
    ] {
        let err = futures_executor::block_on(
            service(visible(), refused(constraint.clone())).raise(&customer(), 7, "x", &[]),
        )
        .unwrap_err();
        assert_eq!(err.kind(), kind, "{constraint:?}");
    }
}

fn pending() -> Dispute {
    let raise = crate::dispute::raise(&job(), UserId(1), "It leaks", &[]).unwrap();
    Dispute::opened(31, job(), raise, at())
}

fn open_dispute() -> MockDisputeRepository {
    let mut repo = MockDisputeRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(pending())));
    repo
}

fn resolving(log: &Log, _: usize) -> MockDisputeUnitOfWork {
    let mut unit = MockDisputeUnitOfWork::new();
    let mut disputes = MockDisputeStore::new();
    let l = log.clone();
    disputes.expect_resolve().returning(move |d| {
        assert_eq!(d.resolved_by, Some(UserId(9)));
        assert_eq!(d.resolved_at, Some(at()));
        note(&l, "resolve");
        Ok(())
    });
    let l = log.clone();
    disputes.expect_effects().returning(move |effects, _| {
        assert!(effects.audit.is_some());
        note(&l, "effects");
        Ok(())
    });
    unit.expect_disputes()
        .return_once(move || Box::new(disputes));
    let threads = threads(log);
    unit.expect_threads().return_once(move || Box::new(threads));
    committing(&mut unit, log);
    unit
}

#[test]
fn a_resolution_by_an_lsm_takes_up_the_thread_in_the_same_unit() {
    let log: Log = Arc::default();
    let resolved =
        futures_executor::block_on(service(open_dispute(), units(&log, 1, resolving)).resolve(
            &lsm(),
            31,
            "Refund agreed",
            "in_favor_of_customer",
        ))
        .unwrap();
    assert_eq!(resolved.status, crate::DisputeStatus::Resolved);
    assert_eq!(
        *log.lock().unwrap(),
        [
            "resolve",
            "first lsm 9",
            "system message",
            "effects",
            "commit"
        ]
    );
}

#[test]
fn a_resolution_that_lost_the_race_is_a_409_and_commits_nothing() {
    let mut units = MockDisputeUnits::new();
    units.expect_begin().return_once(|| {
        let mut unit = MockDisputeUnitOfWork::new();
        let mut disputes = MockDisputeStore::new();
        disputes
            .expect_resolve()
            .returning(|_| Err(StoreError::Stale));
        unit.expect_disputes()
            .return_once(move || Box::new(disputes));
        unit.expect_commit().never();
        Ok(Box::new(unit))
    });
    let err = futures_executor::block_on(service(open_dispute(), units).resolve(
        &lsm(),
        31,
        "Refund agreed",
        "in_favor_of_customer",
    ))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn the_region_list_is_for_lsms() {
    let err = futures_executor::block_on(
        service(MockDisputeRepository::new(), MockDisputeUnits::new())
            .region(&customer(), Default::default()),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}
