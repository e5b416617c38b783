//! The back office (`/tenants`, `/billing/*`) and the client portal (`/portal/*`).
//! The tenant always comes from the authenticated user, never from the request.

pub mod dto;
pub mod formats;
pub mod invitation_dto;
pub mod invoice_dto;
pub mod invoices;
pub mod membership;
pub mod parties;
pub mod portal;
pub mod tenants;

use actix_web::web;
use kernel::PageRequest;

use crate::http::ApiError;
use crate::http::extract_errors::resource;

/// Mounts the billing and portal routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/tenants").route(web::post().to(tenants::create)))
        .service(resource("/tenants/me").route(web::get().to(tenants::me)))
        .configure(membership_routes)
        .service(
            resource("/billing/parties")
                .route(web::get().to(parties::list_parties))
                .route(web::post().to(parties::create_party)),
        )
        .service(
            resource("/billing/parties/{id}")
                .route(web::get().to(parties::get_party))
                .route(web::patch().to(parties::update_party))
                .route(web::delete().to(parties::delete_party)),
        )
        .service(
            resource("/billing/contacts")
                .route(web::get().to(parties::list_contacts))
                .route(web::post().to(parties::create_contact)),
        )
        .service(
            resource("/billing/contacts/{id}")
                .route(web::get().to(parties::get_contact))
                .route(web::patch().to(parties::update_contact))
                .route(web::delete().to(parties::delete_contact)),
        )
        .service(
            resource("/billing/contacts/{id}/portal").route(web::put().to(parties::set_portal)),
        )
        .service(
            resource("/billing/invoices")
                .route(web::get().to(invoices::list))
                .route(web::post().to(invoices::create)),
        )
        .service(
            resource("/billing/invoices/{id}")
                .route(web::get().to(invoices::get))
                .route(web::patch().to(invoices::update))
                .route(web::delete().to(invoices::delete)),
        )
        .service(resource("/billing/invoices/{id}/issue").route(web::post().to(invoices::issue)))
        .service(resource("/billing/invoices/{id}/void").route(web::post().to(invoices::void)))
        .service(resource("/billing/invoices/{id}/payments").route(web::post().to(invoices::pay)))
        .service(resource("/billing/payments").route(web::get().to(invoices::payments)))
        .service(resource("/billing/payments/{id}/refund").route(web::post().to(invoices::refund)))
        .service(resource("/portal/login").route(web::post().to(portal::login)))
        .service(resource("/portal/invoices").route(web::get().to(portal::invoices)))
        .service(resource("/portal/invoices/{id}").route(web::get().to(portal::invoice)));
}

/// Staff join only by invitation; there is deliberately no route that adds a user.
fn membership_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/tenants/me/invitations")
            .route(web::get().to(membership::list))
            .route(web::post().to(membership::invite)),
    )
    .service(resource("/me/tenant-invitations").route(web::get().to(membership::received)))
    .service(resource("/tenant-invitations/{id}/accept").route(web::post().to(membership::accept)))
    .service(
        resource("/tenant-invitations/{id}/decline").route(web::post().to(membership::decline)),
    )
    .service(resource("/tenants/me/leave").route(web::post().to(membership::leave)))
    .service(resource("/tenants/me/staff/{user_id}").route(web::delete().to(membership::remove)));
}

fn page(limit: Option<i64>, cursor: Option<String>) -> Result<PageRequest, ApiError> {
    PageRequest::parse(limit, cursor).map_err(|e| ApiError::validation(vec![e]))
}
