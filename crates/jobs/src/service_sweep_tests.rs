//! Mark paid and the sweep over mocked ports with a fixed clock.

use chrono::Duration;
use futures_executor::block_on;
use kernel::{Precondition, StoreError, TenantId};

use crate::error::JobError;
use crate::machine::Facts;
use crate::payment::{PaidWith, PayMethod};
use crate::ports::{JobSettings, MockJobRepository};
use crate::service_tests::{customer, now, provider, record, service};
use crate::status::{EventKind, JobStatus};

fn settings() -> JobSettings {
    JobSettings {
        response_deadline_minutes: 60,
        platform_fee_bps: 1000,
        warning_threshold: 3,
        open_requests: crate::OpenRequestLimits::default(),
    }
}

fn completed(price: i64) -> crate::ports::JobRecord {
    let mut r = record(JobStatus::Completed, 3);
    r.job.terms.price_cents = Some(price);
    r.job.agreed.price_cents = Some(price);
    r
}

fn payable_repo(price: i64, tenant: Option<TenantId>) -> MockJobRepository {
    let mut repo = MockJobRepository::new();
    repo.expect_find_visible()
        .returning(move |_, _| Ok(Some(completed(price))));
    repo.expect_facts().returning(|_| {
        Ok(Facts {
            open_dispute: false,
            provider_active: true,
        })
    });
    repo.expect_settings().returning(|| Ok(settings()));
    repo.expect_provider_tenant().returning(move |_| Ok(tenant));
    repo
}

#[test]
fn mark_paid_writes_the_sale_with_the_fee_from_the_settings() {
    let mut repo = payable_repo(12_345, Some(TenantId(7)));
    repo.expect_mark_paid().times(1).returning(|change, sale| {
        assert_eq!(change.job.status, JobStatus::Paid);
        assert_eq!(change.job.paid_at, Some(now()));
        assert_eq!(change.expected_version, 3);
        assert_eq!(sale.tenant_id, TenantId(7));
        assert_eq!(sale.amount_cents, 12_345);
        assert_eq!(
            (sale.split.fee_cents, sale.split.net_cents),
            (1_235, 11_110)
        );
        assert_eq!(sale.transaction_date, now().date_naive());
        assert_eq!(sale.paid_with.method, PayMethod::Card);
        // E-mails to both parties, job.updated to both.
        assert_eq!(change.effects.messages.len(), 2);
        assert_eq!(change.effects.events.len(), 1);
        Ok(crate::ports::JobRecord {
            job: change.job,
            ..completed(12_345)
        })
    });
    let paid = PaidWith {
        method: PayMethod::Card,
        reference: None,
    };
    let saved =
        block_on(service(repo).mark_paid(&provider(), 5, paid, Precondition::Absent)).unwrap();
    assert_eq!(saved.job.status, JobStatus::Paid);
}

#[test]
fn mark_paid_refuses_without_a_tenant_and_for_the_customer() {
    let repo = payable_repo(5_000, None);
    let err = block_on(service(repo).mark_paid(
        &provider(),
        5,
        PaidWith::default(),
        Precondition::Absent,
    ))
    .unwrap_err();
    assert!(matches!(err, JobError::Conflict(_)), "{err:?}");
    let repo = payable_repo(5_000, Some(TenantId(7)));
    let err = block_on(service(repo).mark_paid(
        &customer(),
        5,
        PaidWith::default(),
        Precondition::Absent,
    ))
    .unwrap_err();
    assert!(matches!(err, JobError::Forbidden(_)), "{err:?}");
}

#[test]
fn the_sweep_warns_overdue_jobs_and_skips_lost_races() {
    let mut repo = MockJobRepository::new();
    repo.expect_settings().returning(|| Ok(settings()));
    repo.expect_overdue().returning(|at, _| {
        assert_eq!(at, now() + Duration::hours(2));
        let mut late = record(JobStatus::New, 1);
        late.job.response_deadline = now();
        let mut taken = late.clone();
        taken.job.id = 6;
        Ok(vec![late, taken])
    });
    let mut calls = 0;
    repo.expect_miss_deadline()
        .times(2)
        .returning(move |change, warning| {
            calls += 1;
            assert_eq!(warning.threshold, 3);
            assert!(change.job.deadline_warning_issued);
            assert_eq!(change.job.status, JobStatus::New);
            assert_eq!(change.actor, None);
            assert_eq!(change.events[0].kind, EventKind::DeadlineMissed);
            // The e-mail goes with the warning (written only if it counts);
            // `job.updated` with the job.
            assert_eq!(warning.notice.messages[0].template, "job.deadline_missed");
            assert!(change.effects.messages.is_empty());
            assert_eq!(change.effects.events.len(), 1);
            // The second job was warned by a concurrent sweep.
            if calls == 1 {
                Ok(record(JobStatus::New, 2))
            } else {
                Err(StoreError::Stale)
            }
        });
    let svc = crate::service::JobService::new(
        std::sync::Arc::new(repo),
        std::sync::Arc::new(kernel::FixedClock(now() + Duration::hours(2))),
    );
    let report = block_on(svc.sweep_deadlines()).unwrap();
    assert_eq!((report.found, report.warned), (2, 1));
}

#[test]
fn the_figures_follow_the_pure_rule_per_provider() {
    let mut repo = MockJobRepository::new();
    repo.expect_response_samples().returning(|since| {
        assert_eq!(since, now() - Duration::days(90));
        let sample = |answer: Option<i64>| crate::ResponseSample {
            created_at: now() - Duration::hours(5),
            responded_at: answer.map(|m| now() - Duration::hours(5) + Duration::minutes(m)),
            response_deadline: now() - Duration::hours(4),
        };
        Ok(vec![
            (kernel::ProviderId(1), sample(Some(10))),
            (kernel::ProviderId(1), sample(None)),
            (kernel::ProviderId(2), sample(Some(90))),
        ])
    });
    repo.expect_write_response_figures()
        .times(1)
        .returning(|figures, _| {
            assert_eq!(figures.len(), 2);
            assert_eq!(figures[0].1.response_rate, Some(0.5));
            assert_eq!(figures[0].1.median_response_minutes, Some(10));
            assert_eq!(figures[1].1.response_rate, Some(0.0));
            Ok(())
        });
    assert_eq!(
        block_on(service(repo).refresh_response_figures()).unwrap(),
        2
    );
}
