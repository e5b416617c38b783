//! Use cases over mocked ports: validation, scope, races, If-Match, negotiation.

use kernel::Refusal as _;
use std::sync::Arc;

use catalog::{Catalog, Region, RegionDirectory, Service, ServiceDefinition, ServiceStatus};
use chrono::{Duration, TimeZone, Utc};
use futures_executor::block_on;
use kernel::{
    Ctx, FixedClock, Precondition, ProviderId, Role, ServiceId, StoreError, Timestamp, UserId,
};
use serde_json::json;

use crate::error::JobError;
use crate::job::{Job, Terms};
use crate::machine::{Action, Facts};
use crate::ports::{BookableProvider, JobRecord, JobSettings, MockJobRepository, ThreadChange};
use crate::quota::{OpenRequestLimits, OpenRequests};
use crate::service::{CreateJob, JobService};
use crate::status::JobStatus;

pub(crate) fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

fn catalog() -> Catalog {
    let def = ServiceDefinition {
        name: "Dog walking".into(),
        slug: "dog-walking".into(),
        description: "d".into(),
        category: catalog::Category::Pets,
        keywords: vec![],
        questions: serde_json::from_value(json!([
            {"key": "dog_size", "label": "Dog size", "kind": "choice", "required": true, "options": ["small", "large"]}
        ]))
        .unwrap(),
    };
    let service = Service {
        id: ServiceId(1),
        definition: def,
        status: ServiceStatus::Approved,
        is_popular: false,
        created_at: now(),
        updated_at: now(),
    };
    let regions = RegionDirectory::new(vec![Region {
        code: "nyc".into(),
        name: "New York".into(),
        time_zone: "America/New_York".into(),
        zip_prefixes: vec!["100".into()],
    }])
    .unwrap();
    Catalog::new(vec![service], regions)
}

pub(crate) fn customer() -> Ctx {
    Ctx::new(UserId(10), vec![Role::Customer])
}

pub(crate) fn provider() -> Ctx {
    Ctx::new(UserId(21), vec![Role::Provider])
}

pub(crate) fn record(status: JobStatus, version: i64) -> JobRecord {
    JobRecord {
        job: Job {
            id: 5,
            customer_id: UserId(10),
            provider_id: ProviderId(20),
            provider_user_id: UserId(21),
            service_id: ServiceId(1),
            region_code: "nyc".into(),
            status,
            terms: Terms {
                price_cents: Some(5_000),
                scheduled_at: None,
                description: "walk".into(),
            },
            agreed: Terms {
                price_cents: Some(5_000),
                scheduled_at: None,
                description: "walk".into(),
            },
            pending_approval: false,
            response_deadline: now() + Duration::hours(1),
            responded_at: None,
            rejection_reason: None,
            cancellation_reason: None,
            completed_at: None,
            paid_at: None,
            deadline_warning_issued: false,
            version,
        },
        thread_id: None,
        answers: json!({}),
        currency: "USD".into(),
        zipcode: "10001".into(),
        address: None,
        cancellation_policy: None,
        created_at: now(),
        updated_at: now(),
    }
}

/// The use cases over `repo`; a unit of work opened by them fails the test.
pub(crate) fn service(repo: MockJobRepository) -> JobService {
    service_with(repo, crate::unit_of_work::MockJobUnits::new())
}

/// The use cases over `repo` and the units of work `units` hands out.
pub(crate) fn service_with(
    repo: MockJobRepository,
    units: crate::unit_of_work::MockJobUnits,
) -> JobService {
    JobService::new(Arc::new(repo), Arc::new(units), Arc::new(FixedClock(now())))
}

fn bookable(offers: bool) -> BookableProvider {
    BookableProvider {
        id: ProviderId(20),
        user_id: UserId(21),
        region_code: "nyc".into(),
        active: true,
        offers_service: offers,
    }
}

fn booking() -> CreateJob {
    CreateJob {
        provider_id: 20,
        service_id: 1,
        description: "Walk Rex".into(),
        answers: json!({"dog_size": "small"}).as_object().unwrap().clone(),
        zipcode: "10001".into(),
        ..CreateJob::default()
    }
}

#[test]
fn booking_names_every_bad_field_and_writes_nothing() {
    let mut repo = MockJobRepository::new();
    repo.expect_bookable_provider()
        .returning(|_, _| Ok(Some(bookable(false))));
    repo.expect_create_within_quota().never();
    let cmd = CreateJob {
        answers: serde_json::Map::new(),
        zipcode: "94105".into(),
        ..booking()
    };
    let err = block_on(service(repo).create(&customer(), &catalog(), cmd)).unwrap_err();
    let fields: Vec<_> = err.field_errors().iter().map(|e| e.field.clone()).collect();
    assert_eq!(
        fields,
        ["zipcode", "answers.dog_size", "service_id"],
        "{err:?}"
    );
}

/// A provider without hours: free-text scheduling.
fn unscheduled() -> crate::slots::BookingSchedule {
    crate::slots::BookingSchedule {
        availability: scheduling::Availability::new(chrono_tz::Tz::UTC, Vec::new(), Vec::new())
            .unwrap(),
        timing: scheduling::ServiceTiming::from_defaults(scheduling::TimingDefaults::default()),
        policy: scheduling::CancellationPolicy::default(),
    }
}

#[test]
fn booking_sets_the_deadline_from_settings_and_creates_once() {
    let mut repo = MockJobRepository::new();
    repo.expect_bookable_provider()
        .returning(|_, _| Ok(Some(bookable(true))));
    repo.expect_booking_schedule()
        .returning(|_, _, _| Ok(unscheduled()));
    repo.expect_settings().returning(|| {
        Ok(JobSettings {
            response_deadline_minutes: 90,
            platform_fee_bps: 1000,
            warning_threshold: 3,
            open_requests: OpenRequestLimits {
                per_pair: 2,
                per_customer: 7,
            },
            cancellation_fee_cap_bps: 10_000,
            provider_cancel_counts_as_warning: true,
            reminder_hours_before: 24,
        })
    });
    repo.expect_create_within_quota()
        .times(1)
        .returning(|new, limits| {
            assert_eq!(new.job.response_deadline, now() + Duration::minutes(90));
            assert_eq!(new.job.status, JobStatus::New);
            // The repository is handed the limits in force, to ask the rule under its lock.
            assert_eq!((limits.per_pair, limits.per_customer), (2, 7));
            Ok(Ok(record(JobStatus::New, 1)))
        });
    let out = block_on(service(repo).create(&customer(), &catalog(), booking())).unwrap();
    assert_eq!(out.job.id, 5);
}

#[test]
fn a_booking_over_the_open_request_quota_is_a_quota_refusal() {
    let mut repo = MockJobRepository::new();
    repo.expect_bookable_provider()
        .returning(|_, _| Ok(Some(bookable(true))));
    repo.expect_booking_schedule()
        .returning(|_, _, _| Ok(unscheduled()));
    repo.expect_settings().returning(|| {
        Ok(JobSettings {
            response_deadline_minutes: 60,
            platform_fee_bps: 1000,
            warning_threshold: 3,
            open_requests: OpenRequestLimits::default(),
            cancellation_fee_cap_bps: 10_000,
            provider_cancel_counts_as_warning: true,
            reminder_hours_before: 24,
        })
    });
    repo.expect_create_within_quota().returning(|new, limits| {
        let open = OpenRequests {
            with_provider: 3,
            first_deadline_with_provider: Some(new.at + Duration::minutes(30)),
            in_all: 3,
            first_deadline_in_all: Some(new.at + Duration::minutes(30)),
        };
        Ok(limits
            .admit(&open, new.at)
            .map(|()| record(JobStatus::New, 1)))
    });
    let err = block_on(service(repo).create(&customer(), &catalog(), booking())).unwrap_err();
    assert_eq!(err.code(), "quota_exceeded");
    assert_eq!(err.kind(), kernel::ErrorKind::RateLimited);
    let JobError::Quota(q) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (q.quota, q.retry_after_secs),
        ("open_requests_per_pair", 1800)
    );
}

#[test]
fn providers_cannot_book_and_non_parties_who_see_a_job_cannot_act() {
    let repo = MockJobRepository::new();
    let err = block_on(service(repo).create(&provider(), &catalog(), booking())).unwrap_err();
    assert!(matches!(err, JobError::Forbidden(_)));

    let mut repo = MockJobRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(JobStatus::New, 1))));
    repo.expect_apply().never();
    let lsm = Ctx::new(UserId(99), vec![Role::Lsm]);
    let err = block_on(service(repo).transition(&lsm, 5, Action::Accept, Precondition::Absent))
        .unwrap_err();
    assert!(matches!(err, JobError::Forbidden(_)));
}

#[test]
fn a_lost_race_is_reapplied_to_the_fresh_state() {
    let mut repo = MockJobRepository::new();
    let mut reads = 0;
    repo.expect_find_visible().returning(move |_, _| {
        reads += 1;
        // Another accept won between the first read and the write.
        Ok(Some(if reads == 1 {
            record(JobStatus::New, 1)
        } else {
            record(JobStatus::InProgress, 2)
        }))
    });
    repo.expect_facts().returning(|_| {
        Ok(Facts {
            open_dispute: false,
            provider_active: true,
            by_slot: false,
            proposal: None,
        })
    });
    repo.expect_apply()
        .times(1)
        .returning(|_| Err(StoreError::Stale));
    let err =
        block_on(service(repo).transition(&provider(), 5, Action::Accept, Precondition::Absent))
            .unwrap_err();
    assert!(matches!(err, JobError::InvalidTransition { .. }), "{err:?}");
}

#[test]
fn if_match_is_a_precondition() {
    let mut repo = MockJobRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(JobStatus::New, 3))));
    repo.expect_apply().never();
    let stale = Precondition::Versions(vec![1, 2]);
    let err =
        block_on(service(repo).transition(&provider(), 5, Action::Accept, stale)).unwrap_err();
    assert_eq!(err, JobError::PreconditionFailed);

    let mut repo = MockJobRepository::new();
    repo.expect_find_visible()
        .returning(|_, _| Ok(Some(record(JobStatus::New, 3))));
    repo.expect_facts().returning(|_| {
        Ok(Facts {
            open_dispute: false,
            provider_active: true,
            by_slot: false,
            proposal: None,
        })
    });
    repo.expect_apply().returning(|_| Err(StoreError::Stale));
    let fresh = Precondition::Versions(vec![3]);
    let err =
        block_on(service(repo).transition(&provider(), 5, Action::Accept, fresh)).unwrap_err();
    assert_eq!(err, JobError::PreconditionFailed);
}

#[test]
fn declining_restores_the_agreed_terms() {
    let mut repo = MockJobRepository::new();
    repo.expect_find_visible().returning(|_, _| {
        let mut r = record(JobStatus::InProgress, 4);
        r.job.pending_approval = true;
        r.job.terms.price_cents = Some(9_000);
        Ok(Some(r))
    });
    repo.expect_facts().returning(|_| {
        Ok(Facts {
            open_dispute: false,
            provider_active: true,
            by_slot: false,
            proposal: None,
        })
    });
    repo.expect_apply().times(1).returning(|change| {
        assert_eq!(change.expected_version, 4);
        assert_eq!(change.job.terms.price_cents, Some(5_000));
        assert!(!change.job.pending_approval);
        assert!(matches!(change.thread, ThreadChange::SystemMessage(_)));
        let mut r = record(JobStatus::InProgress, 5);
        r.job = change.job;
        Ok(r)
    });
    let action = Action::DeclineChanges {
        reason: Some("too dear".into()),
    };
    let out =
        block_on(service(repo).transition(&customer(), 5, action, Precondition::Absent)).unwrap();
    assert_eq!(out.job.terms.price_cents, Some(5_000));
}

#[test]
fn approving_changes_needs_if_match_with_a_version() {
    for precondition in [Precondition::Absent, Precondition::Any] {
        let mut repo = MockJobRepository::new();
        repo.expect_find_visible().returning(|_, _| {
            let mut r = record(JobStatus::New, 4);
            r.job.pending_approval = true;
            r.job.terms.price_cents = Some(99_000);
            Ok(Some(r))
        });
        repo.expect_apply().never();
        let err = block_on(service(repo).transition(
            &customer(),
            5,
            Action::ApproveChanges,
            precondition,
        ))
        .unwrap_err();
        assert!(matches!(err, JobError::PreconditionRequired(_)));
        assert_eq!(err.kind(), kernel::ErrorKind::PreconditionRequired);
    }
}
