//! What every handler can reach: the use cases, the catalog snapshot, keys and limiters.

use std::sync::{Arc, RwLock};

use catalog::Catalog;
use identity::AccountService;
use identity::ports::RegionLookup;
use kernel::Zipcode;
use persistence::Database;

use crate::auth::{JwtKeys, LoginLimiter, MailLimiter, RegistrationLimiter};

/// Shared application state.
#[derive(Debug)]
pub struct AppState {
    /// The database pool.
    pub db: Database,
    /// Account use cases.
    pub accounts: AccountService,
    /// The in-memory catalog.
    pub catalog: Arc<CatalogStore>,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Login and password-check throttling.
    pub limiter: LoginLimiter,
    /// Registration throttling per client IP.
    pub registrations: RegistrationLimiter,
    /// Back-office use cases.
    pub billing: billing::BillingService,
    /// Client-portal login throttling (per IP and per tenant + e-mail).
    pub portal_limiter: LoginLimiter,
    /// Throttle of account e-mails (verification resends, password resets).
    pub account_mail_limiter: MailLimiter,
    /// Provider use cases.
    pub providers: supply::service::ProviderService,
    /// Admin use cases.
    pub admin: supply::admin::AdminService,
    pub search: supply::search::SearchService,
    /// Popularity and service requests.
    pub demand: supply::demand::DemandService,
    /// In-app notifications.
    pub notifications: effects::notifications::NotificationService,
    pub jobs: jobs::service::JobService,
    /// Threads and messages.
    pub messaging: messaging::MessagingService,
    pub disputes: disputes::DisputeService,
    /// The durable per-user event feed.
    pub feed: Arc<dyn effects::feed::EventFeed>,
    /// This instance's live sockets.
    pub hub: Arc<crate::realtime::Hub>,
    /// Access tokens to refuse before their `exp` (ended sessions, closed or banned accounts).
    pub revocations: Arc<crate::auth::Revocations>,
    /// Socket heartbeat and back-pressure.
    pub realtime: crate::realtime::RealtimeSettings,
    /// Marketplace listings.
    pub listings: marketplace::ListingService,
    /// Sales (the wire's marketplace transactions): recording, reading,
    /// completing, cancelling, refunding.
    pub sales: marketplace::SaleService,
    /// Hours, timing, cancellation policies and free slots.
    pub scheduling: scheduling::service::SchedulingService,
    /// Attachment metadata use cases.
    pub attachments: attachments::AttachmentService,
    /// Attachment bytes.
    pub storage: crate::storage::AttachmentStore,
}

impl AppState {
    /// Reloads the catalog snapshot after an admin changed services or regions.
    pub async fn reload_catalog(&self) -> Result<(), catalog::CatalogError> {
        let repo = persistence::SqlCatalogRepository::new(self.db.conn().clone());
        self.catalog.replace(catalog::load_catalog(&repo).await?);
        Ok(())
    }
}

/// The current catalog snapshot; swapped whole when the catalog changes.
#[derive(Debug, Default)]
pub struct CatalogStore(RwLock<Arc<Catalog>>);

impl CatalogStore {
    /// A store holding `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        Self(RwLock::new(Arc::new(catalog)))
    }

    /// The current snapshot (cheap: one `Arc` clone).
    pub fn get(&self) -> Arc<Catalog> {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the snapshot.
    pub fn replace(&self, catalog: Catalog) {
        let mut guard = match self.0.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(catalog);
    }
}

/// Zipcode → region for identity, answered from the catalog snapshot.
#[derive(Debug, Clone)]
pub struct CatalogRegions(pub Arc<CatalogStore>);

impl RegionLookup for CatalogRegions {
    fn region_for(&self, zipcode: &Zipcode) -> Option<String> {
        self.0
            .get()
            .regions()
            .resolve(zipcode)
            .ok()
            .map(|r| r.code.clone())
    }
}
