//! The use cases of jobs, chat, disputes, listings, sales and attachments
//! over their SQL ports on one pool, with the system clock.

use std::sync::Arc;

use kernel::SystemClock;
use persistence::Database;

/// `auth.require_verified_email`: the policy that booking, inquiring and
/// applying follow, with its lookup when it is on.
pub fn email_policy(db: &Database, required: bool) -> kernel::VerifiedEmailPolicy {
    if required {
        kernel::VerifiedEmailPolicy::required(Arc::new(persistence::SqlEmailVerification::new(
            db.conn().clone(),
        )))
    } else {
        kernel::VerifiedEmailPolicy::off()
    }
}

/// Jobs, with units of work for their cross-aggregate writes.
pub fn jobs(db: &Database) -> jobs::service::JobService {
    jobs::service::JobService::new(
        Arc::new(persistence::SqlJobRepository::new(db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}

/// Threads and messages.
pub fn messaging(db: &Database) -> messaging::MessagingService {
    messaging::MessagingService::new(
        Arc::new(persistence::SqlThreadRepository::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}

/// Disputes, with units of work for raising and resolving.
pub fn disputes(db: &Database) -> disputes::DisputeService {
    disputes::DisputeService::new(
        Arc::new(persistence::SqlDisputeRepository::new(db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}

/// Marketplace listings.
pub fn listings(db: &Database) -> marketplace::ListingService {
    marketplace::ListingService::new(
        Arc::new(persistence::SqlListingRepository::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}

/// Providers' hours, services' timing, cancellation policies and free slots.
pub fn scheduling(db: &Database) -> scheduling::service::SchedulingService {
    scheduling::service::SchedulingService::new(
        Arc::new(persistence::SqlScheduleRepository::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}

/// Marketplace sales (the wire's transactions), with units of work for
/// recording and moving them with their invoice.
pub fn sales(db: &Database) -> marketplace::SaleService {
    marketplace::SaleService::new(
        Arc::new(persistence::SqlSaleRepository::new(db.conn().clone())),
        Arc::new(persistence::SqlUnitsOfWork::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}

/// Dispute evidence files.
pub fn attachments(db: &Database) -> attachments::AttachmentService {
    attachments::AttachmentService::new(
        Arc::new(persistence::SqlAttachmentRepository::new(db.conn().clone())),
        Arc::new(SystemClock),
    )
}
