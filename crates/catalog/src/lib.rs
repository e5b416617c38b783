//! The platform catalog: services with their intake questions, regions and
//! zipcode → region resolution.
//!
//! The catalog is small and read on every search, so it is held in memory as a
//! [`Catalog`] snapshot loaded through the [`ports::CatalogRepository`] port;
//! listing and filtering are pure functions over that snapshot.

pub mod catalog;
pub mod error;
pub mod model;
pub mod ports;
pub mod regions;
pub mod seed;

pub use catalog::{Catalog, ServiceFilter};
pub use error::CatalogError;
pub use model::{
    Category, Question, QuestionKind, Region, Service, ServiceDefinition, ServiceStatus,
};
pub use regions::{RegionDirectory, valid_time_zone};
pub use seed::{SeedReport, load_catalog, seed_catalog};
