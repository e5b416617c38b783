//! Marketplace (SPEC §3/§4 Marketplace): provider listings. The lifecycle
//! (draft → active ⇄ inactive, suspended by moderation and reinstated only by
//! it) is data in [`status`], with who may take each edge; [`listing`] checks
//! fields and the publish rule; [`service`] applies both over the storage
//! port in [`ports`]. A listing the caller may not see is "not found".
//! Marketplace transactions (sales) are in [`sale`] (rules), [`sale_ports`]
//! and [`sale_service`].

pub mod error;
pub mod filter;
pub mod listing;
mod listing_checks;
pub mod ports;
pub mod sale;
mod sale_error;
pub mod sale_notices;
pub mod sale_ports;
pub mod sale_service;
pub mod sale_unit_of_work;
pub mod service;
pub mod status;

#[cfg(test)]
mod sale_client_tests;
#[cfg(test)]
mod sale_tests;
#[cfg(test)]
mod sale_unit_tests;
#[cfg(test)]
mod service_tests;
#[cfg(test)]
mod status_tests;

pub use error::ListingError;
pub use listing::{Listing, ListingFields, ListingInput, PriceType};
pub use sale::{SaleAction, SaleError, SaleInput, SaleRecord, SaleStatus};
pub use sale_service::SaleService;
pub use service::ListingService;
pub use status::{Actor, ListingAction, ListingStatus};
