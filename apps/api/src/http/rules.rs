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

fn refused(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn agree(
        pattern: &str,
        max: Option<usize>,
        min: usize,
        check: fn(&str) -> Result<(), ValidationError>,
        s: &str,
    ) -> Result<(), TestCaseError> {
        let re = Regex::new(pattern).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let n = s.chars().count();
        let documented = re.is_match(s) && n >= min && max.is_none_or(|m| n <= m);
        prop_assert_eq!(documented, check(s).is_ok(), "{:?}", s);
        Ok(())
    }

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
            agree(ZIPCODE, None, 0, zipcode, &s)?;
        }

        #[test]
        fn phones_match_the_pattern(s in "\\+?[0-9 ().+a-]{0,40}|\\PC{0,20}") {
            agree(PHONE, Some(PHONE_MAX), 0, phone, &s)?;
        }

        #[test]
        fn slugs_match_the_pattern(s in "[a-z0-9-]{0,55}|[a-zA-Z0-9 _-]{0,12}|\\PC{0,12}") {
            agree(SLUG, Some(SLUG_MAX), SLUG_MIN, slug, &s)?;
        }
    }
}
