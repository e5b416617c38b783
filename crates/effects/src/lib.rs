//! Cross-cutting effects (SPEC §2 `effects/`): what a change causes besides
//! its own rows. Domain rules return them as data next to the new state;
//! the storage layer writes them in the transaction of the change, resolving
//! each [`Audience`] to users there, so an e-mail, a notification, an audit
//! line or a real-time event is never lost and never sent for a change that
//! did not commit.
//!
//! Beside them: the platform settings every domain reads ([`settings`]), the
//! e-mail outbox worker ([`outbox`]) and the in-app notification inbox
//! ([`notifications`]).

pub mod effects;
pub mod error;
pub mod feed;
pub mod notifications;
pub mod outbox;
pub mod realtime;
pub mod settings;

pub use effects::{Audience, AuditEntry, Effects, Message};
pub use error::EffectsError;
pub use realtime::{EventType, RealtimeEvent};
pub use settings::{PlatformSettings, TIMING_KEYS};
