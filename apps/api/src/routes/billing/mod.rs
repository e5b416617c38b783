//! The back office (`/tenants`, `/billing/*`) and the client portal (`/portal/*`).
//! The tenant always comes from the authenticated user, never from the request.

pub mod dto;
pub mod invitation_dto;
pub mod invoice_dto;
pub mod invoices;
pub mod membership;
pub mod parties;
pub mod portal;
pub mod tenants;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponseBuilder, web};
use billing::invoice::Precondition;
use kernel::PageRequest;

use crate::http::ApiError;
use crate::http::extract_errors::resource;

/// Mounts the billing and portal routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/tenants").route(web::post().to(tenants::create)))
        .service(resource("/tenants/me").route(web::get().to(tenants::me)))
        .configure(membership_routes)
        .service(
            resource("/billing/parties")
                .route(web::get().to(parties::list_parties))
                .route(web::post().to(parties::create_party)),
        )
        .service(
            resource("/billing/parties/{id}")
                .route(web::get().to(parties::get_party))
                .route(web::patch().to(parties::update_party))
                .route(web::delete().to(parties::delete_party)),
        )
        .service(
            resource("/billing/contacts")
                .route(web::get().to(parties::list_contacts))
                .route(web::post().to(parties::create_contact)),
        )
        .service(
            resource("/billing/contacts/{id}")
                .route(web::get().to(parties::get_contact))
                .route(web::patch().to(parties::update_contact))
                .route(web::delete().to(parties::delete_contact)),
        )
        .service(
            resource("/billing/contacts/{id}/portal").route(web::put().to(parties::set_portal)),
        )
        .service(
            resource("/billing/invoices")
                .route(web::get().to(invoices::list))
                .route(web::post().to(invoices::create)),
        )
        .service(
            resource("/billing/invoices/{id}")
                .route(web::get().to(invoices::get))
                .route(web::patch().to(invoices::update))
                .route(web::delete().to(invoices::delete)),
        )
        .service(resource("/billing/invoices/{id}/issue").route(web::post().to(invoices::issue)))
        .service(resource("/billing/invoices/{id}/void").route(web::post().to(invoices::void)))
        .service(resource("/billing/invoices/{id}/payments").route(web::post().to(invoices::pay)))
        .service(resource("/billing/payments").route(web::get().to(invoices::payments)))
        .service(resource("/billing/payments/{id}/refund").route(web::post().to(invoices::refund)))
        .service(resource("/portal/login").route(web::post().to(portal::login)))
        .service(resource("/portal/invoices").route(web::get().to(portal::invoices)))
        .service(resource("/portal/invoices/{id}").route(web::get().to(portal::invoice)));
}

/// Staff join only by invitation; there is deliberately no route that adds a user.
fn membership_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/tenants/me/invitations")
            .route(web::get().to(membership::list))
            .route(web::post().to(membership::invite)),
    )
    .service(resource("/me/tenant-invitations").route(web::get().to(membership::received)))
    .service(resource("/tenant-invitations/{id}/accept").route(web::post().to(membership::accept)))
    .service(
        resource("/tenant-invitations/{id}/decline").route(web::post().to(membership::decline)),
    )
    .service(resource("/tenants/me/leave").route(web::post().to(membership::leave)))
    .service(resource("/tenants/me/staff/{user_id}").route(web::delete().to(membership::remove)));
}

impl From<billing::BillingError> for ApiError {
    fn from(e: billing::BillingError) -> Self {
        match e {
            billing::BillingError::Validation(errors) => ApiError::validation(errors),
            billing::BillingError::Store(ref cause) => ApiError::internal(cause),
            other => ApiError::from_kind(other.kind(), other.code(), other.to_string(), Vec::new()),
        }
    }
}

fn page(limit: Option<i64>, cursor: Option<String>) -> Result<PageRequest, ApiError> {
    PageRequest::parse(limit, cursor).map_err(|e| ApiError::validation(vec![e]))
}

/// The `If-Match` precondition (RFC 9110 §13.1.1): absent, `*`, or a list of
/// entity tags that matches when any of them does. Comparison is strong, as
/// RFC 9110 requires for `If-Match`: a weak tag (`W/"3"`) never matches, nor
/// does a tag this API never hands out (`"abc"`, `"03"`). Several header lines
/// form one list. Anything that is not `*` or a list of quoted tags is a 400.
fn if_match(req: &HttpRequest) -> Result<Precondition, ApiError> {
    let mut values = req.headers().get_all(header::IF_MATCH).peekable();
    if values.peek().is_none() {
        return Ok(Precondition::Absent);
    }
    let joined: Vec<&[u8]> = values.map(HeaderValue::as_bytes).collect();
    let joined = joined.join(&b","[..]);
    parse_if_match(&joined).ok_or_else(|| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "malformed_if_match",
            "If-Match must be * or a comma-separated list of quoted entity tags such as \"3\"",
        )
    })
}

/// Parses an `If-Match` field value; `None` when malformed.
fn parse_if_match(value: &[u8]) -> Option<Precondition> {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    if value.trim_ascii() == b"*" {
        return Some(Precondition::Any);
    }
    let mut versions = Vec::new();
    let mut tags = 0;
    let mut rest = value;
    loop {
        // Empty list elements and whitespace between them are allowed.
        while let Some((first, tail)) = rest.split_first()
            && (is_ows(first) || *first == b',')
        {
            rest = tail;
        }
        if rest.is_empty() {
            break;
        }
        let (weak, tail) = match rest.strip_prefix(b"W/") {
            Some(tail) => (true, tail),
            None => (false, rest),
        };
        let tail = tail.strip_prefix(b"\"")?;
        let end = tail.iter().position(|b| *b == b'"')?;
        let opaque = &tail[..end];
        // etagc = %x21 / %x23-7E / obs-text
        if !opaque
            .iter()
            .all(|b| *b == 0x21 || (0x23..=0x7E).contains(b) || *b >= 0x80)
        {
            return None;
        }
        tags += 1;
        if !weak
            && let Some(version) = std::str::from_utf8(opaque)
                .ok()
                .and_then(|t| t.parse::<i64>().ok())
                .filter(|v| v.to_string().as_bytes() == opaque)
        {
            versions.push(version);
        }
        rest = &tail[end + 1..];
        while let Some((first, tail)) = rest.split_first()
            && is_ows(first)
        {
            rest = tail;
        }
        match rest.split_first() {
            None => break,
            Some((b',', _)) => {}
            Some(_) => return None,
        }
    }
    (tags > 0).then_some(Precondition::Versions(versions))
}

/// Adds `ETag: "<version>"`.
fn with_etag(mut res: HttpResponseBuilder, version: i64) -> HttpResponseBuilder {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.insert_header((header::ETAG, value));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Option<Precondition> {
        parse_if_match(value.as_bytes())
    }

    #[test]
    fn if_match_lists_star_weak_tags_and_garbage() {
        assert_eq!(parse("*"), Some(Precondition::Any));
        assert_eq!(parse(" \"7\" "), Some(Precondition::Versions(vec![7])));
        assert_eq!(
            parse("\"1\", \"7\""),
            Some(Precondition::Versions(vec![1, 7]))
        );
        assert_eq!(parse(",\"1\",,"), Some(Precondition::Versions(vec![1])));
        assert_eq!(
            parse("W/\"3\", \"abc\", \"03\", \"a,b\""),
            Some(Precondition::Versions(Vec::new())),
            "weak and foreign tags are well formed but never match"
        );
        for bad in [
            "",
            "3",
            "garbage",
            "\"1",
            "\"1\" \"2\"",
            "*, \"1\"",
            "w/\"1\"",
            "\"a b\"",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
