//! Demo jobs through the job repository and the job rules: a history of
//! completed (and rated) jobs per provider, and for showcase providers one
//! job in every state with a few messages in each thread.

use chrono::Duration;
use effects::Effects;
use jobs::ports::{JobChange, JobRecord, JobRepository, NewJob, ThreadChange};
use jobs::{Action, Facts, Job, JobEvent, JobStatus, PaidWith, Party, Rating, RatingInput, Sale};
use jobs::{Terms, TermsPatch};
use kernel::{ProviderId, ServiceId, StoreError, Timestamp, UserId};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::job_repo::SqlJobRepository;
use crate::uow::threads::{insert_message, touch_thread};

fn rule_err(e: jobs::JobError) -> StoreError {
    StoreError::backend(format!("demo job: {e}"))
}

fn no_effects(_: &JobRecord) -> Effects {
    Effects::none()
}

/// Who a demo job is between.
#[derive(Debug, Clone)]
pub(crate) struct Parties {
    pub customer: UserId,
    pub provider: ProviderId,
    pub provider_user: UserId,
    pub service: ServiceId,
    pub region: String,
    pub zipcode: String,
}

/// Books a `new` job at `at` through the repository (its thread comes with it).
pub(crate) async fn book(
    repo: &SqlJobRepository,
    p: &Parties,
    description: &str,
    price_cents: i64,
    at: Timestamp,
) -> Result<JobRecord, StoreError> {
    book_with(repo, p, description, price_cents, at, None).await
}

/// [`book`], holding a slot (its start and the range it blocks) when given.
pub(crate) async fn book_with(
    repo: &SqlJobRepository,
    p: &Parties,
    description: &str,
    price_cents: i64,
    at: Timestamp,
    slot: Option<(Timestamp, scheduling::Hold)>,
) -> Result<JobRecord, StoreError> {
    let start = slot.map_or(at + Duration::days(2), |(s, _)| s);
    let job = Job {
        id: 0,
        customer_id: p.customer,
        provider_id: p.provider,
        provider_user_id: p.provider_user,
        service_id: p.service,
        region_code: p.region.clone(),
        status: JobStatus::New,
        agreed: Terms {
            price_cents: Some(price_cents),
            scheduled_at: Some(start),
            description: description.to_owned(),
        },
        terms: Terms {
            price_cents: Some(price_cents),
            scheduled_at: Some(start),
            description: description.to_owned(),
        },
        pending_approval: false,
        response_deadline: at + Duration::hours(1),
        responded_at: None,
        rejection_reason: None,
        cancellation_reason: None,
        completed_at: None,
        paid_at: None,
        deadline_warning_issued: false,
        version: 1,
    };
    repo.create(NewJob {
        job,
        answers: serde_json::Map::new(),
        currency: "USD".into(),
        zipcode: p.zipcode.clone(),
        address: None,
        events: vec![JobEvent {
            kind: jobs::EventKind::Created,
            actor: Party::Customer,
            data: json!({}),
        }],
        effects_for: no_effects,
        hold: slot.map(|(slot_start, range)| jobs::slots::NewHold {
            slot_start,
            range,
            expires_at: at + Duration::hours(1),
        }),
        cancellation_policy: None,
        at,
    })
    .await
}

/// Applies one action by the rules and writes it (no e-mails for demo users).
pub(crate) async fn step(
    repo: &SqlJobRepository,
    record: JobRecord,
    party: Party,
    action: Action,
    at: Timestamp,
) -> Result<JobRecord, StoreError> {
    let facts = Facts {
        open_dispute: false,
        provider_active: true,
        by_slot: false,
        proposal: None,
    };
    let kind = action.kind();
    let before = record.job.terms.clone();
    let outcome = record
        .job
        .apply(party, action, &facts, at)
        .map_err(rule_err)?;
    let actor = match party {
        Party::Customer => record.job.customer_id,
        _ => record.job.provider_user_id,
    };
    let thread = match kind {
        jobs::ActionKind::Reject => ThreadChange::SoftDelete { by: actor },
        jobs::ActionKind::Edit => ThreadChange::SystemMessage(format!(
            "The provider proposed new terms: {} → {}",
            jobs::templates::terms_line(&before, &record.currency),
            jobs::templates::terms_line(&outcome.job.terms, &record.currency)
        )),
        _ => ThreadChange::None,
    };
    let slots = jobs::slots::SlotChange::after(record.job.status, outcome.job.status);
    let change = JobChange {
        slots,
        expected_version: outcome.job.version - 1,
        job: outcome.job,
        actor: Some(actor),
        events: outcome.events,
        thread,
        effects: Effects::none(),
        at,
    };
    if kind != jobs::ActionKind::MarkPaid {
        return repo.apply(change).await;
    }
    let tenant = crate::marketplace_repo::provider_tenant(repo.conn(), change.job.provider_id)
        .await?
        .ok_or_else(|| StoreError::backend("demo provider without a tenant"))?;
    let fee = repo.settings().await?.platform_fee_bps;
    let sale = Sale::of(
        &change.job,
        &record.currency,
        tenant,
        fee,
        PaidWith::default(),
        at,
    )
    .map_err(rule_err)?;
    let mut unit = crate::uow::SqlUnitsOfWork::new(repo.conn().clone())
        .open()
        .await?;
    let saved = jobs::service_payment::write_paid(&mut unit, &change, &sale)
        .await
        .map_err(rule_err)?;
    unit.commit().await?;
    Ok(saved)
}

/// Rates a job by the rules.
pub(crate) async fn rate(
    repo: &SqlJobRepository,
    record: &JobRecord,
    stars: i64,
    at: Timestamp,
) -> Result<(), StoreError> {
    let rating = Rating::parse(RatingInput {
        rating: stars,
        punctuality_rating: stars,
        response_time: 5,
        feedback: Some("Demo review".into()),
    })
    .map_err(rule_err)?;
    repo.rate(&record.job, &rating, Effects::none(), at)
        .await
        .map(|_| ())
}

/// A message by one party in the job's thread.
pub(crate) async fn say(
    db: &impl ConnectionTrait,
    record: &JobRecord,
    from_customer: bool,
    body: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let Some(thread) = record.thread_id else {
        return Ok(());
    };
    let (user, role) = if from_customer {
        (record.job.customer_id, "customer")
    } else {
        (record.job.provider_user_id, "service_provider")
    };
    insert_message(db, thread, Some(user), role, body, at).await?;
    touch_thread(db, thread, at).await
}

/// One job in every state, each thread with a short exchange.
pub(crate) async fn showcase(
    repo: &SqlJobRepository,
    db: &impl ConnectionTrait,
    p: &Parties,
    now: Timestamp,
) -> Result<(), StoreError> {
    use Party::{Customer, Provider};
    let edit = Action::Edit(TermsPatch {
        price_cents: Some(9_500),
        ..TermsPatch::default()
    });
    let plans: [(&str, Vec<(Party, Action)>); 7] = [
        ("Demo: a new request", vec![]),
        ("Demo: work in progress", vec![(Provider, Action::Accept)]),
        (
            "Demo: done, waiting for payment",
            vec![(Provider, Action::Accept), (Provider, Action::Complete)],
        ),
        (
            "Demo: done and paid",
            vec![
                (Provider, Action::Accept),
                (Provider, Action::Complete),
                (Provider, Action::MarkPaid),
            ],
        ),
        (
            "Demo: cancelled by the customer",
            vec![(
                Customer,
                Action::Cancel {
                    reason: Some("Plans changed".into()),
                },
            )],
        ),
        (
            "Demo: declined by the provider",
            vec![(
                Provider,
                Action::Reject {
                    reason: "Fully booked that week".into(),
                },
            )],
        ),
        (
            "Demo: new terms waiting for approval",
            vec![(Provider, Action::Accept), (Provider, edit)],
        ),
    ];
    for (i, (description, steps)) in plans.into_iter().enumerate() {
        let start = now - Duration::days(3) + Duration::hours(i64::try_from(i).unwrap_or(0));
        let mut record = book(repo, p, description, 8_000, start).await?;
        say(
            db,
            &record,
            true,
            "Hi! Does this work for you?",
            start + Duration::minutes(2),
        )
        .await?;
        say(
            db,
            &record,
            false,
            "Thanks for the request, let me check.",
            start + Duration::minutes(5),
        )
        .await?;
        for (k, (party, action)) in steps.into_iter().enumerate() {
            let at = start + Duration::minutes(10 + 30 * i64::try_from(k).unwrap_or(0));
            record = step(repo, record, party, action, at).await?;
        }
    }
    Ok(())
}
