//! Cross-cutting effects (SPEC §2 `effects/`): what a change causes besides
//! its own rows. Domain rules return them as data next to the new state;
//! the storage layer writes them in the transaction of the change, resolving
//! each [`Audience`] to users there, so an e-mail, a notification, an audit
//! line or a real-time event is never lost and never sent for a change that
//! did not commit.

pub mod effects;
pub mod feed;
pub mod realtime;

pub use effects::{Audience, AuditEntry, Effects, Message};
pub use realtime::{EventType, RealtimeEvent};
