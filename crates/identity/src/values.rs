//! Value types that cannot hold invalid data.

use kernel::FieldError;

/// A syntactically valid e-mail address in its comparable form (NFKC,
/// lowercase), so uniqueness ignores case and compatibility variants such as
/// full-width letters; invisible and text-direction characters are refused
/// rather than stripped, so no two accounts differ only by what no one sees.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Refuses invisible characters, normalises (trim, NFKC, lowercase) and
    /// checks the shape `local@domain.tld`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        kernel::check_text(input).map_err(|issue| FieldError::new("email", issue.message()))?;
        let email = kernel::normalize_identity(input);
        let bad = || FieldError::new("email", "must be a valid e-mail address");
        if email.chars().count() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the policy: 10 to 128 characters. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest accepted password, in characters.
    pub const MIN_CHARS: usize = 10;
    /// Longest accepted password, in characters.
    pub const MAX_CHARS: usize = 128;

    /// Checks the length policy.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let n = input.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&n) {
            return Err(FieldError::new(
                "password",
                format!(
                    "must be {} to {} characters",
                    Self::MIN_CHARS,
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// The secret, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A first or last name: 1 to 100 characters after trimming, none of them
/// control, invisible or text-direction characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Trims and checks the length; `field` names the input in the error.
    pub fn parse(field: &str, input: &str) -> Result<Self, FieldError> {
        let name = input.trim();
        kernel::check_text(name)
            .and_then(|()| {
                if name.contains(['\n', '\r', '\t']) {
                    Err(kernel::TextIssue::Control)
                } else {
                    Ok(())
                }
            })
            .map_err(|issue| FieldError::new(field, issue.message()))?;
        let n = name.chars().count();
        if n == 0 || n > 100 {
            return Err(FieldError::new(
                field,
                "must be 1 to 100 printable characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: 7 to 15 digits, with optional `+`, spaces, dashes, dots and parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Checks the characters and the digit count; keeps the text as given (trimmed).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let phone = input.trim();
        let allowed = |c: char| c.is_ascii_digit() || " -.()".contains(c);
        let body = phone.strip_prefix('+').unwrap_or(phone);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if phone.len() > 32 || !body.chars().all(allowed) || !(7..=15).contains(&digits) {
            return Err(FieldError::new(
                "phone",
                "must be a phone number of 7 to 15 digits",
            ));
        }
        Ok(Self(phone.to_owned()))
    }

    /// The number as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").map(|e| e.to_string()),
            Ok("ann@example.com".into())
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@.com",
            "a b@example.com",
            "ann@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn invisible_characters_are_not_identity() {
        for bad in [
            "admin@example.test\u{200B}",
            "ad\u{00AD}min@example.test",
            "\u{202E}admin@example.test",
            "admin\u{2060}@example.test",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad:?}");
        }
        assert_eq!(
            Email::parse("ＡＤＭＩＮ@example.test").unwrap().as_str(),
            "admin@example.test"
        );
        for bad in [
            "\u{200B}\u{200B}",
            "\u{202E}\u{202D}",
            "Ann\u{200F}",
            "Ann\nBob",
        ] {
            assert!(PersonName::parse("first_name", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            PersonName::parse("first_name", " Zoë ").unwrap().as_str(),
            "Zoë"
        );
    }

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ten chars!").is_ok());
        assert!(Password::parse("ééééééééé").is_err()); // 9 chars, 18 bytes
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("a secret passphrase")),
            "Ok(Password(***))"
        );
    }

    #[test]
    fn phones_need_seven_to_fifteen_digits() {
        assert!(Phone::parse("+1 (212) 555-0100").is_ok());
        assert!(Phone::parse("555").is_err());
        assert!(Phone::parse("call me maybe").is_err());
    }

    proptest! {
        #[test]
        fn parsed_emails_are_lowercase_and_idempotent(s in "[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9-]{1,20}\\.[A-Za-z]{2,6}") {
            let email = Email::parse(&s).map_err(|e| TestCaseError::fail(e.message))?;
            prop_assert_eq!(email.as_str(), s.to_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }

        #[test]
        fn names_never_panic(s in "\\PC{0,120}") {
            let _ = PersonName::parse("first_name", &s);
            let _ = Phone::parse(&s);
            let _ = Email::parse(&s);
        }
    }
}
