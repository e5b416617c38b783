//! `application/problem+json` (RFC 9457) for every error the API returns.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use kernel::{Code, ErrorKind, FieldError, Refusal};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// `Retry-After` of a 503: hashing queues drain in well under a second.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field as the client named it.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened in this occurrence.
    pub detail: String,
    /// Stable machine-readable code, one of a closed list (`kernel::Code`).
    pub code: String,
    /// Field errors, for 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// The `Retry-After` of a 503 for an unreachable database, in seconds.
const DATABASE_RETRY_AFTER_SECS: u64 = 2;

/// An error and its sources, one after another.
fn chain(cause: &dyn std::error::Error) -> String {
    let mut chain = cause.to_string();
    let mut source = cause.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    chain
}

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: Code,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ApiError {
    /// An error with a status, a stable code and a detail for people.
    pub fn new(status: StatusCode, code: Code, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 422 with field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("`{}` {}", one.field, one.message),
            _ => "some fields are invalid".to_owned(),
        };
        Self {
            errors,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::ValidationFailed,
                detail,
            )
        }
    }

    /// 401.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, Code::Unauthorized, detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, Code::Forbidden, detail)
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, Code::NotFound, "no such resource")
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let detail = format!("too many attempts; retry in {retry_after_secs} s");
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, Code::RateLimited, detail)
        }
    }

    /// The same error answered with `Retry-After: secs` (a quota's 429).
    pub fn with_retry_after(self, secs: u64) -> Self {
        Self {
            retry_after: Some(secs),
            ..self
        }
    }

    /// 429 `quota_exceeded` with `Retry-After`: a quota on what one client
    /// may create for others (job requests, chat posts, uploads) is reached.
    pub fn quota_exceeded(q: &kernel::QuotaExceeded) -> Self {
        Self {
            retry_after: Some(q.retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                Code::QuotaExceeded,
                q.to_string(),
            )
        }
    }

    /// Seconds of the `Retry-After` this error carries, if any.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// 503 with `Retry-After`: a bounded resource (password hashing) is
    /// saturated for the moment; nothing was changed.
    pub fn unavailable(code: Code, detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER_SECS),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
        }
    }

    /// 503 with `Retry-After`: the database is unreachable (down, restarting,
    /// or no pooled connection came free in time); the request changed nothing
    /// and may be sent again. Logged as a warning: the outage is not a bug.
    pub fn database_unavailable(cause: &dyn std::error::Error) -> Self {
        tracing::warn!(error = %chain(cause), "database unavailable");
        Self {
            retry_after: Some(DATABASE_RETRY_AFTER_SECS),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Code::Unavailable,
                "the database is unreachable; retry shortly",
            )
        }
    }

    /// 500; the cause is logged with its chain and never sent.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %chain(cause), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            "an internal error occurred",
        )
    }

    /// A domain error by its kind and code.
    pub fn from_kind(kind: ErrorKind, code: Code, detail: String, errors: Vec<FieldError>) -> Self {
        let status = match kind {
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorKind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::Unavailable => return Self::unavailable(code, detail),
            ErrorKind::DatabaseUnavailable => {
                return Self::database_unavailable(&StringError(detail));
            }
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if errors.is_empty() {
            Self::new(status, code, detail)
        } else {
            Self {
                status,
                code,
                ..Self::validation(errors)
            }
        }
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_owned(),
            errors: self
                .errors
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// The one conversion from a domain error to a problem: its kind gives the
/// status, its code and fields the body; a fault of ours is logged and never
/// sent; an unreachable database (recognised by the store error's type, as
/// [`ErrorKind::DatabaseUnavailable`]) is a 503 with `Retry-After`.
impl<E: Refusal> From<E> for ApiError {
    fn from(e: E) -> Self {
        match e.kind() {
            ErrorKind::Internal => Self::internal(&e),
            ErrorKind::DatabaseUnavailable => Self::database_unavailable(&e),
            kind => {
                let this = Self::from_kind(kind, e.code(), e.to_string(), e.fields());
                match e.retry_after_secs() {
                    Some(secs) => this.with_retry_after(secs),
                    None => this,
                }
            }
        }
    }
}

/// A plain message as an error source.
#[derive(Debug)]
pub struct StringError(pub String);

impl std::fmt::Display for StringError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StringError {}

pub use super::responses::*;
