//! Turning actix's extractor failures and unmatched routes into problems.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use kernel::FieldError;

use super::problem::ApiError;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 64 * 1024;

/// The field a serde message names (`missing field `email``, `unknown field `x``).
pub(crate) fn named_field(message: &str) -> Option<String> {
    let names_a_field = ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| message.starts_with(p));
    if !names_a_field {
        return None;
    }
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                kernel::Code::PayloadTooLarge,
                format!("the body must not exceed {JSON_LIMIT} bytes"),
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            kernel::Code::UnsupportedMediaType,
            "send the body as application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let message = e.to_string();
            let field = named_field(&message).unwrap_or_else(|| "body".to_owned());
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            ApiError::validation(vec![FieldError::new(field, message)])
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            kernel::Code::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            kernel::Code::BadRequest,
            other.to_string(),
        ),
    }
}

/// JSON bodies: 64 KiB, `application/json`, problems on failure.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        .error_handler(|err, _req| json_error(err).into())
}

/// Query strings: bad values are 422 naming the parameter.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        let message = err.to_string();
        let field = named_field(&message).unwrap_or_else(|| "query".to_owned());
        ApiError::validation(vec![FieldError::new(field, message)]).into()
    })
}

/// Path segments: an id that is not a number names no resource.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, _req| ApiError::not_found().into())
}

/// Unknown route.
pub async fn not_found(_req: HttpRequest) -> HttpResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        kernel::Code::NotFound,
        "no such route",
    )
    .error_response()
}

/// Known route, wrong method: 405 with the `Allow` header RFC 9110 requires,
/// listing the methods the OpenAPI document gives the route.
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let allow = req
        .match_pattern()
        .and_then(|p| crate::openapi::allowed_methods().get(&crate::openapi::unnamed_params(&p)))
        .cloned()
        .unwrap_or_default();
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        kernel::Code::MethodNotAllowed,
        format!("{} is not allowed on this route", req.method()),
    )
    .error_response();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut()
            .insert(actix_web::http::header::ALLOW, value);
    }
    res
}

/// A resource whose unmatched methods answer 405 as a problem.
pub fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

#[cfg(test)]
mod tests {
    use super::named_field;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            named_field("missing field `email` at line 1 column 2").as_deref(),
            Some("email")
        );
        assert_eq!(
            named_field("unknown field `admin`, expected one of `a`").as_deref(),
            Some("admin")
        );
        assert_eq!(
            named_field("invalid type: integer `1`, expected a string"),
            None
        );
    }
}
