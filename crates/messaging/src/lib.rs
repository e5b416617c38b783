//! Messaging (SPEC §4 Messaging): job threads and listing inquiry threads
//! share one model. The rules here decide who a user is in a thread (and so
//! whether they may read or post), what a message body may hold, and how
//! blocking, per-user archive and unread counts behave. The use cases in
//! [`service`] apply them over the storage port in [`ports`]; a thread the
//! caller may not see is "not found".

pub mod body;
pub mod error;
pub mod ports;
pub mod quota;
pub mod service;
pub mod thread;
pub mod thread_store;
pub mod view;

#[cfg(test)]
mod service_tests;

pub use body::MessageBody;
pub use error::MessagingError;
pub use service::MessagingService;
pub use thread::{SenderRole, Thread, ThreadKind, ThreadStatus, Viewer, Visibility};
