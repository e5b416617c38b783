//! The provider's calendar feed (issue 19): a secret URL a calendar app
//! subscribes to, serving its held and booked slots as RFC 5545 events.

use actix_web::{HttpResponse, web};
use base64::Engine;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Provider, RequireRole};
use crate::http::problem::ProviderOnly;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// The path of the feed; its token is the only credential.
const FEED_PATH: &str = "/api/v1/providers/me/calendar.ics";

/// The stored form of a feed token: only its hash is kept.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new feed token and its URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarToken {
    /// The secret, shown once (43 URL-safe characters).
    pub token: String,
    /// The feed's path with the token, for a calendar app to subscribe to.
    pub url: String,
}

/// Query of the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The token `POST /providers/me/calendar-token` returned.
    pub token: String,
}

/// Create or rotate the calendar feed token.
///
/// Providers. A new secret token for the calendar feed, shown once; the
/// previous token stops working at once.
#[utoipa::path(post, path = "/api/v1/providers/me/calendar-token", tag = "scheduling", security(("bearer" = [])), responses(
    (status = 201, description = "The new token and the feed's URL", body = CalendarToken),
    ProviderOnly,
    (status = 404, description = "Not applied yet", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The application was rejected or banned: a closed record", body = Problem, content_type = "application/problem+json"),
))]
pub async fn rotate_token(
    state: web::Data<AppState>,
    role: RequireRole<Provider>,
) -> Result<HttpResponse, ApiError> {
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    state
        .scheduling
        .rotate_calendar_token(&role.0, token_hash(&token))
        .await?;
    Ok(HttpResponse::Created().json(CalendarToken {
        url: format!("{FEED_PATH}?token={token}"),
        token,
    }))
}

/// The provider's calendar feed.
///
/// Whoever holds the token (calendar apps send no bearer token): the
/// provider's held and booked slots from 30 days ago on, as RFC 5545 events
/// (`text/calendar`), blocked ranges with their buffers; held slots are
/// tentative until the provider answers. An unknown or rotated token is a 404.
#[utoipa::path(get, path = "/api/v1/providers/me/calendar.ics", tag = "scheduling", security(), params(FeedQuery), responses(
    (status = 200, description = "The calendar", content_type = "text/calendar", body = String),
    (status = 404, description = "No feed with this token", body = Problem, content_type = "application/problem+json"),
))]
pub async fn feed(
    state: web::Data<AppState>,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let entries = state.scheduling.calendar(&token_hash(&query.token)).await?;
    let mut calendar = Calendar::new();
    calendar.name("STM bookings");
    for e in entries {
        let mut event = Event::new();
        event
            .uid(&format!(
                "job-{}-{}@stm",
                e.job_id,
                e.slot_start.timestamp()
            ))
            .summary(&if e.booked {
                format!("Job #{} (booked)", e.job_id)
            } else {
                format!("Job #{} (held, awaiting your answer)", e.job_id)
            })
            .starts(e.start)
            .ends(e.end)
            .status(if e.booked {
                EventStatus::Confirmed
            } else {
                EventStatus::Tentative
            });
        calendar.push(event.done());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("cache-control", "private, no-store"))
        .body(calendar.done().to_string()))
}
