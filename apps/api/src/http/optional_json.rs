//! `OptionalJson<T>`: a JSON body that may be absent. Unlike
//! `Option<web::Json<T>>`, a body that is present but malformed, oversized,
//! of the wrong media type or with unknown fields is still refused with its
//! problem (400/413/415/422) instead of being silently ignored.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

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

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if has_no_body(req) {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let body = web::Json::<T>::from_request(req, payload);
        Box::pin(async move { body.await.map(|json| OptionalJson(Some(json.into_inner()))) })
    }
}
