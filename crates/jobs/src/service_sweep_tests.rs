//! Mark paid and the sweep over a mocked unit of work with a fixed clock:
//! what each use case loads, decides and saves, and in which order.

use std::sync::{Arc, Mutex};

use billing::books::MockBooksStore;
use billing::{InvoiceStatus, PaymentMethod};
use chrono::Duration;
use futures_executor::block_on;
use kernel::{Precondition, StoreError, TenantId, UserId};

use crate::error::JobError;
use crate::machine::Facts;
use crate::payment::{PaidWith, PayMethod};
use crate::ports::{JobRecord, JobSettings, MockJobRepository};
use crate::service_tests::{customer, now, provider, record, service_with};
use crate::status::{EventKind, JobStatus};
use crate::unit_of_work::{MockJobStore, MockJobUnitOfWork, MockJobUnits, Standing};

fn settings() -> JobSettings {
    JobSettings {
        response_deadline_minutes: 60,
        platform_fee_bps: 1000,
        warning_threshold: 3,
        open_requests: crate::OpenRequestLimits::default(),
        cancellation_fee_cap_bps: 10_000,
        provider_cancel_counts_as_warning: true,
        reminder_hours_before: 24,
    }
}

fn completed(price: i64) -> JobRecord {
    let mut r = record(JobStatus::Completed, 3);
    r.job.terms.price_cents = Some(price);
    r.job.agreed.price_cents = Some(price);
    r
}

fn readable(price: i64) -> MockJobRepository {
    let mut repo = MockJobRepository::new();
    repo.expect_find_visible()
        .returning(move |_, _| Ok(Some(completed(price))));
    repo
}

/// Every write of a unit, in the order it reached the stores.
type Log = Arc<Mutex<Vec<String>>>;

fn note(log: &Log, what: impl Into<String>) {
    log.lock().unwrap().push(what.into());
}

/// A unit whose job store reads a payable job, and whose every later
/// `jobs()` hands out `store` (the first hands out the reading store).
fn unit_of(
    reads: MockJobStore,
    writes: Option<MockJobStore>,
    books: Option<MockBooksStore>,
    log: &Log,
) -> MockJobUnits {
    let mut unit = MockJobUnitOfWork::new();
    let mut stores = vec![Box::new(reads)];
    if let Some(w) = writes {
        stores.push(Box::new(w));
    }
    stores.reverse();
    let stores = Mutex::new(stores);
    unit.expect_jobs().returning(move || {
        let next = stores.lock().unwrap().pop();
        next.expect("more job stores than the use case should ask for")
    });
    if let Some(books) = books {
        let log = log.clone();
        unit.expect_books().times(1).return_once(move |tenant| {
            note(&log, format!("books({})", tenant.0));
            Box::new(books)
        });
    }
    let log = log.clone();
    unit.expect_commit().returning(move || {
        note(&log, "commit");
        Ok(())
    });
    let mut units = MockJobUnits::new();
    units.expect_begin().return_once(move || Ok(Box::new(unit)));
    units
}

fn payable_reads(tenant: Option<TenantId>) -> MockJobStore {
    let mut reads = MockJobStore::new();
    reads.expect_facts().returning(|_| {
        Ok(Facts {
            open_dispute: false,
            provider_active: true,
            by_slot: false,
            proposal: None,
        })
    });
    reads.expect_settings().returning(|| Ok(settings()));
    reads
        .expect_provider_tenant()
        .returning(move |_| Ok(tenant));
    reads
}

#[test]
fn mark_paid_composes_job_sale_invoice_and_payment_in_one_unit() {
    let log: Log = Arc::default();
    let mut writes = MockJobStore::new();
    let l = log.clone();
    writes.expect_save().times(1).returning(move |change| {
        assert_eq!(change.job.status, JobStatus::Paid);
        assert_eq!(change.job.paid_at, Some(now()));
        assert_eq!(change.expected_version, 3);
        // The transition's e-mail and the provider's receipt; job.updated to both.
        assert_eq!(change.effects.messages.len(), 2);
        assert_eq!(change.effects.events.len(), 1);
        note(&l, "save");
        Ok(())
    });
    let l = log.clone();
    writes.expect_load().times(1).returning(move |id| {
        note(&l, "load");
        let mut saved = completed(12_345);
        saved.job.id = id;
        saved.job.status = JobStatus::Paid;
        Ok(saved)
    });
    let l = log.clone();
    writes.expect_insert_sale().times(1).returning(move |sale| {
        assert_eq!(sale.tenant_id, TenantId(7));
        assert_eq!(sale.amount_cents, 12_345);
        assert_eq!(
            (sale.split.fee_cents, sale.split.net_cents),
            (1_235, 11_110)
        );
        assert_eq!(sale.transaction_date, now().date_naive());
        assert_eq!(sale.paid_with.method, PayMethod::Card);
        note(&l, "sale");
        Ok(40)
    });
    let mut books = MockBooksStore::new();
    let l = log.clone();
    books
        .expect_insert_invoice()
        .times(1)
        .returning(move |invoice, sale| {
            // Billing's rules made it: issued, then paid in full.
            assert_eq!(sale, 40);
            assert_eq!(invoice.status, InvoiceStatus::Paid);
            assert_eq!((invoice.amount_cents, invoice.balance_cents), (12_345, 0));
            assert_eq!(invoice.issued_at, Some(now()));
            assert!(invoice.is_marketplace_invoice);
            assert_eq!(invoice.lines.len(), 1);
            assert_eq!(invoice.lines[0].amount_cents, 12_345);
            note(&l, "invoice");
            Ok(billing::Invoice { id: 90, ..invoice })
        });
    let l = log.clone();
    books
        .expect_insert_payment()
        .times(1)
        .returning(move |invoice, payment, at| {
            assert_eq!(invoice.id, 90);
            assert_eq!(payment.amount_cents, 12_345);
            assert_eq!(payment.method, PaymentMethod::Card);
            assert_eq!(at, now());
            note(&l, "payment");
            Ok(billing::Payment {
                id: 1,
                invoice_id: 90,
                amount_cents: payment.amount_cents,
                refunded_cents: 0,
                refund_reason: None,
                currency: invoice.currency,
                status: billing::PaymentStatus::Succeeded,
                method: payment.method,
                reference: None,
                received_at: at,
                idempotency_key: None,
                request_hash: None,
                created_at: at,
            })
        });
    let units = unit_of(
        payable_reads(Some(TenantId(7))),
        Some(writes),
        Some(books),
        &log,
    );
    let paid = PaidWith {
        method: PayMethod::Card,
        reference: None,
    };
    let saved = block_on(service_with(readable(12_345), units).mark_paid(
        &provider(),
        5,
        paid,
        Precondition::Absent,
    ))
    .unwrap();
    assert_eq!(saved.job.status, JobStatus::Paid);
    // The platform's rows first, the books after them, then one commit.
    assert_eq!(
        *log.lock().unwrap(),
        [
            "save", "load", "sale", "books(7)", "invoice", "payment", "commit"
        ]
    );
}

#[test]
fn mark_paid_without_a_tenant_writes_nothing() {
    let log: Log = Arc::default();
    let units = unit_of(payable_reads(None), None, None, &log);
    let err = block_on(service_with(readable(5_000), units).mark_paid(
        &provider(),
        5,
        PaidWith::default(),
        Precondition::Absent,
    ))
    .unwrap_err();
    assert!(matches!(err, JobError::Conflict(_)), "{err:?}");
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
    // The rule refuses the customer before anything is written.
    let units = unit_of(payable_reads(Some(TenantId(7))), None, None, &log);
    let err = block_on(service_with(readable(5_000), units).mark_paid(
        &customer(),
        5,
        PaidWith::default(),
        Precondition::Absent,
    ))
    .unwrap_err();
    assert!(matches!(err, JobError::Forbidden(_)), "{err:?}");
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}

#[test]
fn a_lost_race_after_if_match_is_a_412_and_nothing_is_committed() {
    let log: Log = Arc::default();
    let mut writes = MockJobStore::new();
    writes
        .expect_save()
        .times(1)
        .returning(|_| Err(StoreError::Stale));
    let units = unit_of(payable_reads(Some(TenantId(7))), Some(writes), None, &log);
    let err = block_on(service_with(readable(5_000), units).mark_paid(
        &provider(),
        5,
        PaidWith::default(),
        Precondition::Versions(vec![3]),
    ))
    .unwrap_err();
    assert!(matches!(err, JobError::PreconditionFailed), "{err:?}");
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}

fn overdue_repo() -> MockJobRepository {
    let mut repo = MockJobRepository::new();
    repo.expect_settings().returning(|| Ok(settings()));
    repo.expect_overdue().returning(|at, _| {
        assert_eq!(at, now() + Duration::hours(2));
        let mut late = record(JobStatus::New, 1);
        late.job.response_deadline = now();
        Ok(vec![late])
    });
    repo
}

/// A sweep over one overdue job whose provider stands as `standing`.
fn sweep_with(
    standing: Standing,
    expect_count: Option<(i64, bool)>,
) -> (crate::service_sweep::SweepReport, Vec<String>) {
    let log: Log = Arc::default();
    let mut store = MockJobStore::new();
    let l = log.clone();
    store.expect_save().times(1).returning(move |change| {
        assert!(change.job.deadline_warning_issued);
        assert_eq!(change.job.status, JobStatus::New);
        assert_eq!(change.actor, None);
        assert_eq!(change.events[0].kind, EventKind::DeadlineMissed);
        // `job.updated` with the job; the e-mail only with a counted warning.
        assert!(change.effects.messages.is_empty());
        assert_eq!(change.effects.events.len(), 1);
        note(&l, "save");
        Ok(())
    });
    let l = log.clone();
    store
        .expect_standing()
        .times(1)
        .returning(move |provider, customer, _| {
            assert_eq!(customer, UserId(10));
            note(&l, format!("standing({})", provider.0));
            Ok(standing)
        });
    let l = log.clone();
    match expect_count {
        Some((warnings, flag)) => {
            store
                .expect_count_warning()
                .times(1)
                .returning(move |_, n, f, _| {
                    assert_eq!((n, f), (warnings, flag));
                    note(&l, format!("count({n},{f})"));
                    Ok(())
                });
        }
        None => {
            store.expect_count_warning().never();
        }
    }
    let l = log.clone();
    store.expect_effects().returning(move |effects, _| {
        for m in &effects.messages {
            note(&l, m.template.clone());
        }
        Ok(())
    });
    let mut unit = MockJobUnitOfWork::new();
    unit.expect_jobs().return_once(move || Box::new(store));
    let l = log.clone();
    unit.expect_commit().returning(move || {
        note(&l, "commit");
        Ok(())
    });
    let mut units = MockJobUnits::new();
    units.expect_begin().return_once(move || Ok(Box::new(unit)));
    let svc = crate::service::JobService::new(
        Arc::new(overdue_repo()),
        Arc::new(units),
        Arc::new(kernel::FixedClock(now() + Duration::hours(2))),
    );
    let report = block_on(svc.sweep_deadlines()).unwrap();
    let log = log.lock().unwrap().clone();
    (report, log)
}

#[test]
fn the_sweep_counts_a_warning_and_flags_at_the_threshold() {
    let (report, log) = sweep_with(
        Standing {
            warnings: 2,
            under_review: false,
            last_warning_from_customer: None,
        },
        Some((3, true)),
    );
    assert_eq!((report.found, report.warned), (1, 1));
    assert_eq!(
        log,
        [
            "save",
            "standing(20)",
            "count(3,true)",
            "job.deadline_missed",
            "provider.under_review",
            "commit"
        ]
    );
}

#[test]
fn the_sweep_counts_one_warning_a_day_per_customer() {
    let (report, log) = sweep_with(
        Standing {
            warnings: 0,
            under_review: false,
            last_warning_from_customer: Some(now()),
        },
        None,
    );
    // The job is still marked and `job.updated` sent; the provider is not warned.
    assert_eq!((report.found, report.warned), (1, 1));
    assert_eq!(log, ["save", "standing(20)", "commit"]);
}

#[test]
fn the_sweep_skips_a_job_another_sweep_took() {
    let mut store = MockJobStore::new();
    store
        .expect_save()
        .times(1)
        .returning(|_| Err(StoreError::Stale));
    store.expect_standing().never();
    let mut unit = MockJobUnitOfWork::new();
    unit.expect_jobs().return_once(move || Box::new(store));
    unit.expect_commit().never();
    let mut units = MockJobUnits::new();
    units.expect_begin().return_once(move || Ok(Box::new(unit)));
    let svc = crate::service::JobService::new(
        Arc::new(overdue_repo()),
        Arc::new(units),
        Arc::new(kernel::FixedClock(now() + Duration::hours(2))),
    );
    let report = block_on(svc.sweep_deadlines()).unwrap();
    assert_eq!((report.found, report.warned), (1, 0));
}
