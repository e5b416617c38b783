//! Account self-service (SPEC §4 Accounts): verify the e-mail, reset and
//! change the password, list and end sessions, export the data, close the
//! account.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use identity::IdentityError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Attempt, AuthUser, SignedIn};
use crate::http::json::Json;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// `POST /auth/verify-email`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the verification e-mail's link.
    #[schema(min_length = 1, max_length = 256)]
    #[validate(length(min = 1, max = 256))]
    pub token: String,
}

/// `POST /auth/password-reset`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The account's e-mail.
    #[schema(max_length = 320)]
    #[validate(length(max = 320))]
    pub email: String,
}

/// `POST /auth/password-reset/confirm`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token from the reset e-mail's link.
    #[schema(min_length = 1, max_length = 256)]
    #[validate(length(min = 1, max = 256))]
    pub token: String,
    /// The new password (10–128 characters).
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// `POST /me/password`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use.
    #[schema(max_length = 128)]
    #[validate(length(max = 128))]
    pub current_password: String,
    /// The new password (10–128 characters).
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// `DELETE /me`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CloseAccountRequest {
    /// The account's password, to confirm.
    #[schema(max_length = 128)]
    #[validate(length(max = 128))]
    pub password: String,
}

/// One session (a sign-in and the refreshes that followed it).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    /// Id, for `DELETE /me/sessions/{id}`.
    pub id: String,
    /// When the user signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last refreshed (or signed in).
    pub last_used_at: DateTime<Utc>,
    /// The client's `User-Agent` at its last use.
    pub user_agent: Option<String>,
    /// Whether this is the session of the calling access token.
    pub current: bool,
}

/// `GET /me/sessions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// Live sessions, most recently used first.
    pub items: Vec<SessionDto>,
}

/// The client's `User-Agent` (at most 255 characters), for the sessions list.
pub(crate) fn client(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(255).collect())
}

/// Confirm the e-mail address with the token from the verification e-mail.
///
/// Public: the token from the e-mail is the credential. Marks the account's
/// e-mail verified (needed for booking, applying and inquiring when the server
/// requires verified e-mails). A token that is unknown, expired or already used
/// is a 422 naming which.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", security(), request_body = VerifyEmailRequest, responses(
    (status = 200, description = "E-mail verified"),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`token_invalid`, `token_expired` or `token_used` (or a missing field)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: Json<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    state.accounts.verify_email(&body.token).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "email_verified": true })))
}

/// Send a new verification e-mail; the previous link stops working.
///
/// Any signed-in user. Queues a new verification e-mail to the account's
/// address and invalidates the previous link; nothing is sent when the address
/// is already verified. Throttled per client IP and per user per hour (429 with
/// `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/resend-verification", tag = "auth", security(("bearer" = [])), responses(
    (status = 202, description = "Queued (nothing is sent when the e-mail is already verified)"),
    (status = 404, description = "The account no longer exists", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many account e-mails for this address or client; see Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn resend_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
) -> Result<HttpResponse, ApiError> {
    state
        .account_mail_limiter
        .check(req.peer_addr().map(|a| a.ip()), &ctx.user_id.0.to_string())
        .map_err(ApiError::rate_limited)?;
    state.accounts.resend_verification(&ctx).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Ask for a password-reset e-mail. The answer is the same whether or not
/// the address has an account.
///
/// Public. Answers 202 before looking the address up, so neither the status,
/// the body nor the timing tells whether an account exists. Known, active
/// accounts get an e-mail with a single-use link (valid for a limited time); a
/// newer request replaces the older link. Throttled per client IP and per
/// address per hour (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", security(), request_body = PasswordResetRequest, responses(
    (status = 202, description = "If the address has an account, a reset e-mail is on its way"),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many reset requests for this address or client; see Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    state
        .account_mail_limiter
        .check(req.peer_addr().map(|a| a.ip()), &email)
        .map_err(ApiError::rate_limited)?;
    // The lookup and the write happen after the answer, so its timing does
    // not tell whether the address has an account.
    let accounts = state.accounts.clone();
    tokio::spawn(async move {
        if let Err(e) = accounts.request_password_reset(&email).await {
            tracing::warn!(error = %e, "password reset e-mail not queued");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the reset e-mail; every session ends.
///
/// Public: the token from the e-mail is the credential. Sets the new password
/// (10–128 characters) and ends every session of the account, on every device.
/// A token that is unknown, expired or already used is a 422 naming which.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", security(), request_body = PasswordResetConfirm, responses(
    (status = 204, description = "Password set; every session of the account was ended"),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`token_invalid`, `token_expired`, `token_used`, or a password outside 10–128 characters", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); nothing changed, retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    body: Json<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    state
        .accounts
        .confirm_password_reset(&b.token, &b.new_password)
        .await?;
    state.revocations.refresh_now().await;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the password; every other session ends.
///
/// Any signed-in user, with the current password. The new password (10–128
/// characters) takes effect at once; every other session ends, the caller's own
/// stays. A wrong current password is a 422 `wrong_password` and counts toward
/// the login throttle of the address (429 with `Retry-After` once used up).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest, responses(
    (status = 204, description = "Changed; the other sessions were ended"),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`wrong_password` (field `current_password`), or a new password outside 10–128 characters", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "The login throttle: too many wrong passwords for this address, or attempts from this IP; see Retry-After", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); nothing changed, retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let attempt = throttle(&req, &state, &who).await?;
    let outcome = state
        .accounts
        .change_password(
            &who.ctx,
            who.session.as_deref(),
            &b.current_password,
            &b.new_password,
        )
        .await;
    settle(attempt, &outcome);
    outcome?;
    state.revocations.refresh_now().await;
    Ok(HttpResponse::NoContent().finish())
}

/// A password check goes through the login throttle of the caller's e-mail
/// and address: refused while the address has used up its failures.
async fn throttle<'a>(
    req: &HttpRequest,
    state: &'a AppState,
    who: &SignedIn,
) -> Result<Attempt<'a>, ApiError> {
    let me = state.accounts.account(&who.ctx).await?;
    state
        .limiter
        .begin(req.peer_addr().map(|a| a.ip()), &me.email)
        .map_err(ApiError::rate_limited)
}

/// Only a wrong password costs the address one of its attempts.
fn settle<T>(attempt: Attempt<'_>, outcome: &Result<T, IdentityError>) {
    if matches!(outcome, Err(IdentityError::WrongPassword(_))) {
        attempt.failed();
    }
}

/// The caller's live sessions, the current one marked.
///
/// Any signed-in user. Each sign-in and its refreshes, with when it started,
/// when it was last used and its client's `User-Agent`; the session of the
/// calling token is marked `current`. Use the ids with `DELETE
/// /me/sessions/{id}`.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, description = "Live sessions", body = SessionList),
))]
pub async fn sessions(state: web::Data<AppState>, who: SignedIn) -> Result<HttpResponse, ApiError> {
    let items = state
        .accounts
        .sessions(&who.ctx, who.session.as_deref())
        .await?
        .into_iter()
        .map(|s| SessionDto {
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            user_agent: s.user_agent,
            current: s.current,
        })
        .collect();
    Ok(HttpResponse::Ok().json(SessionList { items }))
}

/// End one of the caller's sessions (its refresh token stops working; its
/// access token expires within its lifetime).
///
/// Any signed-in user, for their own sessions only: another user's session id
/// is a 404. Use it to sign out a lost device.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id from `GET /me/sessions`")),
    responses(
    (status = 204, description = "Ended"),
    (status = 404, description = "No live session of the caller with this id", body = Problem, content_type = "application/problem+json"),
))]
pub async fn end_session(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.accounts.revoke_session(&ctx, &id).await?;
    state.revocations.refresh_now().await;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own data: profile, roles, jobs, messages sent, ratings given
/// and notifications.
///
/// Any signed-in user. A JSON download (`Content-Disposition: attachment`) of
/// the data the platform holds about the caller, for portability requests.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, description = "The caller's data as JSON", body = Object),
))]
pub async fn export(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let data = state.accounts.export(&ctx).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"stm-export.json\"",
        ))
        .json(data))
}

/// Close the account: personal fields anonymised, login disabled, every
/// session ended; jobs, ratings, invoices and transactions stay.
///
/// Any signed-in user, confirming with the password. Refused with 409
/// `account_in_use` while the account has open jobs, an open dispute, or is the
/// only owner of a tenant with other members. A wrong password is a 422 and
/// counts toward the login throttle of the address (429 with `Retry-After` once
/// used up).
#[utoipa::path(delete, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), request_body = CloseAccountRequest, responses(
    (status = 204, description = "Closed"),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`account_in_use`: open jobs, an open dispute, or the only owner of a tenant with other members (the detail names each)", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`wrong_password` (field `password`)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "The login throttle: too many wrong passwords for this address, or attempts from this IP; see Retry-After", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); nothing changed, retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    body: Json<CloseAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let attempt = throttle(&req, &state, &who).await?;
    let outcome = state.accounts.close_account(&who.ctx, &body.password).await;
    settle(attempt, &outcome);
    outcome?;
    state.revocations.refresh_now().await;
    Ok(HttpResponse::NoContent().finish())
}
