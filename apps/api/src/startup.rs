//! Building the application: database, migrations, seed, admin, state, server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use identity::{AccountPorts, AccountService, TokenPolicy};
use kernel::SystemClock;
use persistence::{Database, SqlCatalogRepository, SqlRefreshTokenRepository, SqlUserRepository};
use utoipa_swagger_ui::SwaggerUi;

/// Where the OpenAPI document is served.
const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document, as committed: the same text the handlers generate
/// (a test and `scripts/check-openapi` hold them equal), built into the
/// binary so that serving it costs no heap. Generating it at start built
/// utoipa's structs (about 14 MiB, one copy per worker when cloned into each)
/// and left the allocator holding the pages.
const OPENAPI_JSON: &str = include_str!("../../../docs/openapi.json");

use crate::auth::{
    Argon2Hasher, JwtKeys, LoginLimiter, MailLimiter, PortalKeys, RegistrationLimiter,
};
use crate::config::Settings;
use crate::http::extract_errors::{json_config, not_found, path_config, query_config};
use crate::http::metrics::Metrics;
use crate::http::metrics_access::MetricsAccess;
use crate::state::{AppState, CatalogRegions, CatalogStore};

/// Any start-up failure, with a message for the operator.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

const SERVICES_JSON: &str = include_str!("../../../seed-data/services.json");
const REGIONS_JSON: &str = include_str!("../../../seed-data/regions.json");

/// Connects and applies migrations.
pub async fn connect(settings: &Settings) -> Result<Database, BoxError> {
    let url = settings.database_url();
    if persistence::Backend::of_url(&url) == Some(persistence::Backend::Sqlite) {
        std::fs::create_dir_all(&settings.storage.data_dir).map_err(|e| {
            format!(
                "cannot create `storage.data_dir` {}: {e}",
                settings.storage.data_dir.display()
            )
        })?;
    }
    let db = Database::connect(&url, settings.database.max_connections)
        .await
        .map_err(|e| {
            format!(
                "cannot connect to `database.url` {}: {e}",
                persistence::db::redact(&url)
            )
        })?;
    db.migrate()
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;
    Ok(db)
}

/// Loads the shipped catalog into the database (idempotent).
pub async fn seed(db: &Database) -> Result<catalog::SeedReport, BoxError> {
    let services = catalog::seed::parse_services(SERVICES_JSON)?;
    let regions = catalog::seed::parse_regions(REGIONS_JSON)?;
    let repo = SqlCatalogRepository::new(db.conn().clone());
    let now = kernel::Clock::now(&SystemClock);
    Ok(catalog::seed_catalog(&repo, &services, &regions, now).await?)
}

/// Wires the state over a migrated, seeded database.
pub async fn build_state(settings: &Settings, db: Database) -> Result<AppState, BoxError> {
    let catalog_repo = SqlCatalogRepository::new(db.conn().clone());
    let catalog = Arc::new(CatalogStore::new(
        catalog::load_catalog(&catalog_repo).await?,
    ));
    let jwt = JwtKeys::new(
        &crate::secrets::jwt_secret(settings)?,
        &settings.auth.issuer,
        &settings.auth.audience,
        settings.auth.access_ttl_secs,
    );
    let hasher = Arc::new(
        tokio::task::spawn_blocking(Argon2Hasher::new)
            .await??
            .bounded(settings.auth.hash_limits()),
    );
    let applicant_key = crate::secrets::applicant_key(settings)?;
    let account_repo = Arc::new(persistence::SqlAccountRepository::new(db.conn().clone()));
    let closures = persistence::SqlClosures::new(db.conn().clone(), applicant_key.clone());
    let accounts = AccountService::new(
        AccountPorts {
            users: Arc::new(SqlUserRepository::new(db.conn().clone())),
            tokens: Arc::new(SqlRefreshTokenRepository::new(db.conn().clone())),
            hasher: hasher.clone(),
            issuer: Arc::new(jwt.clone()),
            regions: Arc::new(CatalogRegions(catalog.clone())),
            account_tokens: account_repo.clone(),
            closure: account_repo,
            closures: Arc::new(closures),
            clock: Arc::new(SystemClock),
        },
        TokenPolicy {
            refresh_ttl: chrono::Duration::days(settings.auth.refresh_ttl_days),
        },
    )
    .with_links(identity::AccountLinks::new(&settings.server.public_url));
    if let (Some(email), Some(password)) = (
        &settings.bootstrap.admin_email,
        &settings.bootstrap.admin_password,
    ) {
        accounts
            .ensure_admin(email, password.expose())
            .await
            .map_err(|e| format!("bootstrap admin: {e}"))?;
        tracing::info!(%email, "bootstrap admin ensured");
    }
    let limiter = LoginLimiter::new(
        settings.auth.login_attempts_per_minute_per_ip,
        settings.auth.login_attempts_per_minute_per_email,
    );
    let supply = crate::supply_wiring::build(
        &db,
        hasher.clone(),
        crate::secrets::searcher_secret(settings)?,
        applicant_key,
    );
    let portal_limiter = LoginLimiter::new(
        settings.auth.login_attempts_per_minute_per_ip,
        settings.auth.login_attempts_per_minute_per_email,
    );
    let billing = billing_service(&db, hasher, portal_keys(settings, &jwt));
    let db_conn = db.conn().clone();
    let email = crate::domain_wiring::email_policy(&db, settings.auth.require_verified_email);
    Ok(AppState {
        accounts,
        catalog,
        jwt,
        limiter,
        registrations: RegistrationLimiter::new(settings.auth.registrations_per_minute_per_ip),
        providers: supply.providers.with_email_policy(email.clone()),
        admin: supply.admin,
        search: supply.search,
        demand: supply.demand,
        notifications: supply.notifications,
        billing,
        portal_limiter,
        account_mail_limiter: MailLimiter::per_hour(
            settings.auth.account_emails_per_hour_per_ip,
            settings.auth.account_emails_per_hour_per_email,
        ),
        jobs: crate::domain_wiring::jobs(&db).with_email_policy(email.clone()),
        messaging: crate::domain_wiring::messaging(&db).with_email_policy(email),
        disputes: crate::domain_wiring::disputes(&db),
        listings: crate::domain_wiring::listings(&db),
        scheduling: crate::domain_wiring::scheduling(&db),
        feed: Arc::new(persistence::SqlEventFeed::new(db_conn.clone())),
        hub: Arc::default(),
        revocations: Arc::new(crate::auth::Revocations::new(
            persistence::SqlRevocationLog::new(db_conn.clone()),
            settings.auth.access_ttl_secs,
        )),
        realtime: settings.realtime.clone(),
        sales: crate::domain_wiring::sales(&db),
        attachments: crate::domain_wiring::attachments(&db),
        storage: crate::storage::AttachmentStore::from_settings(&settings.storage)?,
        db,
    })
}

/// The audience of client-portal tokens.
pub const PORTAL_AUDIENCE: &str = "stm-portal";

/// Portal tokens: the access-token key with the portal audience.
fn portal_keys(settings: &Settings, jwt: &JwtKeys) -> PortalKeys {
    PortalKeys(jwt.with_audience(PORTAL_AUDIENCE, settings.auth.access_ttl_secs))
}

fn billing_service(
    db: &Database,
    hasher: Arc<Argon2Hasher>,
    portal: PortalKeys,
) -> billing::BillingService {
    let store = persistence::billing::BillingDb::new(db.conn().clone());
    billing::BillingService::new(billing::BillingPorts {
        tenants: Arc::new(persistence::billing::SqlTenantRepository::new(
            store.clone(),
        )),
        parties: Arc::new(persistence::billing::SqlPartyRepository::new(store.clone())),
        contacts: Arc::new(persistence::billing::SqlContactRepository::new(
            store.clone(),
        )),
        invoices: Arc::new(persistence::billing::SqlInvoiceRepository::new(store)),
        hasher,
        portal_tokens: Arc::new(portal),
        clock: Arc::new(SystemClock),
    })
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// A bound, not yet running server.
#[allow(missing_debug_implementations)]
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects, migrates, seeds, wires and binds.
    pub async fn build(settings: Settings) -> Result<Self, BoxError> {
        let db = connect(&settings).await?;
        let report = seed(&db).await?;
        tracing::info!(
            services_added = report.services_added,
            regions_added = report.regions_added,
            "catalog seeded"
        );
        let state = build_state(&settings, db).await?;
        Self::bind(settings, state)
    }

    /// Binds the listener for an already built state.
    pub fn bind(settings: Settings, state: AppState) -> Result<Self, BoxError> {
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|e| {
            format!("cannot listen on {address} (`server.host`, `server.port`): {e}")
        })?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(state);
        let jwt = web::Data::new(state.jwt.clone());
        let revocations = web::Data::from(state.revocations.clone());
        let portal = web::Data::new(portal_keys(&settings, &state.jwt));
        let metrics = web::Data::new(Metrics::default());
        let metrics_access = web::Data::new(MetricsAccess::new(&settings.metrics));
        let pruner = state.clone();
        actix_web::rt::spawn(async move {
            let mut every = actix_web::rt::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                pruner.limiter.prune();
                pruner.portal_limiter.prune();
                pruner.registrations.prune();
                pruner.account_mail_limiter.prune();
            }
        });
        crate::realtime::listener::spawn(
            &state.db,
            state.hub.clone(),
            state.revocations.clone(),
            &settings.realtime,
        );
        actix_web::rt::spawn(
            state
                .revocations
                .clone()
                .run(std::time::Duration::from_millis(
                    settings.realtime.revocation_poll_ms,
                )),
        );
        if settings.jobs.enabled {
            crate::background::spawn(state.clone(), &settings.email, &settings.jobs)?;
        }
        let openapi = web::Bytes::from_static(OPENAPI_JSON.as_bytes());
        let origins = settings.server.cors_allowed_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(jwt.clone())
                .app_data(revocations.clone())
                .app_data(portal.clone())
                .app_data(metrics.clone())
                .app_data(metrics_access.clone())
                .app_data(json_config())
                .app_data(query_config())
                .app_data(path_config())
                // Before the `/api/v1` scope, which would otherwise claim the document's path.
                .service(web::resource(OPENAPI_PATH).route(web::get().to({
                    let doc = openapi.clone();
                    move || {
                        let doc = doc.clone();
                        async move {
                            actix_web::HttpResponse::Ok()
                                .insert_header(header::ContentType::json())
                                .body(doc)
                        }
                    }
                })))
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .config(utoipa_swagger_ui::Config::new([OPENAPI_PATH])),
                )
                .service(web::resource("/docs").to(|| async {
                    actix_web::HttpResponse::PermanentRedirect()
                        .insert_header((header::LOCATION, "/docs/"))
                        .finish()
                }))
                .configure(crate::routes::configure)
                .default_service(web::to(not_found))
                .wrap(cors(&origins))
                .wrap(from_fn(crate::http::middleware::observe))
                .wrap(tracing_actix_web::TracingLogger::<
                    crate::telemetry::PathOnlySpan,
                >::new())
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    /// The port bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped (tests drop it with their runtime).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting and drains
    /// in-flight requests for up to `server.shutdown_timeout_secs`.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        // Handlers are installed before announcing readiness, so an early signal is never lost.
        let signalled = shutdown_signal()?;
        tracing::info!(port = self.port, "stm-api listening");
        let handle = self.server.handle();
        actix_web::rt::spawn(async move {
            signalled.await;
            tracing::info!("shutdown signal received; draining requests");
            handle.stop(true).await;
        });
        self.server.await
    }
}

/// Resolves on the first SIGTERM or SIGINT; the handlers exist once this returns.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
