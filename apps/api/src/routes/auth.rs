//! `/auth/*` and `/me`.

use actix_web::{HttpRequest, HttpResponse, web};
use identity::{IdentityError, LoginCommand, RegisterCommand};

use super::dto::{LoginRequest, MeResponse, RefreshRequest, RegisterRequest, SessionResponse};
use crate::auth::AuthUser;
use crate::http::json::Json;
use crate::http::{ApiError, Problem};
use crate::state::AppState;

/// Register as a customer or a provider.
///
/// Public. Creates the account with exactly the role asked for (`customer` or
/// `provider`; `admin` and `lsm` are refused) and signs in: the answer is a
/// session like login's. A verification e-mail is queued. An e-mail already
/// registered is a 409; registrations are throttled per client IP (429), and
/// password hashing may answer 503 `busy` when saturated.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", security(), request_body = RegisterRequest, responses(
    (status = 201, description = "Registered and signed in", body = SessionResponse),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "E-mail already registered", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 64 KiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields (role admin or lsm, short password, …)", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many registrations from this IP; see Retry-After", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); nothing stored, retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    state
        .registrations
        .check(req.peer_addr().map(|a| a.ip()))
        .map_err(ApiError::rate_limited)?;
    let cmd = RegisterCommand {
        email: b.email,
        password: b.password,
        first_name: b.first_name,
        last_name: b.last_name,
        role: b.role,
        phone: b.phone,
        zipcode: b.zipcode,
        user_agent: super::account::client(&req),
    };
    let session = state.accounts.register(cmd).await?;
    Ok(HttpResponse::Created().json(SessionResponse::from(session)))
}

/// Sign in with e-mail and password.
///
/// Public. Answers an access token (15 minutes) and a refresh token (30 days),
/// which together are a session. An unknown e-mail and a wrong password give
/// the same 401 `invalid_credentials`; only after the right password does a
/// suspended or banned account get 403 `account_disabled`. Throttled per client
/// IP (every attempt) and per e-mail (failed attempts only): 429 with
/// `Retry-After`; see docs/api.md for what failures do to the owner of an
/// address.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(), request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = SessionResponse),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "E-mail or password incorrect (never says which)", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Account suspended or banned", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts from this IP, or too many wrong passwords for this e-mail; see Retry-After", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing saturated (`busy`); retry after Retry-After", body = Problem, content_type = "application/problem+json"),
))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let ip = req.peer_addr().map(|a| a.ip());
    let attempt = state
        .limiter
        .begin(ip, &b.email)
        .map_err(ApiError::rate_limited)?;
    let outcome = state
        .accounts
        .login(LoginCommand {
            email: b.email,
            password: b.password,
            user_agent: super::account::client(&req),
        })
        .await;
    // Only a wrong password (or unknown e-mail) costs the address an attempt.
    if matches!(outcome, Err(IdentityError::InvalidCredentials)) {
        attempt.failed();
    }
    Ok(HttpResponse::Ok().json(SessionResponse::from(outcome?)))
}

/// Exchange a refresh token for a new pair; the old one stops working.
///
/// Public: the refresh token is the credential. Rotates it: the answer holds a
/// new access and refresh token, and the old refresh token stops working.
/// Presenting a rotated token again (a stolen copy) revokes the whole session,
/// and the client must sign in again. Suspended and banned accounts get 403.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", security(), request_body = RefreshRequest, responses(
    (status = 200, description = "New tokens", body = SessionResponse),
    (status = 401, description = "Unknown, expired or reused token (reuse revokes the whole session)", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Account suspended or banned", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let session = state
        .accounts
        .refresh(&body.refresh_token, super::account::client(&req))
        .await;
    if let Err(IdentityError::RefreshTokenReused | IdentityError::AccountDisabled(_)) = session {
        // The session was revoked: void its access tokens here now. Unknown
        // and expired tokens revoke nothing and cost no read.
        state.revocations.refresh_now().await;
    }
    Ok(HttpResponse::Ok().json(SessionResponse::from(session?)))
}

/// Revoke the session a refresh token belongs to.
///
/// Public: the refresh token is the credential. Revokes the whole session (the
/// refresh-token family); its access token still works until it expires.
/// Answers 204 also for an unknown or already revoked token, so a client can
/// always sign out.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(), request_body = RefreshRequest, responses(
    (status = 204, description = "Signed out (also for unknown tokens)"),
    (status = 422, description = "Missing or unknown fields", body = Problem, content_type = "application/problem+json"),
))]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state.accounts.logout(&body.refresh_token).await?;
    state.revocations.refresh_now().await;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller, their roles and profiles.
///
/// Any signed-in user. The account (`user`) and, where the caller has them, the
/// `customer`, `provider` and `lsm` profiles. A closed account is a 404.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, description = "The caller", body = MeResponse),
    (status = 404, description = "The account no longer exists", body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(
    state: web::Data<AppState>,
    AuthUser(ctx): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let profile = state.accounts.me(&ctx).await?;
    Ok(HttpResponse::Ok().json(MeResponse::from(profile)))
}
