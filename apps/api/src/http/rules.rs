//! Field formats that the OpenAPI document states as a `pattern` and request
//! DTOs check with `#[validate(custom(function = ...))]`: each pattern and its
//! function accept exactly the same strings (a property test below compares
//! them), so what the document forbids the server refuses, and the reverse.
//!
//! They look at the raw text, without trimming: the domain rules that run
//! afterwards (`kernel::Zipcode::parse`, `identity::Phone::parse`,
//! `billing::values::slug`) stay the business invariants.

use std::borrow::Cow;

use validator::ValidationError;

/// A US zipcode: `12345` or ZIP+4 `12345-6789`.
pub const ZIPCODE: &str = "^[0-9]{5}(-[0-9]{4})?$";

/// A phone number: an optional leading `+`, then 7 to 15 digits with spaces,
/// dashes, dots and parentheses between them; at most [`PHONE_MAX`] characters.
pub const PHONE: &str = r"^\+?[ ().-]*([0-9][ ().-]*){7,15}$";

/// Longest phone text, separators included.
pub const PHONE_MAX: usize = 32;

/// A tenant slug: lowercase letters and digits in words joined by single dashes,
/// [`SLUG_MIN`] to [`SLUG_MAX`] characters.
pub const SLUG: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// Shortest tenant slug.
pub const SLUG_MIN: usize = 3;

/// Longest tenant slug.
pub const SLUG_MAX: usize = 50;

/// A validator refusal with the message the 422 shows.
pub fn refused(code: &'static str, message: impl Into<Cow<'static, str>>) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

/// A domain parser's verdict on a raw field as a validator refusal, so that
/// one 422 lists every bad field of a body (the domain checks run again after).
pub fn verdict<T>(parsed: Result<T, kernel::FieldError>) -> Result<(), ValidationError> {
    parsed
        .map(|_| ())
        .map_err(|e| refused("invalid", e.message))
}

/// Every item passes `ok` (an array's `items` rule), else `message`.
pub fn every<T>(
    items: &[T],
    ok: impl Fn(&T) -> bool,
    code: &'static str,
    message: impl Into<Cow<'static, str>>,
) -> Result<(), ValidationError> {
    if items.iter().all(ok) {
        Ok(())
    } else {
        Err(refused(code, message))
    }
}

/// No item comes twice (an array's `uniqueItems`), else `message`.
pub fn distinct<T: Ord>(
    items: &[T],
    message: impl Into<Cow<'static, str>>,
) -> Result<(), ValidationError> {
    let unique: std::collections::BTreeSet<&T> = items.iter().collect();
    if unique.len() == items.len() {
        Ok(())
    } else {
        Err(refused("distinct", message))
    }
}

/// [`ZIPCODE`].
pub fn zipcode(s: &str) -> Result<(), ValidationError> {
    let digits = |part: &str, n: usize| part.len() == n && part.bytes().all(|b| b.is_ascii_digit());
    let ok = match s.split_once('-') {
        Some((five, four)) => digits(five, 5) && digits(four, 4),
        None => digits(s, 5),
    };
    if ok {
        Ok(())
    } else {
        Err(refused(
            "zipcode",
            "a zipcode is 5 digits, optionally followed by -4 digits (12345 or 12345-6789)",
        ))
    }
}

/// [`PHONE`] and [`PHONE_MAX`].
pub fn phone(s: &str) -> Result<(), ValidationError> {
    let body = s.strip_prefix('+').unwrap_or(s);
    let separator = |c: char| " ().-".contains(c);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let ok = s.chars().count() <= PHONE_MAX
        && body.chars().all(|c| c.is_ascii_digit() || separator(c))
        && (7..=15).contains(&digits);
    if ok {
        Ok(())
    } else {
        Err(refused(
            "phone",
            "must be a phone number of 7 to 15 digits (an optional +, then digits, spaces, dashes, dots and parentheses)",
        ))
    }
}

/// [`SLUG`], [`SLUG_MIN`] and [`SLUG_MAX`].
pub fn slug(s: &str) -> Result<(), ValidationError> {
    let ok = (SLUG_MIN..=SLUG_MAX).contains(&s.len())
        && s.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(refused(
            "slug",
            "must be 3 to 50 lowercase letters, digits and single dashes",
        ))
    }
}

/// What the DTO tests share: the generated schema of a property, and the
/// property-test step that a pattern with its lengths and a checking function
/// give the same verdict.
#[cfg(test)]
pub(crate) mod testing {
    use std::ops::RangeBounds;

    use proptest::prelude::*;
    use regex::Regex;

    /// What the document states for the property `name` of `T`.
    pub(crate) fn property<T: utoipa::PartialSchema>(name: &str) -> serde_json::Value {
        serde_json::to_value(T::schema()).unwrap_or_default()["properties"][name].clone()
    }

    /// `s` matches `pattern` with a length (in characters) in `lengths`
    /// exactly when the server's check `accepted` it.
    pub(crate) fn agree(
        pattern: &str,
        lengths: impl RangeBounds<usize>,
        accepted: bool,
        s: &str,
    ) -> Result<(), TestCaseError> {
        let re = Regex::new(pattern).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let documented = re.is_match(s) && lengths.contains(&s.chars().count());
        prop_assert_eq!(documented, accepted, "{:?}", s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::agree;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert!(zipcode("10001").is_ok());
        assert!(zipcode("10001-1234").is_ok());
        assert!(zipcode(" 10001").is_err());
        assert!(zipcode("1000").is_err());
        assert!(phone("+1 (212) 555-0100").is_ok());
        assert!(phone("2125550100").is_ok());
        assert!(phone("555").is_err());
        assert!(phone("call me maybe").is_err());
        assert!(phone("1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6").is_err());
        assert!(slug("acme-plumbing").is_ok());
        assert!(slug("ab").is_err());
        assert!(slug("acme--x").is_err());
        assert!(slug("-acme").is_err());
    }

    proptest! {
        #[test]
        fn zipcodes_match_the_pattern(s in "[0-9 -]{0,12}|[0-9]{5}-[0-9]{4}|\\PC{0,12}") {
            agree(ZIPCODE, .., zipcode(&s).is_ok(), &s)?;
        }

        #[test]
        fn phones_match_the_pattern(s in "\\+?[0-9 ().+a-]{0,40}|\\PC{0,20}") {
            agree(PHONE, ..=PHONE_MAX, phone(&s).is_ok(), &s)?;
        }

        #[test]
        fn slugs_match_the_pattern(s in "[a-z0-9-]{0,55}|[a-zA-Z0-9 _-]{0,12}|\\PC{0,12}") {
            agree(SLUG, SLUG_MIN..=SLUG_MAX, slug(&s).is_ok(), &s)?;
        }
    }
}
