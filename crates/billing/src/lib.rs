//! The back office of a provider business: its tenant and staff, parties and
//! contacts (with client-portal access), invoices and payments.
//!
//! Every operation runs inside a [`TenantScope`] taken from the authenticated
//! user, never from the request; repository ports take that scope and put it
//! in their queries, so another tenant's rows are simply not found.
//! The money rules are pure functions in [`invoice`].

pub mod books;
pub mod error;
pub mod invitation;
pub mod invoice;
pub mod model;
pub mod ports;
pub mod provider_tenant;
pub mod service;
pub mod values;

pub use error::BillingError;
pub use model::*;
pub use service::{BillingPorts, BillingService};
