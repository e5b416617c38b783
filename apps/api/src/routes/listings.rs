//! `/listings`: providers' marketplace listings, their moderation and the
//! public search.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use kernel::PageRequest;
use marketplace::ListingAction;
use marketplace::filter::{RawFilter, check_reason};
use validator::Validate;

use super::listings_dto::{
    InquiryRequest, ListingDto, ListingPage, ListingQuery, ListingRequest, ModerationRequest,
    NewListingRequest,
};
use crate::auth::{AuthUser, MaybeUser};
use crate::http::body::EmptyBody;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::problem::{ModerationProblems, OwnerActionProblems};
use crate::http::{ApiError, Problem};
use crate::state::AppState;

fn listing(status: StatusCode, l: marketplace::Listing) -> HttpResponse {
    HttpResponse::build(status).json(ListingDto::from(l))
}

/// A provider with an approved profile creates a draft listing.
///
/// Providers with an approved profile. Creates a `draft` in the provider's
/// tenant and region; it is not visible to buyers until published. Fields are
/// checked and each invalid one named (422).
#[utoipa::path(post, path = "/api/v1/listings", tag = "marketplace", security(("bearer" = [])), request_body = NewListingRequest, responses(
    (status = 201, description = "The listing, `draft`, in the provider's tenant and region", body = ListingDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a provider with an approved profile", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field (each named)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    body: Json<NewListingRequest>,
) -> Result<HttpResponse, ApiError> {
    let created = state
        .listings
        .create(&ctx, body.into_inner().into())
        .await?;
    Ok(listing(StatusCode::CREATED, created))
}

/// Active listings, newest first, filtered.
///
/// Public. Active marketplace listings, filtered by keyword (`q`), category,
/// state or `zip_code`, price range and price type, newest first, paginated
/// with `limit` and `cursor`. Drafts, inactive and suspended listings never
/// appear here.
#[utoipa::path(get, path = "/api/v1/listings", tag = "marketplace", security(), params(ListingQuery), responses(
    (status = 200, description = "Newest first", body = ListingPage),
    (status = 422, description = "A malformed parameter, named", body = Problem, content_type = "application/problem+json"),
))]
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<ListingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    q.validate()
        .map_err(|e| ApiError::validation(crate::http::json::field_errors(&e)))?;
    let page = PageRequest::parse(q.limit, q.cursor).map_err(|e| ApiError::validation(vec![e]))?;
    let filter = RawFilter {
        category: q.category,
        q: q.q,
        state: q.state,
        zip_code: q.zip_code,
        min_price: q.min_price,
        max_price: q.max_price,
        price_type: q.price_type,
    }
    .parse()
    .map_err(ApiError::validation)?;
    let found = state.listings.search(&filter, page).await?;
    Ok(HttpResponse::Ok().json(ListingPage {
        items: found.items.into_iter().map(ListingDto::from).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

/// One listing: active to anyone; the owner, the region's LSMs and admins also see the others.
///
/// Public for active listings; a token is optional and, when sent, must be
/// valid (401 otherwise). Drafts, inactive and suspended listings are visible
/// only to their owner, the region's LSMs and admins; anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "marketplace", security((), ("bearer" = [])), params(("id" = i64, Path)), responses(
    (status = 200, description = "The listing", body = ListingDto),
    (status = 401, description = "Bad token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    MaybeUser(ctx): MaybeUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = state.listings.get(ctx.as_ref(), *id).await?;
    Ok(listing(StatusCode::OK, found))
}

/// The owner edits a listing (not a suspended one).
///
/// The listing's owner (a provider). Changes the given fields; an active
/// listing stays active with the new content. A suspended listing cannot be
/// edited (409); another provider's listing is a 404.
#[utoipa::path(patch, path = "/api/v1/listings/{id}", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ListingRequest, responses(
    (status = 200, description = "The listing", body = ListingDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a provider", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or another provider's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Suspended, or a racing change kept winning", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field (each named)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn edit(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<ListingRequest>,
) -> Result<HttpResponse, ApiError> {
    let edited = state
        .listings
        .edit(&ctx, *id, body.into_inner().into())
        .await?;
    Ok(listing(StatusCode::OK, edited))
}

/// The owner publishes (`published_at` set the first time).
///
/// The listing's owner. Makes a draft or inactive listing `active` and visible to buyers; `published_at` is set the first time. Publishing needs a title, description, category and a price unless the price type is `quote` (422 naming each missing one). A suspended listing is never republished by its owner (409).
#[utoipa::path(post, path = "/api/v1/listings/{id}/publish", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The listing after the change", body = ListingDto),
    OwnerActionProblems,
))]
pub async fn publish(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let changed = state
        .listings
        .apply(&ctx, *id, ListingAction::Publish, None)
        .await?;
    Ok(listing(StatusCode::OK, changed))
}

/// The owner takes an active listing down (`inactive`).
///
/// The listing's owner. An `active` listing becomes `inactive` and leaves search; it can be published again later. A suspended listing stays suspended (409).
#[utoipa::path(post, path = "/api/v1/listings/{id}/unpublish", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The listing after the change", body = ListingDto),
    OwnerActionProblems,
))]
pub async fn unpublish(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let changed = state
        .listings
        .apply(&ctx, *id, ListingAction::Unpublish, None)
        .await?;
    Ok(listing(StatusCode::OK, changed))
}

/// An LSM of the listing's region or an admin suspends it (audited).
///
/// Moderation: an LSM of the listing's region or an admin, with a reason. The listing leaves search at once and its owner can neither edit nor republish it until reinstated; the decision is audited. LSMs of other regions get 404; other roles 403.
#[utoipa::path(post, path = "/api/v1/listings/{id}/suspend", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<ModerationRequest>, description = "Optional reason, kept in the audit log"), responses(
    (status = 200, description = "The listing after the change", body = ListingDto),
    ModerationProblems,
))]
pub async fn suspend(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<ModerationRequest>,
) -> Result<HttpResponse, ApiError> {
    moderate(&state, &ctx, *id, ListingAction::Suspend, body).await
}

/// An LSM of the listing's region or an admin returns a suspended listing to `active` (audited).
///
/// Moderation: an LSM of the listing's region or an admin, with a reason. The listing is active again and the decision is audited. LSMs of other regions get 404; other roles 403.
#[utoipa::path(post, path = "/api/v1/listings/{id}/reinstate", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<ModerationRequest>, description = "Optional reason, kept in the audit log"), responses(
    (status = 200, description = "The listing after the change", body = ListingDto),
    ModerationProblems,
))]
pub async fn reinstate(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    OptionalJson(body): OptionalJson<ModerationRequest>,
) -> Result<HttpResponse, ApiError> {
    moderate(&state, &ctx, *id, ListingAction::Reinstate, body).await
}

/// A moderation decision with its optional reason (kept in the audit log).
async fn moderate(
    state: &AppState,
    ctx: &kernel::Ctx,
    id: i64,
    action: ListingAction,
    body: Option<ModerationRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.unwrap_or_default().reason;
    let reason = check_reason(reason).map_err(|e| ApiError::validation(vec![e]))?;
    let changed = state.listings.apply(ctx, id, action, reason).await?;
    Ok(listing(StatusCode::OK, changed))
}

/// A customer asks about an active listing: the first inquiry opens a
/// `listing` thread with the seller, a later one by the same buyer is
/// appended to it (one thread per buyer and listing).
///
/// Customers, on active listings only; the seller cannot inquire on its own
/// listing (403). Verified e-mail may be required (403 `email_unverified`); a
/// blocked inquiry thread refuses new messages (409).
#[utoipa::path(post, path = "/api/v1/listings/{id}/threads", tag = "marketplace", security(("bearer" = [])), params(("id" = i64, Path)), request_body = InquiryRequest, responses(
    (status = 201, description = "The thread (`kind: \"listing\"`) with the message as `last_message`", body = crate::routes::threads_dto::ThreadDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a customer, or the listing's own seller, or `email_unverified` (when `auth.require_verified_email` is on)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No active listing with this id", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The inquiry thread is blocked", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad body or subject", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`quota_exceeded`: the caller posted `chat_posts_per_minute` messages (REST, socket and inquiries together) in the last minute; nothing is posted", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the caller's oldest post of the last minute is a minute old"))),
))]
pub async fn inquire(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<i64>,
    body: Json<InquiryRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    // Only an active listing takes inquiries, whoever asks.
    let listing = state.listings.get(None, *id).await?;
    let party = messaging::service::ListingParty {
        listing_id: listing.id,
        seller: listing.provider_user_id,
    };
    let (thread, _message) = state
        .messaging
        .inquire(&ctx, party, &b.body, b.subject.as_deref())
        .await?;
    Ok(HttpResponse::Created().json(messaging::view::thread_json(&thread)))
}
