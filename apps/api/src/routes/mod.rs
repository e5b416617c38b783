//! Route handlers: each translates HTTP into a use-case call and back.

pub mod auth;
pub mod billing;
pub mod catalog;
pub mod dto;
pub mod health;

use actix_web::web;

use crate::http::extract_errors::resource;

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz").route(web::get().to(health::healthz)))
        .service(resource("/readyz").route(web::get().to(health::readyz)))
        .service(resource("/metrics").route(web::get().to(health::metrics)))
        .service(
            web::scope("/api/v1")
                .service(resource("/auth/register").route(web::post().to(auth::register)))
                .service(resource("/auth/login").route(web::post().to(auth::login)))
                .service(resource("/auth/refresh").route(web::post().to(auth::refresh)))
                .service(resource("/auth/logout").route(web::post().to(auth::logout)))
                .service(resource("/me").route(web::get().to(auth::me)))
                .service(resource("/services").route(web::get().to(catalog::list_services)))
                .service(resource("/services/{id}").route(web::get().to(catalog::get_service)))
                .service(resource("/regions").route(web::get().to(catalog::list_regions)))
                .configure(billing::configure),
        );
}
