//! Tests of `provider_dto.rs`: the document states what the validators check.

use super::*;

fn fields(errors: &validator::ValidationErrors) -> Vec<String> {
    let mut fields: Vec<_> = errors
        .field_errors()
        .into_keys()
        .map(|f| f.to_string())
        .collect();
    fields.sort_unstable();
    fields
}

#[test]
fn one_422_lists_every_bad_field_of_an_application() {
    let bad = ApplyRequest {
        business_name: "   ".into(),
        phone: "call me".into(),
        zipcode: "1000".into(),
        service_ids: vec![],
        bio: Some("\u{202E}reversed".into()),
    };
    let errors = bad.validate().unwrap_err();
    assert_eq!(
        fields(&errors),
        ["bio", "business_name", "phone", "service_ids", "zipcode"]
    );
    let blank_bio = ApplyRequest {
        business_name: "Ann's Paws".into(),
        phone: "212-555-0100".into(),
        zipcode: "10001".into(),
        service_ids: vec![30],
        bio: Some("  ".into()),
    };
    assert!(blank_bio.validate().is_ok(), "a blank bio means none");
}

#[test]
fn a_patched_bio_is_checked_when_given_and_null_clears_it() {
    let patch = |bio| ProfilePatchRequest {
        business_name: None,
        phone: None,
        bio,
    };
    assert!(patch(Some(None)).validate().is_ok());
    assert!(patch(None).validate().is_ok());
    assert!(
        patch(Some(Some("x".repeat(FREE_TEXT_MAX))))
            .validate()
            .is_ok()
    );
    for bad in ["x".repeat(FREE_TEXT_MAX + 1), "a\u{200B}b".into()] {
        let errors = patch(Some(Some(bad))).validate().unwrap_err();
        assert_eq!(fields(&errors), ["bio"]);
    }
}
