//! `/threads`: job chats and listing inquiries — inbox, history, posting,
//! read receipts, archive and block.

use actix_web::{HttpResponse, web};
use kernel::PageRequest;
use serde_json::json;
use uuid::Uuid;

use super::dto::PageQuery;
use super::threads_dto::{
    MarkReadRequest, MessageDto, MessagePage, PostMessageRequest, ReadStateDto, ThreadDto,
    ThreadPage,
};
use crate::auth::AuthUser;
use crate::http::body::EmptyBody;
use crate::http::json::Json;
use crate::http::optional_json::OptionalJson;
use crate::http::problem::ThreadActionProblems;
use crate::http::{ApiError, Problem};
use crate::state::AppState;
use messaging::view::{message_json, thread_json};

fn page(q: PageQuery) -> Result<PageRequest, ApiError> {
    PageRequest::parse(q.limit, q.cursor).map_err(|e| ApiError::validation(vec![e]))
}

/// The caller's threads, as buyer or seller, and disputed job threads of an LSM's region.
///
/// Any signed-in user. Job chats and listing inquiries the caller takes part
/// in, plus, for an LSM, disputed job threads of their region; newest activity
/// first with the caller's unread counts. Archived threads come back when a new
/// message arrives. Paginated with `limit` and `cursor`.
#[utoipa::path(get, path = "/api/v1/threads", tag = "messaging", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "Newest activity first, with the caller's unread counts; threads the caller archived come back with a newer message", body = ThreadPage),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = state
        .messaging
        .list_threads(&ctx, page(query.into_inner())?)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "items": found.items.iter().map(thread_json).collect::<Vec<_>>(),
        "next_cursor": found.next_cursor.map(|c| c.as_str().to_owned()),
    })))
}

/// One thread (participants; admins for audit).
///
/// Participants of the thread; admins may read any for audit. Its kind (job
/// chat or listing inquiry), parties, subject, status, last message and the
/// caller's unread count. Anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/threads/{id}", tag = "messaging", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, description = "The thread", body = ThreadDto),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let record = state.messaging.get_thread(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(thread_json(&record)))
}

/// A thread's history, newest first (participants; admins for audit).
///
/// Participants of the thread; admins may read any for audit. Messages newest
/// first; `next_cursor` continues with older ones. Anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/threads/{id}/messages", tag = "messaging", security(("bearer" = [])), params(("id" = Uuid, Path), PageQuery), responses(
    (status = 200, description = "Newest first; `next_cursor` continues with older messages", body = MessagePage),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
))]
pub async fn messages(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = state
        .messaging
        .messages(&ctx, *id, page(query.into_inner())?)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "items": found.items.iter().map(message_json).collect::<Vec<_>>(),
        "next_cursor": found.next_cursor.map(|c| c.as_str().to_owned()),
    })))
}

/// Posts a message; every participant receives `message.created` with the same JSON.
///
/// Participants of the thread (not admins reading for audit, 403). The text is
/// 1–4000 printable characters; a blocked thread refuses it (409). Realtime
/// clients receive the message at once over the WebSocket or the event feed.
#[utoipa::path(post, path = "/api/v1/threads/{id}/messages", tag = "messaging", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PostMessageRequest, responses(
    (status = 201, description = "The message", body = MessageDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "An admin reading for audit", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The thread is blocked", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Body missing, empty, over 4000 characters or with forbidden characters", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`quota_exceeded`: the caller posted `chat_posts_per_minute` messages (REST, socket and inquiries together) in the last minute; nothing is posted", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the caller's oldest post of the last minute is a minute old"))),
))]
pub async fn post(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<Uuid>,
    body: Json<PostMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = body.into_inner().body;
    let message = state.messaging.post(&ctx, *id, &text).await?;
    Ok(HttpResponse::Created().json(message_json(&message)))
}

/// Marks the thread read up to a message (default: the newest).
///
/// Participants of the thread. Marks the caller's messages read up to
/// `up_to_message_id` (default the newest) and answers the remaining unread
/// count.
#[utoipa::path(post, path = "/api/v1/threads/{id}/read", tag = "messaging", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body(content = Option<MarkReadRequest>), responses(
    (status = 200, description = "The caller's unread count now", body = ReadStateDto),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "An admin reading for audit", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Absent or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "up_to_message_id below 1, unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn read(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<Uuid>,
    OptionalJson(body): OptionalJson<MarkReadRequest>,
) -> Result<HttpResponse, ApiError> {
    let up_to = body.unwrap_or_default().up_to_message_id;
    let read = state.messaging.mark_read(&ctx, *id, up_to).await?;
    Ok(HttpResponse::Ok().json(ReadStateDto {
        thread_id: read.thread_id,
        unread_count: read.unread_count,
    }))
}

/// Hides the thread from the caller's inbox until a new message arrives.
///
/// Participants of the thread. Only the caller's view changes; the other participants keep it in their inbox. Admins reading for audit cannot archive (403).
#[utoipa::path(post, path = "/api/v1/threads/{id}/archive", tag = "messaging", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The thread", body = ThreadDto),
    (status = 403, description = "An admin reading for audit", body = Problem, content_type = "application/problem+json"),
    ThreadActionProblems,
))]
pub async fn archive(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<Uuid>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let record = state.messaging.archive(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(thread_json(&record)))
}

/// Blocks the thread: the parties' messages are refused (system messages still post).
///
/// Participants who may block: the provider of a job chat, and either side of a listing inquiry. Job customers, LSMs and admins get 403. Blocking cannot be undone through the API.
#[utoipa::path(post, path = "/api/v1/threads/{id}/block", tag = "messaging", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = Option<EmptyBody>, description = "None or `{}`"), responses(
    (status = 200, description = "The thread", body = ThreadDto),
    (status = 403, description = "Not allowed to block: the customer of a job chat, an LSM, an admin", body = Problem, content_type = "application/problem+json"),
    ThreadActionProblems,
))]
pub async fn block(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<Uuid>,
    _body: OptionalJson<EmptyBody>,
) -> Result<HttpResponse, ApiError> {
    let record = state.messaging.block(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(thread_json(&record)))
}
