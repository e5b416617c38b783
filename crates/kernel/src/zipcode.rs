//! US zipcodes: five digits, optionally with the ZIP+4 suffix.

use serde::Serialize;

/// A valid 5-digit US zipcode; ZIP+4 input is accepted and reduced to its first five digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Zipcode(String);

/// Why a zipcode was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a zipcode is 5 digits, optionally followed by -4 digits (12345 or 12345-6789)")]
pub struct InvalidZipcode;

impl Zipcode {
    /// Parses `12345` or `12345-6789` (surrounding whitespace ignored).
    pub fn parse(input: &str) -> Result<Self, InvalidZipcode> {
        let s = input.trim();
        let (five, plus4) = match s.split_once('-') {
            Some((five, four)) => (five, Some(four)),
            None => (s, None),
        };
        let digits =
            |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(five, 5) || plus4.is_some_and(|four| !digits(four, 4)) {
            return Err(InvalidZipcode);
        }
        Ok(Self(five.to_owned()))
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 3-digit sectional-center prefix regions are defined by.
    pub fn prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl std::fmt::Display for Zipcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_five_digits_and_zip_plus_four() {
        assert_eq!(
            Zipcode::parse("10001").map(|z| z.to_string()),
            Ok("10001".into())
        );
        assert_eq!(
            Zipcode::parse(" 10001-1234 ").map(|z| z.to_string()),
            Ok("10001".into())
        );
        assert_eq!(
            Zipcode::parse("10001").map(|z| z.prefix().to_owned()),
            Ok("100".into())
        );
    }

    #[test]
    fn refuses_malformed_input() {
        for bad in [
            "",
            "1000",
            "100011",
            "1000a",
            "10001-12",
            "10001-12345",
            "10001 1234",
            "१२३४५",
            "10001-",
        ] {
            assert_eq!(Zipcode::parse(bad), Err(InvalidZipcode), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn any_five_digits_parse_and_keep_their_prefix(n in 0u32..100_000, four in proptest::option::of(0u32..10_000)) {
            let input = match four {
                Some(f) => format!("{n:05}-{f:04}"),
                None => format!("{n:05}"),
            };
            let zip = Zipcode::parse(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(zip.as_str(), format!("{n:05}"));
            prop_assert_eq!(zip.prefix(), &format!("{n:05}")[..3]);
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in ".{0,20}") {
            let _ = Zipcode::parse(&s);
        }
    }
}
