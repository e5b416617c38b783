//! SeaORM models of the tables the repositories use, one module per table.
//! They mirror `migration/` and hold no logic; hand-written code lives beside them.
#![allow(missing_docs, missing_debug_implementations)]

pub mod customers;
pub mod local_service_managers;
pub mod refresh_tokens;
pub mod regions;
pub mod service_providers;
pub mod services;
pub mod user_roles;
pub mod users;
