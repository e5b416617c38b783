//! The supply side of the marketplace: provider onboarding and its state
//! machine, LSM and admin decisions, keyword → service resolution, ranking,
//! regional popularity, demand digests, and the e-mails, notifications and
//! audit entries those decisions cause (described with the `effects` crate).
//!
//! Rules are plain functions over plain data ([`provider`], [`keywords`],
//! [`ranking`], [`popularity`]); use cases ([`service`],
//! [`search`], [`admin`]) run them over the ports in [`ports`]. Every state
//! change is handed to its port together with its [`::effects::Effects`], which
//! the storage layer writes in the same transaction.

pub mod admin;
pub mod demand;
pub mod demo;
pub mod digest;
pub mod effects;
pub mod error;
pub mod keywords;
pub mod popularity;
pub mod ports;
pub mod provider;
pub mod ranking;
pub mod search;
pub mod searcher;
pub mod service;
pub mod templates;

pub use ::effects::PlatformSettings;
pub use effects::{Audience, AuditEntry, Effects, Message};
pub use error::SupplyError;
pub use provider::{Provider, ProviderStatus, is_live};
