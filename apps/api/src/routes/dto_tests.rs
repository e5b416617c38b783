//! Tests of `dto.rs`: the document states what the validators check.

use super::*;
use crate::http::rules;
use crate::http::rules::testing::{agree, property};
use proptest::prelude::*;
use serde_json::{Value, json};
use utoipa::IntoParams;

/// What the document states for the query parameter `name` of `T`.
fn param<T: IntoParams>(name: &str) -> Value {
    T::into_params(|| None)
        .into_iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .find(|p| p["name"] == name)
        .map(|p| p["schema"].clone())
        .unwrap_or_default()
}

#[test]
fn the_documented_formats_are_the_rules_the_server_checks() {
    use super::super::admin_catalog_dto::RegionBody;
    use super::super::admin_dto::{CreateLsmRequest, OverrideBody};
    use super::super::provider_dto::{ApplyRequest, ProfilePatchRequest};
    use super::super::search::{PopularParams, SearchParams};
    let phones = [
        property::<RegisterRequest>("phone"),
        property::<ApplyRequest>("phone"),
        property::<ProfilePatchRequest>("phone"),
    ];
    for phone in phones {
        assert_eq!(phone["pattern"], rules::PHONE, "{phone}");
        assert_eq!(phone["maxLength"], json!(rules::PHONE_MAX), "{phone}");
    }
    let zipcodes = [
        property::<RegisterRequest>("zipcode"),
        property::<ApplyRequest>("zipcode"),
        param::<SearchParams>("zipcode"),
        param::<PopularParams>("zipcode"),
    ];
    for zipcode in zipcodes {
        assert_eq!(zipcode["pattern"], rules::ZIPCODE, "{zipcode}");
    }
    let regions = [
        property::<CreateLsmRequest>("region"),
        property::<RegionBody>("code"),
        property::<OverrideBody>("region"),
        param::<SearchParams>("region"),
        param::<PopularParams>("region"),
    ];
    for region in regions {
        assert_eq!(region["pattern"], REGION_CODE, "{region}");
    }
    for field in ["email", "first_name", "last_name"] {
        let (register, lsm) = (
            property::<RegisterRequest>(field),
            property::<CreateLsmRequest>(field),
        );
        assert_eq!(register["minLength"], lsm["minLength"], "{field}");
        assert_eq!(register["maxLength"], lsm["maxLength"], "{field}");
    }
    assert_eq!(
        property::<RegisterRequest>("email")["maxLength"],
        json!(EMAIL_MAX)
    );
    assert_eq!(
        property::<RegisterRequest>("first_name")["maxLength"],
        json!(NAME_MAX)
    );
}

#[test]
fn one_422_lists_every_bad_field_of_a_registration() {
    let bad = RegisterRequest {
        email: "not-an-email".into(),
        password: "short".into(),
        first_name: " \u{200B} ".into(),
        last_name: "Lee".into(),
        role: "admin".into(),
        phone: Some("555".into()),
        zipcode: Some(" 10001".into()),
    };
    let errors = bad.validate().unwrap_err();
    let mut fields: Vec<_> = errors.field_errors().into_keys().collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "email",
            "first_name",
            "password",
            "phone",
            "role",
            "zipcode"
        ]
    );
    assert_eq!(
        errors.field_errors()["email"].len(),
        1,
        "one message per field"
    );
}

proptest! {
    #[test]
    fn region_codes_match_the_pattern(s in "[a-z0-9_]{0,18}|[a-zA-Z0-9_ -]{0,6}|\\PC{0,6}") {
        agree(REGION_CODE, .., region_code(&s).is_ok(), &s)?;
    }
}
