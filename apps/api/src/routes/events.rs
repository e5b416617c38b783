//! `GET /events` (the feed over REST) and `GET /ws` (the same feed, live).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use effects::feed::{FeedQuery, FeedRead};
use kernel::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::auth::jwt::Verified;
use crate::http::{ApiError, Problem};
use crate::realtime::session::SocketSession;
use crate::state::AppState;

/// Query of `GET /events`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events with a larger `seq` (default 0: from the oldest kept).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// 1 to 500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// One event: the envelope the socket sends too.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    /// The user's sequence number.
    pub seq: i64,
    /// `message.created`, `thread.read`, `notification`, `job.updated`, `dispute.updated`.
    #[serde(rename = "type")]
    pub type_: String,
    /// When it happened (RFC 3339).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The object its REST route returns.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// Oldest first.
    pub items: Vec<EventDto>,
    /// The last `seq` returned, or the given `after` when none: pass it as the next `after`.
    pub next_after: i64,
}

fn query(after: Option<i64>, limit: Option<i64>) -> Result<FeedQuery, ApiError> {
    FeedQuery::new(after, limit)
        .map_err(|(field, message)| ApiError::validation(vec![FieldError::new(field, message)]))
}

fn expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        kernel::Code::EventsExpired,
        "events after `after` are no longer kept; resync over REST, then resume from the newest `seq`",
    )
}

/// The caller's events after `after`.
///
/// Any signed-in user. The REST twin of the WebSocket: the caller's durable
/// event feed (new jobs, transitions, messages, notifications) after the `seq`
/// given as `after`, oldest first, up to `limit`. A client that was offline
/// resumes from the last `seq` it saw; events older than the retention were
/// pruned and asking for them is a 410 `events_expired` (reload the state, then
/// follow from the newest).
#[utoipa::path(get, path = "/api/v1/events", tag = "realtime", security(("bearer" = [])), params(EventsQuery), responses(
    (status = 200, description = "The caller's events after `after`, oldest first", body = EventPage),
    (status = 410, description = "`events_expired`: events after `after` were pruned", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad `after` or `limit`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn feed(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    q: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query(q.after, q.limit)?;
    let read = state.feed.read(ctx.user_id, q.after, q.limit).await?;
    let FeedRead::Events(events) = read else {
        return Err(expired());
    };
    let next_after = events.last().map_or(q.after, |e| e.seq);
    let items = events
        .into_iter()
        .map(|e| EventDto {
            seq: e.seq,
            type_: e.kind,
            at: e.at,
            data: e.data,
        })
        .collect();
    Ok(HttpResponse::Ok().json(EventPage { items, next_after }))
}

/// Query of `GET /ws`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SocketQuery {
    /// Replay every stored event after this `seq` first (default: only new events).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// The access token, for clients that cannot set `Authorization`.
    pub access_token: Option<String>,
}

/// The caller's token from the bearer header, else from `access_token`;
/// 401 when missing, invalid or of an ended session, 403 for a banned account.
fn socket_token(
    req: &HttpRequest,
    state: &AppState,
    query: Option<&str>,
) -> Result<Verified, ApiError> {
    let Some(token) = crate::auth::extract::bearer_token(req).or(query) else {
        return Err(ApiError::unauthorized("sign in first"));
    };
    let verified = state
        .jwt
        .verify_access(token)
        .ok_or_else(|| ApiError::unauthorized("the access token is invalid or expired"))?;
    match state.revocations.check(verified.facts()) {
        Some(denial) => Err(denial.error()),
        None => Ok(verified),
    }
}

/// Upgrades and at once closes a socket over the per-user limit (4008), so
/// the client learns why rather than seeing a refused handshake.
fn refuse_socket(req: &HttpRequest, body: web::Payload) -> Result<HttpResponse, ApiError> {
    let (response, session, _stream) = actix_ws::handle(req, body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            kernel::Code::NotWebsocket,
            e.to_string(),
        )
    })?;
    actix_web::rt::spawn(session.close(Some(actix_ws::CloseReason {
        code: actix_ws::CloseCode::Other(crate::realtime::session::CLOSE_TOO_MANY_SOCKETS),
        description: Some("too many sockets for this user".into()),
    })));
    Ok(response)
}

/// The caller's events, live, over a WebSocket.
///
/// Any signed-in user, with the access token in `Authorization` or, for
/// browsers, in `access_token`. Upgrades to a WebSocket that first replays
/// stored events after `after`, then pushes new ones as envelopes `{seq, type,
/// at, data}`; the client may send `message.send` frames. The frames, close
/// codes and renewal are described in docs/realtime.md; events pruned before
/// `after` are a 410 `events_expired`.
#[utoipa::path(get, path = "/api/v1/ws", tag = "realtime", security(("bearer" = [])), params(SocketQuery), responses(
    (status = 101, description = "WebSocket: envelopes `{seq, type, at, data}`; the client may send `message.send`"),
    (status = 400, description = "Not a WebSocket upgrade", body = Problem, content_type = "application/problem+json"),
    (status = 410, description = "`events_expired`: events after `after` were pruned", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad `after`", body = Problem, content_type = "application/problem+json"),
))]
pub async fn socket(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<SocketQuery>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let token = socket_token(&req, &state, q.access_token.as_deref())?;
    let ctx = token.ctx.clone();
    let after = q.after.map(|a| query(Some(a), None)).transpose()?;
    // Registered before the first read, so no wake-up between the two is lost.
    let Some(registration) = state
        .hub
        .register_within(ctx.user_id.0, state.realtime.max_sockets_per_user)
    else {
        return refuse_socket(&req, body);
    };
    let last_sent = match after {
        Some(q) => {
            if let FeedRead::Expired = state.feed.read(ctx.user_id, q.after, 1).await? {
                return Err(expired());
            }
            q.after
        }
        None => state.feed.newest_seq(ctx.user_id).await?,
    };
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            kernel::Code::NotWebsocket,
            e.to_string(),
        )
    })?;
    let socket = SocketSession {
        user: ctx.user_id,
        feed: state.feed.clone(),
        registration,
        last_sent,
        ping_every: state.realtime.ping_interval(),
        queue_frames: state.realtime.queue_frames,
        send_timeout: std::time::Duration::from_millis(state.realtime.send_timeout_ms),
        ctx,
        token,
        state: state.clone(),
    };
    actix_web::rt::spawn(socket.run(session, stream.max_frame_size(64 * 1024)));
    Ok(response)
}
