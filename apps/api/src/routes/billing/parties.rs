//! `/billing/parties` and `/billing/contacts`.

use actix_web::{HttpResponse, web};
use billing::service::{ContactInput, PartyInput, PortalAccess};

use super::dto::{
    ContactDto, ContactRequest, ListPage, PartyDto, PartyRequest, PortalAccessRequest,
};
use super::page;
use crate::auth::AuthUser;
use crate::http::body::EmptyBody;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::problem::TenantProblems;
use crate::http::{ApiError, Problem};
use crate::routes::dto::PageQuery;
use crate::state::AppState;

fn party_input(b: PartyRequest) -> PartyInput {
    PartyInput {
        kind: b.kind,
        display_name: b.display_name,
        email: b.email,
        phone: b.phone,
    }
}

fn contact_input(b: ContactRequest) -> ContactInput {
    ContactInput {
        first_name: b.first_name,
        last_name: b.last_name,
        email: b.email,
        phone: b.phone,
        party_id: b.party_id,
        marketplace_user_id: b.marketplace_user_id,
    }
}

/// Create a party.
///
/// Staff of a tenant. Adds a client the tenant can bill: a person or a company,
/// with its display name, e-mail and phone.
#[utoipa::path(post, path = "/api/v1/billing/parties", tag = "billing", security(("bearer" = [])), request_body = PartyRequest, responses(
    TenantProblems,
    (status = 201, description = "Created", body = PartyDto),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_party(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<PartyRequest>,
) -> Result<HttpResponse, ApiError> {
    let party = state
        .billing
        .create_party(&ctx, party_input(body.into_inner()))
        .await?;
    Ok(HttpResponse::Created().json(PartyDto::from(party)))
}

/// Live parties of the caller's tenant, newest first.
///
/// Staff of a tenant. The tenant's clients (people or companies it bills),
/// deleted ones left out, paginated with `limit` and `cursor`. Callers without
/// a tenant get 403 `no_tenant`.
#[utoipa::path(get, path = "/api/v1/billing/parties", tag = "billing", security(("bearer" = [])), params(PageQuery), responses(
    TenantProblems,
    (status = 200, description = "OK", body = ListPage<PartyDto>),
    (status = 404, description = "A cursor of another tenant", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_parties(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let parties = state
        .billing
        .parties(&ctx, &page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(parties, PartyDto::from)))
}

/// A party.
///
/// Staff of a tenant. One of the tenant's live parties; another tenant's, or a
/// deleted one, is a 404.
#[utoipa::path(get, path = "/api/v1/billing/parties/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    TenantProblems,
    (status = 200, description = "OK", body = PartyDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_party(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(PartyDto::from(state.billing.party(&ctx, *id).await?)))
}

/// Change a party.
///
/// Staff of a tenant. Changes the given fields of a party; invoices already
/// issued keep the details they were issued with.
#[utoipa::path(patch, path = "/api/v1/billing/parties/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PartyRequest, responses(
    TenantProblems,
    (status = 200, description = "OK", body = PartyDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_party(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<PartyRequest>,
) -> Result<HttpResponse, ApiError> {
    let party = state
        .billing
        .update_party(&ctx, *id, party_input(body.into_inner()))
        .await?;
    Ok(HttpResponse::Ok().json(PartyDto::from(party)))
}

/// Soft-delete a party.
///
/// Staff of a tenant. Marks the party deleted: it leaves lists and new invoices
/// can no longer name it; existing invoices keep it.
#[utoipa::path(delete, path = "/api/v1/billing/parties/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body(content = Option<EmptyBody>, description = "None or `{}`; anything else is refused"), responses(
    TenantProblems,
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete_party(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    state.billing.delete_party(&ctx, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create a contact.
///
/// Staff of a tenant. Adds a contact to one of the tenant's parties, optionally
/// linked to a marketplace user (once per tenant). A party of another tenant is
/// a 404, as if it did not exist.
#[utoipa::path(post, path = "/api/v1/billing/contacts", tag = "billing", security(("bearer" = [])), request_body = ContactRequest, responses(
    TenantProblems,
    (status = 201, description = "Created", body = ContactDto),
    (status = 404, description = "The party is absent or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The marketplace user is already a contact here", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create_contact(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<ContactRequest>,
) -> Result<HttpResponse, ApiError> {
    let contact = state
        .billing
        .create_contact(&ctx, contact_input(body.into_inner()))
        .await?;
    Ok(HttpResponse::Created().json(ContactDto::from(contact)))
}

/// Live contacts, newest first.
///
/// Staff of a tenant (owner or member). The people at the tenant's parties
/// (clients), deleted ones left out, paginated with `limit` and `cursor`.
/// Callers without a tenant get 403 `no_tenant`.
#[utoipa::path(get, path = "/api/v1/billing/contacts", tag = "billing", security(("bearer" = [])), params(PageQuery), responses(
    TenantProblems,
    (status = 200, description = "OK", body = ListPage<ContactDto>),
    (status = 404, description = "A cursor of another tenant", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list_contacts(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let contacts = state
        .billing
        .contacts(&ctx, &page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(contacts, ContactDto::from)))
}

/// A contact.
///
/// Staff of a tenant. One of the tenant's live contacts; another tenant's, or a
/// deleted one, is a 404.
#[utoipa::path(get, path = "/api/v1/billing/contacts/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    TenantProblems,
    (status = 200, description = "OK", body = ContactDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get_contact(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ContactDto::from(state.billing.contact(&ctx, *id).await?)))
}

/// Change a contact.
///
/// Staff of a tenant. Changes the given fields of a contact, possibly moving it
/// to another party of the same tenant. A marketplace user or portal e-mail
/// already used by another contact of the tenant is a 409.
#[utoipa::path(patch, path = "/api/v1/billing/contacts/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ContactRequest, responses(
    TenantProblems,
    (status = 200, description = "OK", body = ContactDto),
    (status = 404, description = "Absent, deleted or another tenant's (contact or party)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Duplicate marketplace user or portal e-mail", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn update_contact(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<ContactRequest>,
) -> Result<HttpResponse, ApiError> {
    let contact = state
        .billing
        .update_contact(&ctx, *id, contact_input(body.into_inner()))
        .await?;
    Ok(HttpResponse::Ok().json(ContactDto::from(contact)))
}

/// Soft-delete a contact (its portal access ends).
///
/// Staff of a tenant. Marks the contact deleted: it leaves lists and its
/// client-portal access ends at once (its portal tokens stop working). Another
/// tenant's contact is a 404.
#[utoipa::path(delete, path = "/api/v1/billing/contacts/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body(content = Option<EmptyBody>, description = "None or `{}`; anything else is refused"), responses(
    TenantProblems,
    (status = 204, description = "Deleted"),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete_contact(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    state.billing.delete_contact(&ctx, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Enable (with a password) or disable the contact's client-portal access.
///
/// Staff of a tenant. Enabling needs the contact's e-mail and a password
/// (10–128 characters) the contact then uses at `POST /portal/login`; changing
/// the password or disabling ends every portal token issued before. The
/// password is never returned. Hashing may answer 503 `busy` when saturated.
#[utoipa::path(put, path = "/api/v1/billing/contacts/{id}/portal", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PortalAccessRequest, responses(
    TenantProblems,
    (status = 200, description = "The contact (never the password hash)", body = ContactDto),
    (status = 404, description = "Absent, deleted or another tenant's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Another portal contact of this tenant has this e-mail", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing e-mail or password, or a weak password", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); nothing changed, retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_portal(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<PortalAccessRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let contact = state
        .billing
        .set_portal_access(
            &ctx,
            *id,
            PortalAccess {
                enabled: b.enabled,
                password: b.password,
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(ContactDto::from(contact)))
}
