//! The public search's query parameters, checked: a malformed one is a field
//! error naming it, never an empty result.

use kernel::{FieldError, Zipcode, check_text};

use crate::listing::{MAX_CATEGORY, MAX_PRICE_CENTS, PriceType};
use crate::ports::ListingFilter;

/// Longest search text, in characters.
pub const MAX_Q: usize = 100;

/// The raw query values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawFilter {
    /// `category`.
    pub category: Option<String>,
    /// `q`.
    pub q: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `zip_code`.
    pub zip_code: Option<String>,
    /// `min_price` (cents, as sent).
    pub min_price: Option<String>,
    /// `max_price` (cents, as sent).
    pub max_price: Option<String>,
    /// `price_type`.
    pub price_type: Option<String>,
}

fn word(e: &mut Vec<FieldError>, field: &str, v: Option<String>, max: usize) -> Option<String> {
    let v = v?.trim().to_owned();
    if v.is_empty() {
        return None;
    }
    if let Err(issue) = check_text(&v) {
        e.push(FieldError::new(field, issue.message()));
    } else if v.chars().count() > max {
        e.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Some(v)
}

/// A price bound: whole cents, 0 to [`MAX_PRICE_CENTS`].
fn cents(e: &mut Vec<FieldError>, field: &str, v: Option<String>) -> Option<i64> {
    let v = v.filter(|v| !v.trim().is_empty())?;
    match v.trim().parse::<i64>() {
        Ok(c) if (0..=MAX_PRICE_CENTS).contains(&c) => Some(c),
        _ => {
            e.push(FieldError::new(
                field,
                format!("must be whole cents between 0 and {MAX_PRICE_CENTS}"),
            ));
            None
        }
    }
}

impl RawFilter {
    /// Checks every parameter; an empty one means no filter.
    pub fn parse(self) -> Result<ListingFilter, Vec<FieldError>> {
        let mut e = Vec::new();
        let category = word(&mut e, "category", self.category, MAX_CATEGORY);
        let q = word(&mut e, "q", self.q, MAX_Q);
        let state = word(&mut e, "state", self.state, 64);
        let zip_code = word(&mut e, "zip_code", self.zip_code, 20).and_then(|z| {
            Zipcode::parse(&z)
                .map(|z| z.as_str().to_owned())
                .map_err(|_| e.push(FieldError::new("zip_code", "must be a 5-digit US ZIP code")))
                .ok()
        });
        let min_price = cents(&mut e, "min_price", self.min_price);
        let max_price = cents(&mut e, "max_price", self.max_price);
        if let (Some(lo), Some(hi)) = (min_price, max_price)
            && lo > hi
        {
            e.push(FieldError::new("max_price", "must not be below min_price"));
        }
        let price_type = word(&mut e, "price_type", self.price_type, 32).and_then(|p| {
            PriceType::parse_field("price_type", &p)
                .map_err(|f| e.push(f))
                .ok()
        });
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ListingFilter {
            category,
            q,
            state,
            zip_code,
            min_price,
            max_price,
            price_type,
        })
    }
}

/// A moderation reason: optional, up to 2000 characters of display text.
pub fn check_reason(reason: Option<String>) -> Result<Option<String>, FieldError> {
    kernel::text::optional_bounded("reason", reason.as_deref(), 2000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_parameters_are_named() {
        let raw = RawFilter {
            zip_code: Some("abc".into()),
            price_type: Some("weekly".into()),
            min_price: Some("500".into()),
            max_price: Some("100".into()),
            ..RawFilter::default()
        };
        let fields: Vec<_> = raw
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["zip_code", "max_price", "price_type"]);
        assert!(
            RawFilter {
                min_price: Some("-1".into()),
                ..RawFilter::default()
            }
            .parse()
            .is_err()
        );
        assert!(
            RawFilter {
                q: Some("a\u{202e}b".into()),
                ..RawFilter::default()
            }
            .parse()
            .is_err()
        );
    }

    #[test]
    fn blank_parameters_filter_nothing() {
        let raw = RawFilter {
            category: Some("  ".into()),
            ..RawFilter::default()
        };
        assert_eq!(raw.parse(), Ok(ListingFilter::default()));
        assert_eq!(check_reason(Some(" ".into())), Ok(None));
        assert!(check_reason(Some("x\u{0}".into())).is_err());
    }
}
