//! Disputes (SPEC §4 Disputes): a job's customer or provider raises one, with
//! a description and up to ten of their own uploaded attachments; the region's
//! LSMs join the job thread; an LSM of the job's region (or an admin) resolves
//! it with notes and an outcome. While a dispute is open the job cannot be
//! completed or marked paid (the jobs crate reads that fact); the outcome is a
//! record and moves no money.
//!
//! The rules in [`dispute`] decide; the use cases in [`service`] load, call
//! the rules, add the effects of [`notices`], and write everything through
//! one unit of work ([`unit_of_work`]) with the jobs crate's rule for the
//! disputed job and messaging's thread store.

pub mod dispute;
pub mod error;
pub mod notices;
pub mod ports;
pub mod service;
pub mod unit_of_work;
pub mod view;

#[cfg(test)]
mod dispute_tests;
#[cfg(test)]
mod service_tests;

pub use dispute::{Dispute, DisputeStatus, DisputedJob, Outcome, RaisedBy, Resolver};
pub use error::DisputeError;
pub use service::DisputeService;
