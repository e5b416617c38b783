//! Jobs (SPEC §4 Jobs): what a customer books from a provider.
//!
//! The lifecycle is data: [`machine::TRANSITIONS`] lists every edge (from,
//! to, which party may take it, the event it records), and
//! [`Job::apply`](job::Job::apply) takes the current job, the actor's party,
//! the action, the facts it cannot know by itself (an open dispute) and `now`,
//! and returns the new job with the events it caused, or a typed refusal.
//! Nothing here performs I/O: use cases load, call the rule and hand the
//! result to a repository that only writes it.

pub mod answers;
pub mod error;
pub mod fees;
pub mod job;
pub mod machine;
pub mod metrics;
pub mod payment;
pub mod ports;
pub mod quota;
pub mod rating;
pub mod reschedule;
pub mod service;
mod service_cancel;
mod service_change;
pub mod service_payment;
mod service_rating;
pub mod service_reminders;
mod service_reschedule;
pub mod service_sweep;
pub mod slots;
pub use service_cancel::preview as cancellation_preview;
pub mod status;
pub mod templates;
pub mod unit_of_work;
pub mod view;
pub mod warnings;

pub use answers::validate_answers;
pub use error::JobError;
pub use fees::{FeeSplit, platform_fee};
pub use job::{
    Job, JobEvent, MAX_PRICE_CENTS, Outcome, Terms, TermsPatch, check_price, parse_reason,
};
pub use machine::{Action, Facts, TRANSITIONS, Transition};
pub use metrics::{ResponseMetrics, ResponseSample};
pub use payment::{PaidWith, PayMethod, Sale};
pub use quota::{OpenRequestLimits, OpenRequests};
pub use rating::{Rating, RatingInput, Stars};
pub use status::{ActionKind, EventKind, JobStatus, Party};

#[cfg(test)]
mod machine_tests;

#[cfg(test)]
mod service_tests;
#[cfg(test)]
mod templates_tests;

#[cfg(test)]
mod service_sweep_tests;
