//! Storage for STM: SeaORM implementations of the domain ports, connection
//! handling for SQLite and PostgreSQL, and migrations.
//!
//! Every repository method that changes several rows does so in one
//! transaction; constraint violations come back as
//! [`kernel::StoreError::Conflict`] carrying the constraint's name.

mod account_export;
pub mod account_repo;
pub mod admin_repo;
pub mod applicant_key;
pub mod attachment_repo;
mod attachment_sweep;
pub mod ban_repo;
pub mod billing;
pub mod catalog_repo;
pub mod constraints;
pub mod db;
pub mod demand_repo;
mod demo_jobs;
pub mod demo_repo;
mod digest_repo;
pub mod dispute_repo;
mod effects;
pub mod email_verification;
pub mod entities;
mod error;
pub mod event_repo;
pub mod identity_repo;
mod job_holds;
mod job_quota;
mod job_reminders;
pub mod job_repo;
mod job_write;
mod keyset;
pub mod listing_repo;
pub mod liveness;
pub mod marketplace_repo;
pub mod notification_repo;
pub mod outbox_repo;
mod popularity_sql;
mod provider_apply;
mod provider_figures;
pub mod provider_repo;
mod quota_read;
pub mod refresh_token_repo;
pub mod revocation_repo;
mod run_claim;
mod sale_clients;
pub mod sale_repo;
mod schedule_read;
pub mod schedule_repo;
mod search_hours;
pub mod search_repo;
mod sql;
mod sweep_repo;
pub mod testing;
pub mod thread_repo;
mod transition;
pub mod uow;
mod user_lock;

pub use account_repo::SqlAccountRepository;
pub use admin_repo::SqlAdminRepository;
pub use applicant_key::ApplicantKey;
pub use attachment_repo::SqlAttachmentRepository;
pub use ban_repo::SqlBanRepository;
pub use catalog_repo::SqlCatalogRepository;
pub use db::{Backend, Database};
pub use demand_repo::SqlDemandRepository;
pub use demo_repo::SqlDemoRepository;
pub use dispute_repo::SqlDisputeRepository;
pub use email_verification::SqlEmailVerification;
pub use event_repo::SqlEventFeed;
pub use identity_repo::SqlUserRepository;
pub use job_repo::SqlJobRepository;
pub use listing_repo::SqlListingRepository;
pub use notification_repo::SqlNotificationRepository;
pub use outbox_repo::SqlOutboxRepository;
pub use provider_repo::SqlProviderRepository;
pub use refresh_token_repo::SqlRefreshTokenRepository;
pub use revocation_repo::{REVOKED, Revocation, RevocationKind, SqlRevocationLog};
pub use sale_repo::SqlSaleRepository;
pub use schedule_repo::SqlScheduleRepository;
pub use search_repo::{SqlSearchRepository, search_statements};
pub use thread_repo::SqlThreadRepository;
pub use uow::{SqlClosures, SqlUnitOfWork, SqlUnitsOfWork};
