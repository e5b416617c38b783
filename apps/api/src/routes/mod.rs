//! Route handlers: each translates HTTP into a use-case call and back.

pub mod account;
pub mod admin;
pub mod admin_catalog_dto;
pub mod admin_dto;
pub mod admin_ops;
pub mod attachments;
pub mod attachments_dto;
pub mod auth;
pub mod billing;
pub mod calendar;
pub mod catalog;
pub mod catalog_dto;
pub mod disputes;
pub mod disputes_dto;
pub mod dto;
pub mod enums;
pub mod events;
pub mod health;
pub mod inbox;
pub mod jobs;
pub mod jobs_dto;
pub mod listings;
pub mod listings_dto;
pub mod lsm;
pub mod lsm_disputes;
pub mod marketplace;
pub mod marketplace_dto;
pub mod provider_dto;
pub mod providers;
pub mod reschedule;
pub mod schedule;
pub mod schedule_dto;
pub mod search;
pub mod threads;
pub mod threads_dto;

use actix_web::web;

use crate::http::extract_errors::resource;

/// Account self-service: verification, reset, password, sessions, export.
fn account_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/auth/verify-email").route(web::post().to(account::verify_email)))
        .service(
            resource("/auth/resend-verification")
                .route(web::post().to(account::resend_verification)),
        )
        .service(resource("/auth/password-reset").route(web::post().to(account::password_reset)))
        .service(
            resource("/auth/password-reset/confirm")
                .route(web::post().to(account::password_reset_confirm)),
        )
        .service(resource("/me/password").route(web::post().to(account::change_password)))
        .service(resource("/me/sessions").route(web::get().to(account::sessions)))
        .service(resource("/me/sessions/{id}").route(web::delete().to(account::end_session)))
        .service(resource("/me/export").route(web::get().to(account::export)));
}

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
                .service(
                    resource("/me")
                        .route(web::get().to(auth::me))
                        .route(web::delete().to(account::close)),
                )
                .configure(account_routes)
                .service(resource("/services").route(web::get().to(catalog::list_services)))
                // Before `/services/{id}`, which would otherwise claim it.
                .service(resource("/services/popular").route(web::get().to(search::popular)))
                .service(resource("/services/{id}").route(web::get().to(catalog::get_service)))
                .service(resource("/regions").route(web::get().to(catalog::list_regions)))
                .service(resource("/search").route(web::get().to(search::search)))
                .configure(supply_routes)
                .configure(job_routes)
                .service(resource("/events").route(web::get().to(events::feed)))
                .service(resource("/ws").route(web::get().to(events::socket)))
                .configure(thread_routes)
                .configure(dispute_routes)
                .configure(listing_routes)
                .configure(billing::configure),
        );
}

fn job_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/jobs")
            .route(web::get().to(jobs::list))
            .route(web::post().to(jobs::create)),
    )
    .service(
        resource("/jobs/{id}")
            .route(web::get().to(jobs::get))
            .route(web::patch().to(jobs::edit)),
    )
    .service(resource("/jobs/{id}/events").route(web::get().to(jobs::events)))
    .service(resource("/jobs/{id}/accept").route(web::post().to(jobs::accept)))
    .service(resource("/jobs/{id}/reject").route(web::post().to(jobs::reject)))
    .service(resource("/jobs/{id}/complete").route(web::post().to(jobs::complete)))
    .service(resource("/jobs/{id}/cancel").route(web::post().to(jobs::cancel)))
    .service(resource("/jobs/{id}/reschedule").route(web::post().to(reschedule::propose)))
    .service(resource("/jobs/{id}/reschedule/approve").route(web::post().to(reschedule::approve)))
    .service(resource("/jobs/{id}/reschedule/decline").route(web::post().to(reschedule::decline)))
    .service(
        resource("/jobs/{id}/cancellation-preview")
            .route(web::get().to(schedule::cancellation_preview)),
    )
    .service(resource("/jobs/{id}/approve").route(web::post().to(jobs::approve)))
    .service(resource("/jobs/{id}/decline-changes").route(web::post().to(jobs::decline_changes)))
    .service(resource("/jobs/{id}/mark-paid").route(web::post().to(jobs::mark_paid)))
    .service(resource("/jobs/{id}/rating").route(web::post().to(jobs::rate)))
    .service(
        resource("/marketplace/transactions")
            .route(web::get().to(marketplace::list))
            .route(web::post().to(marketplace::create)),
    )
    .service(resource("/marketplace/transactions/{id}").route(web::get().to(marketplace::get)))
    .service(
        resource("/marketplace/transactions/{id}/complete")
            .route(web::post().to(marketplace::complete)),
    )
    .service(
        resource("/marketplace/transactions/{id}/cancel")
            .route(web::post().to(marketplace::cancel)),
    )
    .service(
        resource("/marketplace/transactions/{id}/refund")
            .route(web::post().to(marketplace::refund)),
    );
}

fn dispute_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/jobs/{id}/disputes").route(web::post().to(disputes::raise)))
        .service(resource("/disputes").route(web::get().to(disputes::list)))
        .service(resource("/disputes/{id}").route(web::get().to(disputes::get)))
        .service(resource("/lsm/disputes").route(web::get().to(lsm_disputes::queue)))
        .service(
            resource("/lsm/disputes/{id}/resolve").route(web::post().to(lsm_disputes::resolve)),
        );
}

fn listing_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/listings")
            .route(web::get().to(listings::search))
            .route(web::post().to(listings::create)),
    )
    .service(
        resource("/listings/{id}")
            .route(web::get().to(listings::get))
            .route(web::patch().to(listings::edit)),
    )
    .service(resource("/listings/{id}/publish").route(web::post().to(listings::publish)))
    .service(resource("/listings/{id}/unpublish").route(web::post().to(listings::unpublish)))
    .service(resource("/listings/{id}/suspend").route(web::post().to(listings::suspend)))
    .service(resource("/listings/{id}/reinstate").route(web::post().to(listings::reinstate)))
    .service(resource("/listings/{id}/threads").route(web::post().to(listings::inquire)));
}

fn thread_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/attachments").route(web::post().to(attachments::upload)))
        .service(resource("/attachments/{id}").route(web::get().to(attachments::download)))
        .service(resource("/threads").route(web::get().to(threads::list)))
        .service(resource("/threads/{id}").route(web::get().to(threads::get)))
        .service(
            resource("/threads/{id}/messages")
                .route(web::get().to(threads::messages))
                .route(web::post().to(threads::post)),
        )
        .service(resource("/threads/{id}/read").route(web::post().to(threads::read)))
        .service(resource("/threads/{id}/archive").route(web::post().to(threads::archive)))
        .service(resource("/threads/{id}/block").route(web::post().to(threads::block)));
}

fn supply_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/providers").route(web::post().to(providers::apply)))
        .service(
            resource("/providers/me")
                .route(web::get().to(providers::me))
                .route(web::patch().to(providers::update_me)),
        )
        .service(resource("/providers/me/services").route(web::put().to(providers::set_services)))
        .service(
            resource("/providers/me/services/{service_id}")
                .route(web::patch().to(providers::patch_service)),
        )
        .service(
            resource("/providers/me/availability")
                .route(web::get().to(schedule::availability))
                .route(web::put().to(schedule::replace_availability)),
        )
        .service(
            resource("/providers/me/availability/exceptions")
                .route(web::post().to(schedule::add_exception)),
        )
        .service(
            resource("/providers/me/availability/exceptions/{id}")
                .route(web::delete().to(schedule::delete_exception)),
        )
        .service(
            resource("/providers/me/calendar-token").route(web::post().to(calendar::rotate_token)),
        )
        .service(resource("/providers/me/calendar.ics").route(web::get().to(calendar::feed)))
        .service(
            resource("/providers/me/cancellation-policy")
                .route(web::put().to(schedule::set_policy)),
        )
        .service(resource("/providers/{id}").route(web::get().to(providers::public)))
        .service(resource("/providers/{id}/slots").route(web::get().to(schedule::slots)))
        .service(resource("/providers/{id}/reviews").route(web::get().to(providers::reviews)))
        .service(resource("/notifications").route(web::get().to(inbox::list)))
        .service(resource("/notifications/{id}/read").route(web::post().to(inbox::read)))
        .service(resource("/lsm/providers").route(web::get().to(lsm::queue)))
        .service(resource("/lsm/providers/{id}/approve").route(web::post().to(lsm::approve)))
        .service(resource("/lsm/providers/{id}/reject").route(web::post().to(lsm::reject)))
        .service(resource("/lsm/providers/{id}/suspend").route(web::post().to(lsm::suspend)))
        .service(resource("/lsm/providers/{id}/reinstate").route(web::post().to(lsm::reinstate)))
        .service(
            resource("/lsm/providers/{id}/clear-warnings")
                .route(web::post().to(lsm::clear_warnings)),
        )
        .service(
            resource("/lsm/providers/{id}/ban-requests").route(web::post().to(lsm::request_ban)),
        )
        .service(resource("/lsm/service-requests").route(web::get().to(inbox::service_requests)))
        .service(resource("/lsm/service-requests/{id}/review").route(web::post().to(inbox::review)))
        .service(
            resource("/admin/lsms")
                .route(web::get().to(admin::list_lsms))
                .route(web::post().to(admin::create_lsm)),
        )
        .service(
            resource("/admin/settings")
                .route(web::get().to(admin::get_settings))
                .route(web::patch().to(admin::patch_settings)),
        )
        .service(resource("/admin/audit-log").route(web::get().to(admin::audit_log)))
        .service(resource("/admin/services").route(web::post().to(admin::create_service)))
        .service(resource("/admin/services/{id}").route(web::patch().to(admin::update_service)))
        .service(resource("/admin/regions").route(web::post().to(admin::create_region)))
        .service(resource("/admin/ban-requests").route(web::get().to(admin_ops::ban_requests)))
        .service(
            resource("/admin/ban-requests/{id}/approve")
                .route(web::post().to(admin_ops::approve_ban)),
        )
        .service(
            resource("/admin/ban-requests/{id}/reject")
                .route(web::post().to(admin_ops::reject_ban)),
        )
        .service(
            resource("/admin/popularity/recompute").route(web::post().to(admin_ops::recompute)),
        )
        .service(
            resource("/admin/popularity/{service_id}")
                .route(web::put().to(admin_ops::override_popularity)),
        );
}
