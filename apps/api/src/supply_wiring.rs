//! Wiring the supply-side use cases over their SQL ports.

use std::sync::Arc;

use effects::notifications::NotificationService;
use kernel::SystemClock;
use persistence::{
    Database, SqlAdminRepository, SqlBanRepository, SqlDemandRepository, SqlNotificationRepository,
    SqlProviderRepository, SqlSearchRepository,
};
use supply::admin::{AdminPorts, AdminService};
use supply::demand::DemandService;
use supply::search::SearchService;
use supply::searcher::SearcherSecret;
use supply::service::ProviderService;

use crate::auth::Argon2Hasher;

/// The supply-side use cases.
#[allow(missing_debug_implementations)]
pub struct Supply {
    pub providers: ProviderService,
    pub admin: AdminService,
    pub search: SearchService,
    pub demand: DemandService,
    pub notifications: NotificationService,
}

/// Builds every supply use case on the pool; `searcher_secret` salts anonymous searcher keys.
pub fn build(
    db: &Database,
    hasher: Arc<Argon2Hasher>,
    searcher_secret: SearcherSecret,
    applicant_key: persistence::ApplicantKey,
) -> Supply {
    let conn = db.conn().clone();
    let clock = Arc::new(SystemClock);
    let providers =
        Arc::new(SqlProviderRepository::new(conn.clone()).with_applicant_key(applicant_key));
    let demand = Arc::new(SqlDemandRepository::new(conn.clone()));
    Supply {
        providers: ProviderService::new(providers.clone(), clock.clone()),
        admin: AdminService::new(AdminPorts {
            admin: Arc::new(SqlAdminRepository::new(conn.clone())),
            providers,
            bans: Arc::new(SqlBanRepository::new(conn.clone())),
            hasher,
            clock: clock.clone(),
        }),
        search: SearchService::new(
            Arc::new(SqlSearchRepository::new(conn.clone())),
            demand.clone(),
            clock.clone(),
            searcher_secret,
        ),
        demand: DemandService::new(demand, clock.clone()),
        notifications: NotificationService::new(
            Arc::new(SqlNotificationRepository::new(conn)),
            clock,
        ),
    }
}

const DEMO_JSON: &str = include_str!("../../../seed-data/demo.json");

/// Loads `seed-data/demo.json` through the repositories (idempotent).
pub async fn seed_demo(
    db: &Database,
) -> Result<supply::demo::DemoReport, crate::startup::BoxError> {
    let data: supply::demo::DemoData = serde_json::from_str(DEMO_JSON)?;
    let catalog =
        catalog::load_catalog(&persistence::SqlCatalogRepository::new(db.conn().clone())).await?;
    let hasher = tokio::task::spawn_blocking(Argon2Hasher::new).await??;
    let conn = db.conn().clone();
    let ports = supply::demo::DemoPorts {
        users: Arc::new(persistence::SqlUserRepository::new(conn.clone())),
        hasher: Arc::new(hasher),
        providers: Arc::new(SqlProviderRepository::new(conn.clone())),
        history: Arc::new(persistence::SqlDemoRepository::new(conn.clone())),
        schedules: Arc::new(persistence::SqlScheduleRepository::new(conn)),
        clock: Arc::new(SystemClock),
    };
    let report = supply::demo::seed_demo(&ports, &catalog, &data).await?;
    // Popularity from the demo searches, with the settings in force.
    let admin = persistence::SqlAdminRepository::new(db.conn().clone());
    let settings = supply::PlatformSettings::from_stored(
        &supply::ports::AdminRepository::settings(&admin).await?,
    );
    let demand = DemandService::new(
        Arc::new(SqlDemandRepository::new(db.conn().clone())),
        Arc::new(SystemClock),
    );
    demand.recompute(&settings).await?;
    // Response figures from the demo jobs, as the daily refresh would compute them.
    jobs::service::JobService::new(
        Arc::new(persistence::SqlJobRepository::new(db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
    .refresh_response_figures()
    .await?;
    Ok(report)
}
