//! The job use cases: book, transition (with negotiation), read, rate.
//!
//! A transition reads the job in the caller's scope, applies the rule, and
//! hands the result to the repository, which writes it only if the job is
//! still at the version the rule saw. Without `If-Match`, a lost race is
//! retried on a fresh read, so the answer is what the rule says of the new
//! state (a second accept is a 409 "cannot accept a job that is
//! in_progress"); with `If-Match`, a changed job is a 412.

use std::sync::Arc;

use catalog::{Catalog, ServiceStatus};
use effects::{Audience, Effects, EventType, RealtimeEvent};
use kernel::{
    Clock, Ctx, FieldError, Page, PageRequest, Precondition, ProviderId, Role, ServiceId,
    StoreError,
};
use serde_json::{Map, Value};

use crate::error::JobError;
use crate::job::{Job, JobEvent, Terms, parse_description};
use crate::machine::Action;
use crate::ports::{JobEventRecord, JobFilter, JobRecord, JobRepository, JobViewer, NewJob};
use crate::status::{ActionKind, EventKind, JobStatus, Party};
use crate::unit_of_work::JobUnits;
use crate::{templates, view};

/// How often a transition is re-applied after losing a race without `If-Match`.
pub(crate) const ATTEMPTS: usize = 5;

/// `POST /jobs` as received.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateJob {
    /// The provider to book.
    pub provider_id: i64,
    /// The catalog service.
    pub service_id: i64,
    /// What is needed.
    pub description: String,
    /// Answers to the service's questions.
    pub answers: Map<String, Value>,
    pub zipcode: String,
    /// A proposed price.
    pub price_cents: Option<i64>,
    /// Its currency (default USD).
    pub currency: Option<String>,
    pub scheduled_at: Option<kernel::Timestamp>,
    /// A free slot of a provider that set its hours (instead of `scheduled_at`).
    pub slot_start: Option<kernel::Timestamp>,
    /// Street address.
    pub address: Option<String>,
}

/// The job use cases.
#[derive(Clone)]
pub struct JobService {
    repo: Arc<dyn JobRepository>,
    units: Arc<dyn JobUnits>,
    clock: Arc<dyn Clock>,
    email: kernel::VerifiedEmailPolicy,
}

impl std::fmt::Debug for JobService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobService").finish_non_exhaustive()
    }
}

fn viewer(ctx: &Ctx) -> JobViewer {
    ctx.viewer()
}

/// The caller's side of the job; `None` for an LSM or admin who only sees it.
pub fn party_of(ctx: &Ctx, job: &Job) -> Option<Party> {
    if ctx.user_id == job.customer_id {
        Some(Party::Customer)
    } else if ctx.user_id == job.provider_user_id {
        Some(Party::Provider)
    } else {
        None
    }
}

/// The effects every change of a job causes: `job.updated` to both parties,
/// and the message to the other party when there is one.
pub(crate) fn change_effects(record: &JobRecord, action: ActionKind) -> Effects {
    let job = &record.job;
    let parties = Audience::Users(vec![job.customer_id, job.provider_user_id]);
    let mut effects = Effects::none().event(RealtimeEvent::new(
        parties,
        EventType::JobUpdated,
        view::job_json(record),
    ));
    if let Some(message) = templates::job_changed(record, action) {
        effects = effects.message(message);
    }
    effects
}

fn created_effects(record: &JobRecord) -> Effects {
    let job = &record.job;
    Effects::none()
        .message(templates::job_requested(record))
        .event(RealtimeEvent::new(
            Audience::Users(vec![job.customer_id, job.provider_user_id]),
            EventType::JobUpdated,
            view::job_json(record),
        ))
}

impl JobService {
    /// The use cases over their ports.
    pub fn new(
        repo: Arc<dyn JobRepository>,
        units: Arc<dyn JobUnits>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let email = kernel::VerifiedEmailPolicy::off();
        Self {
            repo,
            units,
            clock,
            email,
        }
    }

    /// The verified-e-mail policy its bookings follow (off by default).
    pub fn with_email_policy(mut self, policy: kernel::VerifiedEmailPolicy) -> Self {
        self.email = policy;
        self
    }

    pub(crate) fn repo(&self) -> &dyn JobRepository {
        self.repo.as_ref()
    }

    pub(crate) fn units(&self) -> &dyn JobUnits {
        self.units.as_ref()
    }

    pub(crate) fn now(&self) -> kernel::Timestamp {
        self.clock.now()
    }

    /// Books a provider: validates everything, then creates the job, its
    /// thread and its `created` event, and tells the provider.
    pub async fn create(
        &self,
        ctx: &Ctx,
        catalog: &Catalog,
        cmd: CreateJob,
    ) -> Result<JobRecord, JobError> {
        if !self.email.admits(ctx.user_id).await? {
            return Err(JobError::EmailUnverified);
        }
        if !ctx.has_role(Role::Customer) {
            return Err(JobError::Forbidden("only customers book jobs"));
        }
        let mut errors = Vec::new();
        let description = parse_description(&cmd.description)
            .map_err(|e| errors.push(e))
            .ok();
        errors.extend(crate::job::check_price(cmd.price_cents));
        let currency = match kernel::Currency::parse(cmd.currency.as_deref().unwrap_or("USD")) {
            Ok(c) => c.to_string(),
            Err(e) => {
                errors.push(FieldError::new("currency", e.to_string()));
                String::new()
            }
        };
        if let Some(at) = cmd.scheduled_at
            && let Err(e) = kernel::dates::check_timestamp("scheduled_at", at)
        {
            errors.push(e);
        }
        let address = kernel::text::optional_bounded("address", cmd.address.as_deref(), 500)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let zipcode = kernel::Zipcode::parse(&cmd.zipcode)
            .map_err(|e| errors.push(FieldError::new("zipcode", e.to_string())))
            .ok();
        let region = zipcode
            .as_ref()
            .and_then(|z| match catalog.regions().resolve(z) {
                Ok(r) => Some(r.code.clone()),
                Err(_) => {
                    errors.push(FieldError::new("zipcode", "is not in a served region"));
                    None
                }
            });
        let service = catalog
            .service(ServiceId(cmd.service_id))
            .filter(|s| s.status == ServiceStatus::Approved);
        let answers = match service {
            None => {
                errors.push(FieldError::new(
                    "service_id",
                    "is not a service of the catalog",
                ));
                None
            }
            Some(s) => crate::answers::validate_answers(&s.definition.questions, &cmd.answers)
                .map_err(|mut e| errors.append(&mut e))
                .ok(),
        };
        let provider = self
            .repo
            .bookable_provider(ProviderId(cmd.provider_id), ServiceId(cmd.service_id))
            .await?;
        match &provider {
            None => errors.push(FieldError::new(
                "provider_id",
                "is not a provider you can book",
            )),
            Some(p) if !p.active => {
                errors.push(FieldError::new(
                    "provider_id",
                    "is not a provider you can book",
                ));
            }
            Some(p) if p.user_id == ctx.user_id => {
                errors.push(FieldError::new(
                    "provider_id",
                    "is your own provider profile",
                ));
            }
            Some(p) => {
                if service.is_some() && !p.offers_service {
                    errors.push(FieldError::new(
                        "service_id",
                        "is not offered by this provider",
                    ));
                }
                if region.as_ref().is_some_and(|r| r != &p.region_code) {
                    errors.push(FieldError::new(
                        "zipcode",
                        "is outside the provider's region",
                    ));
                }
            }
        }
        let (Some(description), Some(answers), Some(provider), Some(zipcode), true) =
            (description, answers, provider, zipcode, errors.is_empty())
        else {
            return Err(JobError::Validation(errors));
        };
        let settings = self.repo.settings().await?;
        let now = self.clock.now();
        let response_deadline = now + chrono::Duration::minutes(settings.response_deadline_minutes);
        let schedule = self
            .repo
            .booking_schedule(provider.id, ServiceId(cmd.service_id), now)
            .await?;
        let hold = crate::slots::hold_for(
            &schedule,
            cmd.slot_start,
            cmd.scheduled_at,
            now,
            response_deadline,
        )?;
        let terms = Terms {
            price_cents: cmd.price_cents,
            scheduled_at: hold.map_or(cmd.scheduled_at, |h| Some(h.slot_start)),
            description,
        };
        let job = Job {
            id: 0,
            customer_id: ctx.user_id,
            provider_id: provider.id,
            provider_user_id: provider.user_id,
            service_id: ServiceId(cmd.service_id),
            region_code: provider.region_code,
            status: JobStatus::New,
            agreed: terms.clone(),
            terms,
            pending_approval: false,
            response_deadline,
            responded_at: None,
            rejection_reason: None,
            cancellation_reason: None,
            completed_at: None,
            paid_at: None,
            deadline_warning_issued: false,
            version: 1,
        };
        let new = NewJob {
            job,
            answers,
            currency,
            zipcode: zipcode.to_string(),
            address,
            events: vec![JobEvent {
                kind: EventKind::Created,
                actor: Party::Customer,
                data: serde_json::json!({}),
            }],
            effects_for: created_effects,
            hold,
            cancellation_policy: Some(schedule.policy),
            at: now,
        };
        self.repo
            .create_within_quota(new, settings.open_requests)
            .await?
            .map_err(JobError::Quota)
    }

    /// A job the caller may see.
    pub async fn get(&self, ctx: &Ctx, id: i64) -> Result<JobRecord, JobError> {
        self.repo
            .find_visible(id, viewer(ctx))
            .await?
            .ok_or(JobError::NotFound)
    }

    /// The caller's jobs (as customer, provider, LSM of the region, or all for admins).
    pub async fn list(
        &self,
        ctx: &Ctx,
        filter: JobFilter,
        page: PageRequest,
    ) -> Result<Page<JobRecord>, JobError> {
        Ok(self.repo.list(viewer(ctx), filter, page).await?)
    }

    /// A job's history, if the caller may see the job.
    pub async fn events(&self, ctx: &Ctx, id: i64) -> Result<Vec<JobEventRecord>, JobError> {
        self.get(ctx, id).await?;
        Ok(self.repo.events(id).await?)
    }

    /// Applies `action` for the caller, honouring `If-Match`.
    pub async fn transition(
        &self,
        ctx: &Ctx,
        id: i64,
        action: Action,
        if_match: Precondition,
    ) -> Result<JobRecord, JobError> {
        if action == Action::MarkPaid {
            // Payment writes the sale with it; cash is the default method.
            return Box::pin(self.mark_paid(ctx, id, crate::PaidWith::default(), if_match)).await;
        }
        if matches!(action, Action::Cancel { .. }) {
            // A cancel may book a fee or count a warning with it.
            return Box::pin(self.cancel(ctx, id, action, if_match)).await;
        }
        for _ in 0..ATTEMPTS {
            let record = self.get(ctx, id).await?;
            let party = party_of(ctx, &record.job).ok_or(JobError::Forbidden(
                "only the job's customer or provider may change it",
            ))?;
            if action == Action::ApproveChanges
                && party == Party::Customer
                && !if_match.names_versions()
            {
                // An approval must name the proposal it approves: without a
                // version, a proposal edited in between would be approved unseen.
                return Err(JobError::PreconditionRequired(
                    "approving changes needs `If-Match` with the version of the job you saw",
                ));
            }
            if !if_match.matches(record.job.version) {
                return Err(JobError::PreconditionFailed);
            }
            let change = self.change(ctx, record, party, action.clone()).await?;
            match self.repo.apply(change).await {
                Ok(saved) => return Ok(saved),
                Err(StoreError::Stale) if if_match.names_versions() => {
                    return Err(JobError::PreconditionFailed);
                }
                Err(StoreError::Stale) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(JobError::Stale)
    }
}
