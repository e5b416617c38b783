//! Validated inputs of the billing domain.

use kernel::FieldError;

/// A tenant slug: 3 to 50 lowercase letters, digits and single dashes.
pub fn slug(input: &str) -> Result<String, FieldError> {
    let s = input.trim();
    let ok = (3..=50).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            "slug",
            "must be 3 to 50 lowercase letters, digits and single dashes",
        ))
    }
}

/// Required text of 1 to `max` characters after trimming, through the shared
/// normaliser (no control, invisible or text-direction characters).
pub fn text(field: &str, input: &str, max: usize) -> Result<String, FieldError> {
    let s = input.trim();
    kernel::check_text(s).map_err(|issue| FieldError::new(field, issue.message()))?;
    let n = s.chars().count();
    if n == 0 || n > max || s.contains(['\r', '\t']) {
        return Err(FieldError::new(
            field,
            format!("must be 1 to {max} printable characters"),
        ));
    }
    Ok(s.to_owned())
}

/// Optional text: blank becomes `None`.
pub fn optional_text(
    field: &str,
    input: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => text(field, s, max).map(Some),
        None => Ok(None),
    }
}

/// Optional e-mail, normalised to lowercase.
pub fn optional_email(input: Option<&str>) -> Result<Option<String>, FieldError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => identity::Email::parse(s).map(|e| Some(e.as_str().to_owned())),
        None => Ok(None),
    }
}

/// Optional phone.
pub fn optional_phone(input: Option<&str>) -> Result<Option<String>, FieldError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => identity::Phone::parse(s).map(|p| Some(p.as_str().to_owned())),
        None => Ok(None),
    }
}

/// Collects field errors while validating several fields.
#[derive(Debug, Default)]
pub struct Fields(pub Vec<FieldError>);

impl Fields {
    /// Keeps a valid value, or records its error.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// `Ok(())` when nothing was recorded.
    pub fn finish(self) -> Result<(), crate::BillingError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::BillingError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug(" acme-plumbing "), Ok("acme-plumbing".into()));
        for bad in [
            "ab",
            "Acme",
            "acme_co",
            "-acme",
            "acme-",
            "ac--me",
            &"a".repeat(51),
        ] {
            assert!(slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn optional_fields_treat_blank_as_absent() {
        assert_eq!(optional_email(Some("  ")), Ok(None));
        assert_eq!(optional_email(Some("A@B.co")), Ok(Some("a@b.co".into())));
        assert!(optional_email(Some("nope")).is_err());
        assert!(text("name", "", 10).is_err());
    }
}
