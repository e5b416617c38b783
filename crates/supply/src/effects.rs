//! The effects a supply decision causes; the types live in the `effects`
//! crate, below every domain, and are re-exported here for existing callers.

pub use ::effects::{Audience, AuditEntry, Effects, Message};
