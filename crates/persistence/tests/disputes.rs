//! The dispute repository on real databases: scope in every read, the one
//! open dispute per job and one dispute per attachment enforced by the
//! schema, a raise and a resolution written whole (evidence links, job event,
//! system message, notifications, events, audit row, the thread's LSM), and
//! the compare-and-set that lets only one resolution win.

// The bodies run as tests through `on_both_backends!`; clippy cannot see that.
#![allow(clippy::unwrap_used)]

mod common;
mod fixtures;

use chrono::SubsecRound;
use disputes::dispute::Raise;
use disputes::ports::{DisputeRepository, DisputeScope, DisputeViewer};
use disputes::unit_of_work::DisputeUnitOfWork;
use disputes::{Dispute, DisputeStatus, DisputedJob, Resolver};
use effects::Effects;
use fixtures::*;
use jobs::ports::{JobRepository, NewJob};
use jobs::{Job, JobEvent, JobStatus, Party, Terms};
use kernel::{ProviderId, Role, ServiceId, StoreError, UserId};
use persistence::{Database, SqlDisputeRepository, SqlJobRepository, SqlUnitsOfWork};
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

fn no_effects(_: &jobs::ports::JobRecord) -> Effects {
    Effects::none()
}

async fn run(db: &Database, sql: &str) {
    db.conn()
        .execute_raw(Statement::from_string(
            db.conn().get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
}

async fn provider(db: &Database) -> (ProviderId, UserId) {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.conn().get_database_backend(),
            "SELECT id, user_id FROM service_providers",
        ))
        .await
        .unwrap()
        .unwrap();
    (
        ProviderId(row.try_get("", "id").unwrap()),
        UserId(row.try_get("", "user_id").unwrap()),
    )
}

/// A job in progress between `customer` and the provider, in NYC.
async fn job(db: &Database, customer: UserId) -> i64 {
    let (provider_id, provider_user_id) = provider(db).await;
    let now = chrono::Utc::now();
    let job = Job {
        id: 0,
        customer_id: customer,
        provider_id,
        provider_user_id,
        service_id: ServiceId(1),
        region_code: "nyc".into(),
        status: JobStatus::New,
        agreed: Terms {
            price_cents: Some(5_000),
            scheduled_at: None,
            description: "walk".into(),
        },
        terms: Terms {
            price_cents: Some(5_000),
            scheduled_at: None,
            description: "walk".into(),
        },
        pending_approval: false,
        response_deadline: now + chrono::Duration::hours(1),
        responded_at: None,
        rejection_reason: None,
        cancellation_reason: None,
        completed_at: None,
        paid_at: None,
        deadline_warning_issued: false,
        version: 1,
    };
    let created = SqlJobRepository::new(db.conn().clone())
        .create(NewJob {
            job,
            answers: serde_json::Map::new(),
            currency: "USD".into(),
            zipcode: "10001".into(),
            address: None,
            events: vec![JobEvent {
                kind: jobs::EventKind::Created,
                actor: Party::Customer,
                data: serde_json::json!({}),
            }],
            effects_for: no_effects,
            hold: None,
            cancellation_policy: None,
            at: now,
        })
        .await
        .unwrap();
    let id = created.job.id;
    run(
        db,
        &format!("UPDATE jobs SET status = 'in_progress' WHERE id = {id}"),
    )
    .await;
    id
}

async fn attachment(db: &Database, owner: UserId) -> Uuid {
    let id = Uuid::new_v4();
    db.conn()
        .execute_raw(Statement::from_sql_and_values(
            db.conn().get_database_backend(),
            match db.conn().get_database_backend() {
                sea_orm::DbBackend::Postgres => {
                    "INSERT INTO attachments (id, owner_user_id, file_name, content_type, size_bytes, sha256, storage_key, created_at) \
                     VALUES ($1, $2, 'a.pdf', 'application/pdf', 10, 'ab', $3, $4)"
                }
                _ => {
                    "INSERT INTO attachments (id, owner_user_id, file_name, content_type, size_bytes, sha256, storage_key, created_at) \
                     VALUES (?, ?, 'a.pdf', 'application/pdf', 10, 'ab', ?, ?)"
                }
            },
            vec![
                id.into(),
                owner.0.into(),
                id.to_string().into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await
        .unwrap();
    id
}

fn viewer(user: UserId, admin: bool, region: Option<&str>) -> DisputeViewer {
    DisputeViewer {
        user_id: user,
        is_admin: admin,
        lsm_region: region.map(str::to_owned),
    }
}

fn new_dispute(job: DisputedJob, by: UserId, attachments: Vec<Uuid>) -> (DisputedJob, Raise) {
    let raise =
        disputes::dispute::raise(&job, by, "The walk never happened", &attachments).unwrap();
    (job, raise)
}

/// A raise as the use case writes it: one unit of work, committed.
async fn raise(db: &Database, (job, raise): (DisputedJob, Raise)) -> Result<Dispute, StoreError> {
    let mut unit = SqlUnitsOfWork::new(db.conn().clone()).open().await?;
    let at = chrono::Utc::now().trunc_subsecs(6);
    let stored = disputes::service::write_raise(&mut unit, &job, &raise, at).await?;
    DisputeUnitOfWork::commit(&mut unit).await?;
    Ok(stored)
}

/// A resolution as the use case writes it.
async fn resolve(
    db: &Database,
    done: &Dispute,
    by: Resolver,
    at: kernel::Timestamp,
) -> Result<(), StoreError> {
    let mut unit = SqlUnitsOfWork::new(db.conn().clone()).open().await?;
    disputes::service::write_resolution(&mut unit, done, by, at).await?;
    DisputeUnitOfWork::commit(&mut unit).await
}

async fn disputes_are_scoped_unique_and_resolved_once(db: &Database) {
    seed(db).await;
    offer(db, "walker@example.com", "nyc", &[1]).await;
    let (_, provider_user) = provider(db).await;
    let customer = user(db, "customer@example.com", Role::Customer).await;
    let stranger = user(db, "stranger@example.com", Role::Customer).await;
    let nyc = lsm(db, "lsm@nyc.example.com", "nyc").await;
    let la = lsm(db, "lsm@la.example.com", "la").await;
    let repo = SqlDisputeRepository::new(db.conn().clone());
    let jobs = SqlJobRepository::new(db.conn().clone());
    let id = job(db, customer).await;

    // The job as each viewer may see it.
    let seen = repo
        .job(id, &viewer(customer, false, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.provider_user_id, provider_user);
    assert!(seen.thread_id.is_some());
    assert!(
        repo.job(id, &viewer(stranger, false, None))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        repo.job(id, &viewer(la, false, Some("la")))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        repo.job(id, &viewer(nyc, false, Some("nyc")))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        repo.job(id, &viewer(stranger, true, None))
            .await
            .unwrap()
            .is_some()
    );

    // Evidence: only the raiser's own, not yet linked.
    let mine = [
        attachment(db, customer).await,
        attachment(db, customer).await,
    ];
    let theirs = attachment(db, provider_user).await;
    let asked = [mine[0], theirs, mine[1]];
    assert_eq!(
        repo.unusable_attachments(customer, &asked).await.unwrap(),
        vec![theirs]
    );

    let version_sql = format!("SELECT version AS n FROM jobs WHERE id = {id}");
    let before = count(db, &version_sql).await;
    let raised = raise(db, new_dispute(seen.clone(), customer, mine.to_vec()))
        .await
        .unwrap();
    assert_eq!(raised.status, DisputeStatus::Pending);
    // Raising moves the job's version: a complete or mark-paid that read the
    // job before the dispute loses its compare-and-set and is decided again.
    assert_eq!(count(db, &version_sql).await, before + 1);
    assert_eq!(raised.attachment_ids, mine.to_vec());
    assert_eq!(
        repo.unusable_attachments(customer, &mine).await.unwrap(),
        mine.to_vec()
    );
    assert!(
        jobs.facts(
            &jobs
                .find_visible(
                    id,
                    jobs::ports::JobViewer {
                        user_id: customer,
                        is_admin: false,
                        lsm_region: None,
                    }
                )
                .await
                .unwrap()
                .unwrap()
                .job
        )
        .await
        .unwrap()
        .open_dispute
    );

    // Written whole: links, job event, system message, notices, events.
    let n = |sql: String| async move { count(db, &sql).await };
    let d = raised.id;
    assert_eq!(
        n(format!(
            "SELECT COUNT(*) AS n FROM dispute_attachments WHERE dispute_id = {d}"
        ))
        .await,
        2
    );
    assert_eq!(
        n(format!(
            "SELECT COUNT(*) AS n FROM job_events WHERE job_id = {id} AND kind = 'disputed'"
        ))
        .await,
        1
    );
    assert_eq!(n("SELECT COUNT(*) AS n FROM messages WHERE sender_role = 'system' AND body LIKE 'Dispute raised by the customer: %'".into()).await, 1);
    let notified = format!(
        "SELECT COUNT(*) AS n FROM notifications WHERE kind = 'dispute.raised' AND user_id IN ({}, {}, {})",
        nyc.0, provider_user.0, customer.0
    );
    assert_eq!(n(notified).await, 2, "the region's LSM and the other party");
    let la_events = format!(
        "SELECT COUNT(*) AS n FROM user_events WHERE user_id = {}",
        la.0
    );
    assert_eq!(n(la_events.clone()).await, 0);
    for u in [customer, provider_user, nyc] {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM user_events WHERE user_id = {} AND kind IN ('dispute.updated', 'message.created')",
            u.0
        );
        assert_eq!(n(sql).await, 2, "user {u:?}");
    }

    // One open dispute per job; one dispute per attachment.
    let again = raise(db, new_dispute(seen.clone(), provider_user, vec![])).await;
    assert_eq!(
        again.err(),
        Some(StoreError::Conflict(kernel::Constraint::DisputeOfJob))
    );
    let other_job = job(db, customer).await;
    let other = repo
        .job(other_job, &viewer(customer, false, None))
        .await
        .unwrap()
        .unwrap();
    let reused = raise(db, new_dispute(other, customer, vec![mine[0]])).await;
    assert_eq!(
        reused.err(),
        Some(StoreError::Conflict(
            kernel::Constraint::DisputeOfAttachment
        ))
    );

    // Reads in scope.
    for (v, visible) in [
        (viewer(customer, false, None), true),
        (viewer(provider_user, false, None), true),
        (viewer(nyc, false, Some("nyc")), true),
        (viewer(stranger, true, None), true),
        (viewer(stranger, false, None), false),
        (viewer(la, false, Some("la")), false),
    ] {
        let found = repo.find_visible(d, &v).await.unwrap();
        assert_eq!(found.is_some(), visible, "{v:?}");
        if let Some(found) = found {
            assert_eq!(found, raised);
        }
        let listed = repo
            .list(&DisputeScope::Visible(v.clone()), None, None, 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), usize::from(visible), "{v:?}");
    }
    let region = |code: &str| DisputeScope::Region(code.into());
    assert_eq!(
        repo.list(&region("nyc"), Some(DisputeStatus::Pending), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        repo.list(&region("nyc"), Some(DisputeStatus::Resolved), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        repo.list(&region("la"), None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        repo.list(&region("nyc"), None, Some(d), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Resolution: once; the LSM becomes the thread's LSM; audit row; freeze lifted.
    let at = chrono::Utc::now().trunc_subsecs(6);
    let done = raised
        .resolve(
            Resolver::Lsm(nyc),
            "No walk took place",
            "in_favor_of_customer",
            at,
        )
        .unwrap();
    assert_eq!(resolve(db, &done, Resolver::Lsm(nyc), at).await, Ok(()));
    assert_eq!(
        repo.find_visible(done.id, &viewer(customer, false, None))
            .await
            .unwrap(),
        Some(done.clone())
    );
    assert_eq!(
        resolve(db, &done, Resolver::Lsm(nyc), at).await.err(),
        Some(StoreError::Stale)
    );
    assert_eq!(
        n(format!(
            "SELECT COUNT(*) AS n FROM message_threads WHERE job_id = {id} AND lsm_user_id = {}",
            nyc.0
        ))
        .await,
        1
    );
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dispute.resolve'".into()).await,
        1
    );
    assert_eq!(
        n("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'dispute.resolved'".into()).await,
        2
    );
    let job_now = jobs
        .find_visible(
            id,
            jobs::ports::JobViewer {
                user_id: customer,
                is_admin: false,
                lsm_region: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(!jobs.facts(&job_now.job).await.unwrap().open_dispute);
    // A new dispute may be raised once the first is resolved.
    assert!(
        raise(db, new_dispute(seen, provider_user, vec![]))
            .await
            .is_ok()
    );
}

on_both_backends!(
    disputes_are_scoped_unique_and_resolved_once_on,
    disputes_are_scoped_unique_and_resolved_once
);

fn thread_viewer(user: UserId, admin: bool, region: Option<&str>) -> messaging::Viewer {
    messaging::Viewer {
        user_id: user,
        is_admin: admin,
        lsm_region: region.map(str::to_owned),
    }
}

async fn set_thread_deleted(db: &Database, thread: Uuid, deleted: bool) {
    let backend = db.conn().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE message_threads SET is_deleted = $1 WHERE id = $2",
        _ => "UPDATE message_threads SET is_deleted = ? WHERE id = ?",
    };
    db.conn()
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [deleted.into(), thread.into()],
        ))
        .await
        .unwrap();
}

/// Messaging decides who sees a thread (`Thread::visibility`); the store's
/// SQL scope translates that rule, and the two agree for every kind of
/// viewer — both parties, a stranger, an admin, the region's LSM and another
/// region's — while the thread is live, soft-deleted, deleted and disputed,
/// and disputed again after it was restored.
async fn the_thread_scope_agrees_with_messaging(db: &Database) {
    use messaging::ports::ThreadRepository;
    seed(db).await;
    offer(db, "walker@example.com", "nyc", &[1]).await;
    let (_, provider_user) = provider(db).await;
    let customer = user(db, "customer@example.com", Role::Customer).await;
    let stranger = user(db, "stranger@example.com", Role::Customer).await;
    let admin = user(db, "admin@example.com", Role::Admin).await;
    let nyc = lsm(db, "lsm@nyc.example.com", "nyc").await;
    let la = lsm(db, "lsm@la.example.com", "la").await;
    let threads = persistence::SqlThreadRepository::new(db.conn().clone());
    let disputes = SqlDisputeRepository::new(db.conn().clone());
    let id = job(db, customer).await;
    let seen = disputes
        .job(id, &viewer(customer, false, None))
        .await
        .unwrap()
        .unwrap();
    let thread_id = seen.thread_id.unwrap();
    let viewers = [
        thread_viewer(customer, false, None),
        thread_viewer(provider_user, false, None),
        thread_viewer(stranger, false, None),
        thread_viewer(admin, true, None),
        thread_viewer(nyc, false, Some("nyc")),
        thread_viewer(la, false, Some("la")),
    ];
    let auditor = thread_viewer(admin, true, None);
    let mut seen_by_lsm = false;
    for step in [
        "live",
        "deleted",
        "deleted and disputed",
        "restored and disputed",
    ] {
        match step {
            "deleted" => set_thread_deleted(db, thread_id, true).await,
            "deleted and disputed" => {
                raise(db, new_dispute(seen.clone(), customer, vec![]))
                    .await
                    .unwrap();
            }
            "restored and disputed" => set_thread_deleted(db, thread_id, false).await,
            _ => {}
        }
        let thread = threads
            .find_visible(thread_id, &auditor)
            .await
            .unwrap()
            .unwrap()
            .thread;
        for v in &viewers {
            let by_store = threads.find_visible(thread_id, v).await.unwrap().is_some();
            let by_rule = thread.visibility(v).is_some();
            assert_eq!(by_store, by_rule, "{step}: {v:?}");
            seen_by_lsm |= by_store && v.user_id == nyc;
        }
    }
    assert!(seen_by_lsm, "the region's LSM sees the disputed thread");
}

on_both_backends!(
    the_thread_scope_agrees_with_messaging_on,
    the_thread_scope_agrees_with_messaging
);
