//! Field formats of the money and sales DTOs that `http::rules` does not hold:
//! the currency code (`kernel::Currency::parse`), the optional phone whose
//! blank means "none", the listing search's optional zipcode, the payment
//! `Idempotency-Key` and the items of a listing's `tags` and `images`.
//!
//! Each `pub const` pattern is what a DTO writes (as a literal: utoipa takes
//! no path) in `#[schema(pattern = ...)]`, and each function is what it checks
//! with `#[validate(custom(function = ...))]`; the tests below prove the two
//! accept the same strings, and the DTO tests that the literal is the const.
//! Like `http::rules` they look at the raw text; the domain rules stay.

use validator::ValidationError;

use crate::http::rules::{self, refused};

/// The shape of an ISO 4217 code: three ASCII letters, either case (`usd`
/// is stored as `USD`). The check ([`currency`]) is `kernel::Currency::parse`:
/// only codes of ISO 4217's table with minor units pass, so `XYZ`, `XXX`,
/// `XTS` and `XAU` match the pattern and are still refused.
pub const CURRENCY: &str = "^[A-Za-z]{3}$";

/// A phone ([`rules::PHONE`]) or the empty string, which means "none".
pub const BLANK_OR_PHONE: &str = r"^$|^\+?[ ().-]*([0-9][ ().-]*){7,15}$";

/// A zipcode ([`rules::ZIPCODE`]) or the empty string, which means "no filter".
pub const BLANK_OR_ZIPCODE: &str = "^$|^[0-9]{5}(-[0-9]{4})?$";

/// An `Idempotency-Key`: 1 to [`IDEMPOTENCY_KEY_MAX`] visible ASCII characters.
pub const IDEMPOTENCY_KEY: &str = "^[!-~]{1,255}$";

/// Longest `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;

/// Most tags on a listing (`marketplace::listing::MAX_TAGS`).
pub const MAX_TAGS: usize = marketplace::listing::MAX_TAGS;

/// Longest tag (`marketplace::listing::MAX_TAG`).
pub const MAX_TAG: usize = marketplace::listing::MAX_TAG;

/// Most images on a listing (`marketplace::listing::MAX_IMAGES`).
pub const MAX_IMAGES: usize = marketplace::listing::MAX_IMAGES;

/// Longest image reference (`marketplace::listing::MAX_IMAGE`).
pub const MAX_IMAGE: usize = marketplace::listing::MAX_IMAGE;

/// [`CURRENCY`], and a code of ISO 4217's table with minor units.
pub fn currency(s: &str) -> Result<(), ValidationError> {
    let shaped = s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if shaped && kernel::Currency::parse(s).is_ok() {
        Ok(())
    } else {
        Err(refused(
            "currency",
            "must be an ISO 4217 currency code with minor units, such as USD, EUR or JPY",
        ))
    }
}

/// The words of [`currency`]'s refusal, for the schema descriptions.
pub const CURRENCY_RULE: &str = "ISO 4217 code of a currency with minor units (USD, EUR, JPY, KWD…; not XXX, XTS, XAU or codes outside the list)";

/// [`BLANK_OR_PHONE`] and [`rules::PHONE_MAX`].
pub fn blank_or_phone(s: &str) -> Result<(), ValidationError> {
    if s.is_empty() {
        Ok(())
    } else {
        rules::phone(s)
    }
}

/// [`BLANK_OR_ZIPCODE`].
pub fn blank_or_zipcode(s: &str) -> Result<(), ValidationError> {
    if s.is_empty() {
        Ok(())
    } else {
        rules::zipcode(s)
    }
}

/// [`IDEMPOTENCY_KEY`].
pub fn idempotency_key(s: &str) -> Result<(), ValidationError> {
    if (1..=IDEMPOTENCY_KEY_MAX).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(refused(
            "idempotency_key",
            "must be 1 to 255 visible ASCII characters",
        ))
    }
}

/// Each tag is 1 to [`MAX_TAG`] characters (the count of tags is a `length` rule).
pub fn tags(tags: &[String]) -> Result<(), ValidationError> {
    rules::every(
        tags,
        |t| (1..=MAX_TAG).contains(&t.chars().count()),
        "tags",
        format!("each tag must be 1 to {MAX_TAG} characters"),
    )
}

/// Each image reference is a string of 1 to [`MAX_IMAGE`] characters.
pub fn images(images: &[serde_json::Value]) -> Result<(), ValidationError> {
    rules::every(
        images,
        |v| {
            v.as_str()
                .is_some_and(|s| (1..=MAX_IMAGE).contains(&s.chars().count()))
        },
        "images",
        format!("each image must be a string of 1 to {MAX_IMAGE} characters"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::rules::testing::agree;
    use proptest::prelude::*;

    #[test]
    fn the_blank_forms_are_the_rules_patterns_or_nothing() {
        assert_eq!(BLANK_OR_PHONE, format!("^$|{}", rules::PHONE));
        assert_eq!(BLANK_OR_ZIPCODE, format!("^$|{}", rules::ZIPCODE));
    }

    #[test]
    fn examples() {
        assert!(currency("USD").is_ok());
        assert!(currency("eur").is_ok());
        assert!(currency("JPY").is_ok());
        for outside in ["XYZ", "XXX", "XTS", "XAU", "abc"] {
            assert!(currency(outside).is_err(), "{outside}");
        }
        assert!(currency(" USD").is_err());
        assert!(currency("US").is_err());
        assert!(currency("ÜSD").is_err());
        assert!(blank_or_phone("").is_ok());
        assert!(blank_or_phone("   ").is_err());
        assert!(blank_or_phone("+1 212 555 0100").is_ok());
        assert!(blank_or_zipcode("").is_ok());
        assert!(blank_or_zipcode("10001").is_ok());
        assert!(blank_or_zipcode(" 10001").is_err());
        assert!(idempotency_key("k-1").is_ok());
        assert!(idempotency_key("").is_err());
        assert!(idempotency_key("a b").is_err());
        assert!(idempotency_key(&"k".repeat(256)).is_err());
        assert!(tags(&["a".into(), "b".repeat(MAX_TAG)]).is_ok());
        assert!(tags(&["".into()]).is_err());
        assert!(tags(&["b".repeat(MAX_TAG + 1)]).is_err());
        assert!(images(&[serde_json::json!("https://x.test/a.png")]).is_ok());
        assert!(images(&[serde_json::json!("")]).is_err());
        assert!(images(&[serde_json::json!(7)]).is_err());
    }

    #[test]
    fn the_domain_accepts_what_the_formats_accept() {
        for c in ["USD", "eur", "gBp"] {
            assert!(kernel::Currency::parse(c).is_ok(), "{c}");
        }
        assert_eq!(MAX_TAGS, 20);
        assert_eq!(MAX_IMAGES, 10);
    }

    fn shaped(s: &str) -> bool {
        s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic())
    }

    proptest! {
        #[test]
        fn currencies_match_the_pattern(s in "[A-Za-z ]{0,5}|\\PC{0,4}") {
            // The pattern states the shape; the ISO table narrows it.
            let in_table = kernel::Currency::parse(&s).is_ok();
            agree(CURRENCY, .., currency(&s).is_ok() || !in_table && shaped(&s), &s)?;
        }

        #[test]
        fn blank_or_phones_match_the_pattern(s in "\\+?[0-9 ().+a-]{0,40}|\\PC{0,20}|") {
            agree(BLANK_OR_PHONE, ..=rules::PHONE_MAX, blank_or_phone(&s).is_ok(), &s)?;
        }

        #[test]
        fn blank_or_zipcodes_match_the_pattern(s in "[0-9 -]{0,12}|\\PC{0,12}|") {
            agree(BLANK_OR_ZIPCODE, .., blank_or_zipcode(&s).is_ok(), &s)?;
        }

        #[test]
        fn idempotency_keys_match_the_pattern(s in "[!-~ ]{0,300}|\\PC{0,12}") {
            agree(IDEMPOTENCY_KEY, .., idempotency_key(&s).is_ok(), &s)?;
        }
    }
}
