//! `OptionalJson<T>`: a JSON body that may be absent. Unlike
//! `Option<web::Json<T>>`, a body that is present but malformed, oversized,
//! of the wrong media type, of the wrong shape or with unknown fields is still
//! refused with its problem (400/413/415/422) instead of being silently
//! ignored. The document renders such a body as `oneOf: [T, null]`, so a
//! literal `null` is read as no body at all.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use validator::Validate;

use super::json::read;

/// An optional JSON request body.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

fn has_no_body(req: &HttpRequest) -> bool {
    let headers = req.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(len) => len.to_str().map(|l| l.trim() == "0").unwrap_or(false),
        None => headers.get(header::TRANSFER_ENCODING).is_none(),
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if has_no_body(req) {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            if raw.get().trim() == "null" {
                return Ok(OptionalJson(None));
            }
            Ok(OptionalJson(Some(read(raw.get())?)))
        })
    }
}
