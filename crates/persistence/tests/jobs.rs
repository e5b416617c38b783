//! The job repository on real databases: scope in every read, writes by
//! compare-and-set, the once-only event index, and the thread a job opens.

// The bodies run as tests through `on_both_backends!`; clippy cannot see that.
#![allow(clippy::unwrap_used)]

mod common;
mod fixtures;

use effects::Effects;
use fixtures::*;
use jobs::ports::{JobChange, JobRepository, JobViewer, NewJob, ThreadChange};
use jobs::{Action, Facts, Job, JobEvent, JobStatus, Party, Terms};
use kernel::{ProviderId, Role, ServiceId, StoreError, UserId};
use persistence::{Database, SqlJobRepository};
use sea_orm::ConnectionTrait;

async fn provider_id(db: &Database) -> (ProviderId, UserId) {
    let row = db
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(
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

fn no_effects(_: &jobs::ports::JobRecord) -> Effects {
    Effects::none()
}

async fn jobs_are_scoped_and_written_once(db: &Database) {
    seed(db).await;
    offer(db, "walker@example.com", "nyc", &[1]).await;
    let (provider, provider_user) = provider_id(db).await;
    let customer = user(db, "customer@example.com", Role::Customer).await;
    let stranger = user(db, "stranger@example.com", Role::Customer).await;
    let repo = SqlJobRepository::new(db.conn().clone());
    let now = chrono::Utc::now();

    let bookable = repo
        .bookable_provider(provider, ServiceId(1))
        .await
        .unwrap()
        .unwrap();
    assert!(bookable.active && bookable.offers_service);
    assert!(
        !repo
            .bookable_provider(provider, ServiceId(2))
            .await
            .unwrap()
            .unwrap()
            .offers_service
    );

    let job = Job {
        id: 0,
        customer_id: customer,
        provider_id: provider,
        provider_user_id: provider_user,
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
    let created = repo
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
    assert!(created.thread_id.is_some());
    let id = created.job.id;

    // Scope: the parties and admins see it; a stranger does not.
    let viewer = |u: UserId, admin: bool| JobViewer {
        user_id: u,
        is_admin: admin,
        lsm_region: None,
    };
    assert!(
        repo.find_visible(id, viewer(customer, false))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        repo.find_visible(id, viewer(provider_user, false))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        repo.find_visible(id, viewer(stranger, false))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        repo.find_visible(id, viewer(stranger, true))
            .await
            .unwrap()
            .is_some()
    );
    let page = repo
        .list(
            viewer(stranger, false),
            Default::default(),
            Default::default(),
        )
        .await
        .unwrap();
    assert!(page.items.is_empty());

    // Compare-and-set: the accept applies once; the same change again is stale.
    let facts = Facts {
        open_dispute: false,
        provider_active: true,
        by_slot: false,
        proposal: None,
    };
    let outcome = created
        .job
        .apply(Party::Provider, Action::Accept, &facts, now)
        .unwrap();
    let change = JobChange {
        expected_version: 1,
        job: outcome.job,
        actor: Some(provider_user),
        events: outcome.events,
        thread: ThreadChange::None,
        effects: Effects::none(),
        slots: jobs::slots::SlotChange::Keep,
        at: now,
    };
    let saved = repo.apply(change.clone()).await.unwrap();
    assert_eq!(
        (saved.job.status, saved.job.version),
        (JobStatus::InProgress, 2)
    );
    assert_eq!(
        repo.apply(change.clone()).await.err(),
        Some(StoreError::Stale)
    );
    // Even at the right version, a second `accepted` event is refused by the
    // once-only index, so two servers cannot record one transition twice.
    let replay = JobChange {
        expected_version: 2,
        job: Job {
            version: 3,
            ..change.job.clone()
        },
        ..change
    };
    assert_eq!(repo.apply(replay).await.err(), Some(StoreError::Stale));
    // A repeatable change (an edit) computed from a stale read is refused by
    // the compare-and-set itself, not by the once-only index.
    let stale_read = created.job.clone();
    let patch = jobs::TermsPatch {
        price_cents: Some(9_000),
        ..Default::default()
    };
    let edit = stale_read
        .apply(Party::Provider, Action::Edit(patch), &facts, now)
        .unwrap();
    let stale_edit = JobChange {
        expected_version: 1,
        job: edit.job,
        actor: Some(provider_user),
        events: edit.events,
        thread: ThreadChange::None,
        effects: Effects::none(),
        slots: jobs::slots::SlotChange::Keep,
        at: now,
    };
    assert_eq!(repo.apply(stale_edit).await.err(), Some(StoreError::Stale));
    let events = repo.events(id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "accepted"]);
    assert_eq!(
        repo.find_visible(id, viewer(customer, false))
            .await
            .unwrap()
            .unwrap()
            .job
            .version,
        2
    );
}

on_both_backends!(
    jobs_are_scoped_and_written_once_on,
    jobs_are_scoped_and_written_once
);
