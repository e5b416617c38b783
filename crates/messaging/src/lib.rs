//! Messaging (SPEC §4 Messaging): job threads and listing inquiry threads
//! share one model. The rules here decide who a user is in a thread (and so
//! whether they may read or post), what a message body may hold, and how
//! blocking, per-user archive and unread counts behave. Storage and delivery
//! live elsewhere; a thread the caller may not see is "not found".

pub mod body;
pub mod error;
pub mod thread;

pub use body::MessageBody;
pub use error::MessagingError;
pub use thread::{SenderRole, Thread, ThreadKind, ThreadStatus, Viewer, Visibility};
