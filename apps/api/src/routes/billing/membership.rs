//! Staff by consent: `/tenants/me/invitations`, `/me/tenant-invitations`,
//! `/tenant-invitations/{id}/accept|decline`, `/tenants/me/leave`,
//! `DELETE /tenants/me/staff/{user_id}`. There is no other way to add staff.

use actix_web::{HttpResponse, web};
use kernel::UserId;

use super::dto::ListPage;
use super::invitation_dto::{EmptyBody, InvitationDto, InvitationRequest, ReceivedInvitationDto};
use super::page;
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::{ApiError, Problem};
use crate::routes::dto::PageQuery;
use crate::state::AppState;

/// The owner invites an e-mail to join the tenant as staff (valid 7 days); the
/// invitee is e-mailed and joins only by accepting.
///
/// The tenant's owner. A pending invitation to the same e-mail, or an e-mail of
/// a member already, is a 409.
#[utoipa::path(post, path = "/api/v1/tenants/me/invitations", tag = "billing", security(("bearer" = [])), request_body = InvitationRequest, responses(
    (status = 201, description = "Invited", body = InvitationDto),
    (status = 403, description = "No tenant, or not its owner", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A pending invitation to this e-mail exists, or it belongs to a member already", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid e-mail", body = Problem, content_type = "application/problem+json"),
))]
pub async fn invite(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<InvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let invitation = state.billing.invite(&ctx, &body.email).await?;
    Ok(HttpResponse::Created().json(InvitationDto::from(invitation)))
}

/// The tenant's invitations, newest first (owner only).
///
/// The tenant's owner. Every invitation sent, with its status (pending,
/// accepted, declined, revoked, expired), newest first, paginated with `limit`
/// and `cursor`. Staff who are not owners get 403.
#[utoipa::path(get, path = "/api/v1/tenants/me/invitations", tag = "billing", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "OK", body = ListPage<InvitationDto>),
    (status = 403, description = "No tenant, or not its owner", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let invitations = state
        .billing
        .tenant_invitations(&ctx, &page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(invitations, InvitationDto::from)))
}

/// The caller's pending, unexpired invitations (matched by their account's e-mail).
///
/// Any signed-in user. Invitations to join a tenant as staff that were sent to
/// the caller's e-mail and are still pending and unexpired, with the inviting
/// tenant's name; answer them with `POST /tenant-invitations/{id}/accept` or
/// `decline`.
#[utoipa::path(get, path = "/api/v1/me/tenant-invitations", tag = "billing", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "OK", body = ListPage<ReceivedInvitationDto>),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn received(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let invitations = state
        .billing
        .received_invitations(&ctx, &page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(ListPage::from_page(
        invitations,
        ReceivedInvitationDto::from,
    )))
}

/// The invitee accepts and becomes staff of the inviting tenant.
///
/// The invitee: a signed-in user whose e-mail the invitation was sent to. The
/// caller becomes staff of the tenant and can use its back office. An expired
/// or answered invitation, or a caller already in a tenant, is a 409;
/// invitations to other e-mails are a 404.
#[utoipa::path(post, path = "/api/v1/tenant-invitations/{id}/accept", tag = "billing", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invitation id")), request_body(content = Option<EmptyBody>), responses(
    (status = 200, description = "Accepted", body = InvitationDto),
    (status = 404, description = "No invitation to the caller's e-mail with this id", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Expired, already answered, or the caller already belongs to a tenant", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A body other than none or `{}`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn accept(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let invitation = state.billing.accept_invitation(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(InvitationDto::from(invitation)))
}

/// The invitee declines.
///
/// The invitee: a signed-in user whose e-mail the invitation was sent to. The
/// invitation is closed and the tenant's owner sees it declined. Expired or
/// answered invitations are a 409.
#[utoipa::path(post, path = "/api/v1/tenant-invitations/{id}/decline", tag = "billing", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invitation id")), request_body(content = Option<EmptyBody>), responses(
    (status = 200, description = "Declined", body = InvitationDto),
    (status = 404, description = "No invitation to the caller's e-mail with this id", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Expired or already answered", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A body other than none or `{}`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn decline(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let invitation = state.billing.decline_invitation(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(InvitationDto::from(invitation)))
}

/// The caller leaves their tenant; its last owner cannot.
///
/// Staff of a tenant. The caller loses access to the tenant's back office at
/// once. The last owner cannot leave (409), so a tenant is never left without
/// an owner.
#[utoipa::path(post, path = "/api/v1/tenants/me/leave", tag = "billing", security(("bearer" = [])),
    request_body(content = Option<EmptyBody>), responses(
    (status = 204, description = "Left"),
    (status = 403, description = "The caller belongs to no tenant", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The caller is the tenant's last owner", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A body other than none or `{}`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn leave(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    state.billing.leave_tenant(&ctx).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The owner removes a member of the tenant; its last owner cannot be removed.
///
/// The tenant's owner. The member loses access to the back office at once. The
/// last owner cannot be removed (409); a user who is not a member is a 404.
#[utoipa::path(delete, path = "/api/v1/tenants/me/staff/{user_id}", tag = "billing", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "The member's user id")), request_body(content = Option<EmptyBody>), responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "No tenant, or not its owner", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such member of the caller's tenant", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The user is the tenant's last owner", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A body other than none or `{}`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn remove(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    user_id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .billing
        .remove_staff(&ctx, UserId(user_id.into_inner()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
