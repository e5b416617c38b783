//! Tests of `admin_catalog_dto.rs`: the document states what the validators check.

use super::*;
use crate::http::rules::testing::{agree, property};
use proptest::prelude::*;
use serde_json::json;

#[test]
fn the_documented_slug_keywords_and_prefixes_are_the_checked_ones() {
    for slug in [
        property::<ServiceRequestBody>("slug"),
        property::<ServicePatchBody>("slug"),
    ] {
        assert_eq!(slug["pattern"], SERVICE_SLUG, "{slug}");
        assert_eq!(slug["maxLength"], json!(SERVICE_SLUG_MAX), "{slug}");
    }
    let keyword = serde_json::to_value(<ServiceKeyword as utoipa::PartialSchema>::schema())
        .unwrap_or_default();
    assert_eq!(keyword["maxLength"], json!(KEYWORD_MAX));
    assert_eq!(keyword["minLength"], json!(1));
    let prefix =
        serde_json::to_value(<ZipPrefix as utoipa::PartialSchema>::schema()).unwrap_or_default();
    assert_eq!(prefix["pattern"], ZIP_PREFIX);
    assert!(each_keyword(&["a".repeat(KEYWORD_MAX)]).is_ok());
    assert!(each_keyword(&["a".repeat(KEYWORD_MAX + 1)]).is_err());
    assert!(each_keyword(&["ok".into(), String::new()]).is_err());
}

proptest! {
    #[test]
    fn slugs_match_the_pattern(s in "[a-z0-9-]{0,8}|[a-zA-Z0-9 _-]{0,6}|\\PC{0,6}") {
        agree(SERVICE_SLUG, .., !s.is_empty() && service_slug(&s).is_ok(), &s)?;
    }

    #[test]
    fn prefixes_match_the_pattern(s in "[0-9]{0,4}|[0-9a ]{3}|\\PC{0,4}") {
        agree(ZIP_PREFIX, .., each_zip_prefix(std::slice::from_ref(&s)).is_ok(), &s)?;
    }
}
