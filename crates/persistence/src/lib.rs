//! Storage for STM: SeaORM implementations of the domain ports, connection
//! handling for SQLite and PostgreSQL, and migrations.
//!
//! Every repository method that changes several rows does so in one
//! transaction; constraint violations come back as
//! [`kernel::StoreError::Conflict`] carrying the constraint's name.

pub mod billing;
pub mod catalog_repo;
pub mod db;
pub mod entities;
mod error;
pub mod identity_repo;
pub mod testing;

pub use catalog_repo::SqlCatalogRepository;
pub use db::{Backend, Database};
pub use identity_repo::{SqlRefreshTokenRepository, SqlUserRepository};
