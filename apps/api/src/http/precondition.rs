//! `If-Match` and `ETag`, shared by every route with a versioned resource.
//! The header becomes a [`kernel::Precondition`]; a malformed one is a 400.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponseBuilder};
use kernel::Precondition;

use crate::http::ApiError;

/// The `If-Match` precondition (RFC 9110 §13.1.1): absent, `*`, or a list of
/// entity tags that matches when any of them does. Comparison is strong, as
/// RFC 9110 requires for `If-Match`: a weak tag (`W/"3"`) never matches, nor
/// does a tag this API never hands out (`"abc"`, `"03"`). Several header lines
/// form one list. Anything that is not `*` or a list of quoted tags is a 400.
pub fn if_match(req: &HttpRequest) -> Result<Precondition, ApiError> {
    let mut values = req.headers().get_all(header::IF_MATCH).peekable();
    if values.peek().is_none() {
        return Ok(Precondition::Absent);
    }
    let joined: Vec<&[u8]> = values.map(HeaderValue::as_bytes).collect();
    let joined = joined.join(&b","[..]);
    parse_if_match(&joined).ok_or_else(|| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            kernel::Code::MalformedIfMatch,
            "If-Match must be * or a comma-separated list of quoted entity tags such as \"3\"",
        )
    })
}

/// Parses an `If-Match` field value; `None` when malformed.
pub(crate) fn parse_if_match(value: &[u8]) -> Option<Precondition> {
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
pub fn with_etag(mut res: HttpResponseBuilder, version: i64) -> HttpResponseBuilder {
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
