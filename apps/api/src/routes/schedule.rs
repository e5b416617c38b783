//! Scheduling routes (issue 19): a provider's hours and exceptions, its
//! cancellation policy, and a live provider's free slots.

use actix_web::{HttpResponse, web};
use kernel::{ProviderId, ServiceId};
use scheduling::CancellationPolicy;
use scheduling::service::ReplaceAvailability;

use super::providers::checked;
use super::schedule_dto::{
    AvailabilityDto, AvailabilityRequest, CancellationPreviewDto, ExceptionDto, ExceptionRequest,
    PolicyDto, PolicyRequest, SlotList, SlotsQuery, parse_rules,
};
use crate::auth::{Provider, RequireRole};
use crate::http::json::Json;
use crate::http::problem::ProviderOnly;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// The caller's hours.
///
/// Providers. The weekly rules in the provider's zone (its own, else its
/// region's), the time off and extra hours not yet over, the timing in force
/// of each active offered service, and the cancellation policy. A provider
/// with no rules and no extra hours takes free-text `scheduled_at` bookings.
#[utoipa::path(get, path = "/api/v1/providers/me/availability", tag = "scheduling", security(("bearer" = [])), responses(
    (status = 200, description = "The caller's hours", body = AvailabilityDto),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
))]
pub async fn availability(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
) -> Result<HttpResponse, ApiError> {
    let view = state.scheduling.availability(&role.0).await?;
    Ok(HttpResponse::Ok().json(AvailabilityDto::from(view)))
}

/// Replace the weekly hours.
///
/// Providers. Replaces the whole weekly set (an empty list removes it) and,
/// when `time_zone` is sent, the zone the rules are read in (`null`: the
/// region's). Rules of one weekday must not overlap; at most 56. Existing
/// holds and bookings stay.
#[utoipa::path(put, path = "/api/v1/providers/me/availability", tag = "scheduling", security(("bearer" = [])), request_body = AvailabilityRequest, responses(
    (status = 200, description = "The caller's hours", body = AvailabilityDto),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A bad weekday, time or zone, an end before its start, overlapping rules", body = Problem, content_type = "application/problem+json"),
))]
pub async fn replace_availability(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    body: Json<AvailabilityRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = checked(body.into_inner())?;
    let rules = parse_rules(&b.rules)?;
    let view = state
        .scheduling
        .replace_availability(
            &role.0,
            ReplaceAvailability {
                time_zone: b.time_zone,
                rules,
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(AvailabilityDto::from(view)))
}

/// Add time off or extra hours.
///
/// Providers. `time_off` makes `[start, end)` unbookable whatever the rules
/// say; `extra_hours` makes it bookable beside them. At most 366 days long,
/// ending in the future, with a reason; at most 200 not yet over. Existing
/// holds and bookings stay.
#[utoipa::path(post, path = "/api/v1/providers/me/availability/exceptions", tag = "scheduling", security(("bearer" = [])), request_body = ExceptionRequest, responses(
    (status = 201, description = "The exception", body = ExceptionDto),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record; or 200 exceptions not yet over", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad kind, an end not after the start or in the past, too long, blank reason", body = Problem, content_type = "application/problem+json"),
))]
pub async fn add_exception(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    body: Json<ExceptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = checked(body.into_inner())?;
    let saved = state
        .scheduling
        .add_exception(&role.0, &b.kind, b.start, b.end, &b.reason)
        .await?;
    Ok(HttpResponse::Created().json(ExceptionDto::from(saved)))
}

/// Remove an exception.
///
/// Providers. Deletes one of the caller's exceptions; another provider's is
/// a 404.
#[utoipa::path(delete, path = "/api/v1/providers/me/availability/exceptions/{id}", tag = "scheduling", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Exception id")), responses(
    (status = 204, description = "Removed"),
    ProviderOnly,
    (status = 404, description = "No such exception of the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete_exception(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    state
        .scheduling
        .delete_exception(&role.0, path.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set the cancellation policy.
///
/// Providers. `flexible` (free until 24 h before the start, then 2,500 bps
/// of the price), `moderate` (72 h, 5,000 bps), `strict` (7 days, 10,000
/// bps) or `custom` with `window_hours` (1–720) and `fee_bps` (0–10,000);
/// the platform caps the fee (`cancellation_fee_cap_bps`). It applies to
/// customers' cancels from now on.
#[utoipa::path(put, path = "/api/v1/providers/me/cancellation-policy", tag = "scheduling", security(("bearer" = [])), request_body = PolicyRequest, responses(
    (status = 200, description = "The policy in force", body = PolicyDto),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown policy; numbers on a named policy; a custom policy without both or out of bounds", body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_policy(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
    body: Json<PolicyRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = checked(body.into_inner())?;
    let policy = CancellationPolicy::parse(&b.policy, b.window_hours, b.fee_bps)?;
    let saved = state.scheduling.set_policy(&role.0, policy).await?;
    Ok(HttpResponse::Ok().json(PolicyDto::from(saved)))
}

/// A provider's free slots.
///
/// Public. The slots of one offered service starting in `[from, to)` (at
/// most 31 days): the weekly rules and extra hours less time off, live
/// holds and bookings with their buffers, the minimum notice and the
/// horizon, at the service's interval. `start` and `end` are UTC;
/// `utc_offset` is `tz`'s (default: the provider's zone) at `start`. A
/// provider without hours has none. Providers not approved are a 404.
#[utoipa::path(get, path = "/api/v1/providers/{id}/slots", tag = "scheduling", security(), params(("id" = i64, Path, description = "Provider id"), SlotsQuery), responses(
    (status = 200, description = "Free slots in start order", body = SlotList),
    (status = 404, description = "No such approved provider", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A service the provider does not offer, `to` not after `from` or over 31 days after it, an unknown `tz`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn slots(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<SlotsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let found = state
        .scheduling
        .slots(
            ProviderId(path.into_inner()),
            ServiceId(q.service_id),
            q.from,
            q.to,
            q.tz.as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(SlotList {
        items: found.into_iter().map(Into::into).collect(),
    }))
}

/// What cancelling would cost now.
///
/// The job's parties, its region's LSM and admins. The fee a customer's
/// cancel would cost at this instant under the policy the job was booked
/// with: only an accepted job with a price and a start costs anything, and
/// only after `free_until` (the start less the policy's window); the rate is
/// capped by the platform's `cancellation_fee_cap_bps`. A provider's cancel
/// never costs the customer.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/cancellation-preview", tag = "jobs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")), responses(
    (status = 200, description = "The fee a cancel would cost now", body = CancellationPreviewDto),
    (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such job the caller may see", body = Problem, content_type = "application/problem+json"),
))]
pub async fn cancellation_preview(
    state: web::Data<AppState>,
    crate::auth::AuthUser(ctx): crate::auth::AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (record, found) = state
        .jobs
        .cancellation_preview(&ctx, path.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(CancellationPreviewDto {
        fee_cents: found.map_or(0, |p| p.fee_cents),
        currency: record.currency,
        free_until: found.and_then(|p| p.free_until),
        policy: found.map(|p| p.policy.into()),
    }))
}
