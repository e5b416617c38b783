//! `/notifications` and the LSM's `/lsm/service-requests`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use effects::notifications::Notification;
use serde::{Deserialize, Serialize};
use supply::ports::ServiceRequest;
use utoipa::{IntoParams, ToSchema};

use super::providers::id_page;
use crate::auth::{AuthUser, Lsm, RequireRole};
use crate::http::problem::LsmOnly;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Query of `GET /notifications`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An in-app notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// Kind (`provider.approved`, `service_request`, ...).
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// When read.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<Notification> for NotificationDto {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            data: n.data,
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

/// A page of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<NotificationDto>,
    /// Next page.
    pub next_cursor: Option<String>,
}

/// The caller's notifications.
///
/// Any signed-in user. The caller's in-app notifications (job transitions,
/// messages, decisions about them), newest first, with their read state;
/// paginated with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationQuery), responses(
    (status = 200, description = "A page of notifications, newest first", body = NotificationPage),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    query: web::Query<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let found = state
        .notifications
        .list(
            &ctx,
            q.unread.unwrap_or(false),
            &id_page(q.limit, q.cursor)?,
        )
        .await?;
    Ok(HttpResponse::Ok().json(NotificationPage {
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

/// Mark one notification read.
///
/// Any signed-in user, for their own notifications; another user's is a 404.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notification id")), responses(
    (status = 200, description = "The notification", body = NotificationDto),
    (status = 404, description = "Not the caller's notification", body = Problem, content_type = "application/problem+json"),
))]
pub async fn read(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let n = state.notifications.read(&ctx, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(NotificationDto::from(n)))
}

/// Query of `GET /lsm/service-requests`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DemandQuery {
    /// Period in days, 1 to 365 (default 30).
    #[param(minimum = 1, maximum = 365)]
    pub days: Option<i64>,
    /// Only (un)reviewed requests in the list.
    pub reviewed: Option<bool>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A missing-service request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequestDto {
    pub id: i64,
    /// What was searched.
    pub keyword: String,
    pub zipcode: Option<String>,
    pub region: Option<String>,
    /// The e-mail to the LSMs left.
    pub email_sent: bool,
    pub reviewed: bool,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<ServiceRequest> for ServiceRequestDto {
    fn from(r: ServiceRequest) -> Self {
        Self {
            id: r.id,
            keyword: r.keyword,
            zipcode: r.zipcode,
            region: r.region,
            email_sent: r.email_sent,
            reviewed: r.reviewed,
            reviewed_by: r.reviewed_by.map(|u| u.0),
            reviewed_at: r.reviewed_at,
            created_at: r.created_at,
        }
    }
}

/// A keyword and how often it went unanswered.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeywordCountDto {
    pub keyword: String,
    pub count: i64,
}

/// The LSM's demand dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandResponse {
    /// Period in days.
    pub days: i64,
    /// Most requested missing keywords, with counts.
    pub top_keywords: Vec<KeywordCountDto>,
    /// The requests, newest first.
    pub items: Vec<ServiceRequestDto>,
    /// Next page of `items`.
    pub next_cursor: Option<String>,
}

/// The region's missing-service demand.
///
/// LSMs (their region) and admins. What customers searched for without finding
/// a provider: the top keywords over the last `days` with their counts, and the
/// raw requests, paginated; the demand the LSM recruits providers for.
#[utoipa::path(get, path = "/api/v1/lsm/service-requests", tag = "lsm", security(("bearer" = [])), params(DemandQuery), responses(
    (status = 200, description = "Top keywords and the raw list", body = DemandResponse),
    (status = 403, description = "Not an LSM", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad days, limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn service_requests(
    state: web::Data<AppState>,
    role: RequireRole<Lsm>,
    query: web::Query<DemandQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = role.0;
    let q = query.into_inner();
    let d = state
        .demand
        .dashboard(&ctx, q.days, q.reviewed, &id_page(q.limit, q.cursor)?)
        .await?;
    Ok(HttpResponse::Ok().json(DemandResponse {
        days: d.days,
        top_keywords: d
            .top_keywords
            .into_iter()
            .map(|(keyword, count)| KeywordCountDto { keyword, count })
            .collect(),
        items: d.requests.items.into_iter().map(Into::into).collect(),
        next_cursor: d.requests.next_cursor.map(|c| c.as_str().to_owned()),
    }))
}

/// Mark a request of the region reviewed.
///
/// LSMs of the request's region and admins. Marks a missing-service request as
/// reviewed so it leaves the open list; requests of other regions are a 404.
#[utoipa::path(post, path = "/api/v1/lsm/service-requests/{id}/review", tag = "lsm", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Service request id")), responses(
    (status = 200, description = "The request", body = ServiceRequestDto),
    LsmOnly,
    (status = 404, description = "No such request in the caller's region", body = Problem, content_type = "application/problem+json"),
))]
pub async fn review(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let r = state.demand.review(&ctx, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ServiceRequestDto::from(r)))
}
