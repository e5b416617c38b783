//! Background work inside the API process: the e-mail outbox worker (SMTP or
//! the log), the weekly popularity run, the missing-service digests and the
//! catalog refresh, the response-deadline sweep, the daily response figures
//! and the hourly upload sweep. Safe on several instances: outbox rows,
//! popularity runs, digests and upload sweeps are claimed in the database.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use effects::outbox::{Mailer, OutboundEmail, OutboxPolicy, OutboxWorker};
use kernel::SystemClock;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use persistence::SqlOutboxRepository;

use crate::background_config::{EmailSettings, JobsSettings, SmtpTls};
use crate::state::AppState;

/// Writes e-mails to the log: the default when no SMTP host is configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, email: &OutboundEmail) -> Result<(), String> {
        tracing::info!(to = %email.to, subject = %email.subject, body = %email.body, "e-mail (log transport)");
        Ok(())
    }
}

/// Sends through an SMTP relay.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `host:port`, secured as `email.smtp_tls` says.
    pub fn new(host: &str, settings: &EmailSettings) -> Result<Self, String> {
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|e| e.to_string())?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.smtp_port)
            .tls(tls(host, settings)?)
            .timeout(Some(Duration::from_secs(10)));
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

/// The TLS mode of the relay connection. The certificate must name `host` and
/// chain to a system root or to `email.smtp_ca_file`; an unverified relay is
/// never sent to (the e-mail stays queued and is retried).
fn tls(host: &str, settings: &EmailSettings) -> Result<Tls, String> {
    let secure: fn(TlsParameters) -> Tls = match settings.smtp_tls {
        SmtpTls::None => return Ok(Tls::None),
        SmtpTls::Starttls => Tls::Required,
        SmtpTls::Tls => Tls::Wrapper,
    };
    let mut params = TlsParameters::builder(host.to_owned());
    if let Some(path) = &settings.smtp_ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("email.smtp_ca_file {}: {e}", path.display()))?;
        params =
            params.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| e.to_string())?);
    }
    Ok(secure(params.build_rustls().map_err(|e| e.to_string())?))
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutboundEmail) -> Result<(), String> {
        let to = email
            .to
            .parse::<Mailbox>()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .body(email.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The mailer the configuration asks for.
pub fn mailer(settings: &EmailSettings) -> Result<Arc<dyn Mailer>, String> {
    match &settings.smtp_host {
        Some(host) => Ok(Arc::new(SmtpMailer::new(host, settings)?)),
        None => Ok(Arc::new(LogMailer)),
    }
}

/// The outbox worker over the pool.
pub fn outbox_worker(state: &AppState, settings: &EmailSettings) -> Result<OutboxWorker, String> {
    let policy = OutboxPolicy {
        max_attempts: settings.max_attempts,
        retry_base: chrono::Duration::milliseconds(settings.retry_base_ms),
        ..OutboxPolicy::default()
    };
    Ok(OutboxWorker::new(
        Arc::new(SqlOutboxRepository::new(state.db.conn().clone())),
        mailer(settings)?,
        Arc::new(SystemClock),
        policy,
    ))
}

/// Spawns the workers on the current (actix) runtime.
pub fn spawn(
    state: actix_web::web::Data<AppState>,
    email: &EmailSettings,
    jobs: &JobsSettings,
) -> Result<(), String> {
    let worker = outbox_worker(&state, email)?;
    let poll = Duration::from_millis(email.poll_interval_ms);
    actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(poll);
        loop {
            every.tick().await;
            // Drain while batches come back full.
            loop {
                match worker.run_once().await {
                    Ok(r)
                        if r.sent + r.retrying + r.failed
                            >= OutboxPolicy::default().batch as usize => {}
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox pass failed");
                        break;
                    }
                }
            }
        }
    });
    let schedule = jobs
        .popularity_schedule()
        .ok_or("invalid popularity schedule")?;
    let tick = Duration::from_secs(jobs.tick_secs);
    actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(tick);
        let mut figures_due = std::time::Instant::now();
        loop {
            every.tick().await;
            jobs_tick(&state, &schedule).await;
            sweep_tick(&state).await;
            reminder_tick(&state).await;
            upload_sweep_tick(&state).await;
            if std::time::Instant::now() >= figures_due {
                figures_due = std::time::Instant::now() + FIGURES_EVERY;
                match state.jobs.refresh_response_figures().await {
                    Ok(n) => tracing::info!(providers = n, "response figures refreshed"),
                    Err(e) => tracing::warn!(error = %e, "response figures refresh failed"),
                }
            }
        }
    });
    Ok(())
}

/// How often each instance recomputes providers' response figures (at start, then daily).
const FIGURES_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The response-deadline sweep: safe on several instances, each warning is
/// claimed by the job's compare-and-set.
async fn sweep_tick(state: &AppState) {
    match state.jobs.sweep_deadlines().await {
        Ok(r) if r.warned > 0 => tracing::info!(warned = r.warned, "missed response deadlines"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
    }
}

/// Reminders of accepted jobs' starts: safe on several instances, each
/// start's reminder is claimed by its row.
async fn reminder_tick(state: &AppState) {
    match state.jobs.send_reminders().await {
        Ok(n) if n > 0 => tracing::info!(sent = n, "job reminders sent"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "job reminders failed"),
    }
}

/// The upload sweeper (`attachments::sweep`): each tick asks for the current
/// hour's slot, which one instance wins in the database; the others skip.
async fn upload_sweep_tick(state: &AppState) {
    match state.attachments.sweep(&state.storage).await {
        Ok(r) if r.expired + r.orphans > 0 => {
            tracing::info!(expired = r.expired, orphans = r.orphans, "uploads swept");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "upload sweep failed"),
    }
}

/// One tick of the scheduled work: catalog refresh, the weekly popularity slot
/// and the missing-service digests (each claimed in the database, so several
/// instances may tick at once).
async fn jobs_tick(state: &AppState, schedule: &supply::popularity::WeeklySchedule) {
    prune_events(state).await;
    if let Err(e) = state.reload_catalog().await {
        tracing::warn!(error = %e, "catalog refresh failed");
    }
    let settings = match state.admin.settings().await {
        Ok(settings) => settings,
        Err(e) => {
            tracing::warn!(error = %e, "settings unreadable; scheduled jobs skipped");
            return;
        }
    };
    match state.demand.run_scheduled(schedule, &settings).await {
        Ok(Some(rows)) => tracing::info!(rows, "weekly popularity computed"),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "popularity run failed"),
    }
    let catalog = state.catalog.get();
    match state.demand.send_digests(&catalog, &settings).await {
        Ok(report) if !report.sent.is_empty() => {
            tracing::info!(regions = ?report.sent, "demand digests sent");
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "demand digest run failed"),
    }
}

/// Deletes real-time events older than the retention (each user's newest is
/// kept, so a stale `after` is still recognised as expired).
async fn prune_events(state: &AppState) {
    use kernel::Clock;
    let before = SystemClock.now() - chrono::Duration::days(state.realtime.retention_days);
    match state.feed.prune(before).await {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, "old real-time events pruned"),
        Err(e) => tracing::warn!(error = %e, "real-time event pruning failed"),
    }
}
