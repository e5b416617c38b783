//! A message body: 1 to 4000 characters, through the shared text normaliser.

use kernel::FieldError;

/// A valid message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// Longest body, in characters (the `ck_messages_body` constraint).
    pub const MAX_CHARS: usize = 4000;

    /// Trims and checks length and characters; line breaks are kept.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let body = input.trim();
        kernel::check_text(body).map_err(|i| FieldError::new("body", i.message()))?;
        let n = body.chars().count();
        if n == 0 || n > Self::MAX_CHARS {
            return Err(FieldError::new(
                "body",
                format!("must be 1 to {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(body.to_owned()))
    }

    /// A message the platform writes itself (edits, disputes): bounded, never refused.
    pub fn system(text: &str) -> Self {
        Self(kernel::text::truncate_chars(text.trim(), Self::MAX_CHARS))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_bounded_and_clean() {
        assert_eq!(
            MessageBody::parse("  hi\nthere ").unwrap().as_str(),
            "hi\nthere"
        );
        assert!(MessageBody::parse("   ").is_err());
        assert!(MessageBody::parse(&"x".repeat(4001)).is_err());
        assert!(MessageBody::parse(&"é".repeat(4000)).is_ok());
        assert!(MessageBody::parse("pay here \u{202E}moc.live").is_err());
        assert_eq!(
            MessageBody::system(&"y".repeat(5000))
                .as_str()
                .chars()
                .count(),
            4000
        );
    }
}
