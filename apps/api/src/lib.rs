//! The STM HTTP server: configuration, routes, extractors, OpenAPI and the
//! one-shot commands (`migrate`, `seed`, `create-admin`, `openapi`).
//!
//! Handlers only translate between HTTP and the domain crates' use cases.

pub mod auth;
pub mod background;
pub mod background_config;
pub mod cli;
pub mod config;
pub mod domain_wiring;
pub mod http;
pub mod openapi;
pub mod realtime;
pub mod routes;
pub mod secrets;
pub mod startup;
pub mod state;
pub mod storage;
pub mod storage_config;
pub mod supply_wiring;
pub mod telemetry;
