//! The checks of a listing's fields, one helper per kind of field: each
//! records what is wrong with its field and returns the cleaned value.

use kernel::{FieldError, check_text};
use serde_json::Value;

use crate::listing::{MAX_IMAGE, MAX_IMAGES, MAX_PRICE_CENTS, MAX_TAG, MAX_TAGS};

fn text(errors: &mut Vec<FieldError>, field: &str, s: &str, max: usize) -> String {
    let s = s.trim();
    if let Err(issue) = check_text(s) {
        errors.push(FieldError::new(field, issue.message()));
    } else if s.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    s.to_owned()
}

fn opt_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    s: Option<&str>,
    max: usize,
) -> Option<String> {
    s.map(|s| text(errors, field, s, max))
        .filter(|s| !s.is_empty())
}

pub(crate) fn tags(errors: &mut Vec<FieldError>, tags: &[String]) -> Vec<String> {
    if tags.len() > MAX_TAGS {
        errors.push(FieldError::new("tags", format!("at most {MAX_TAGS} tags")));
    }
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = text(errors, "tags", t, MAX_TAG);
        if t.is_empty() {
            errors.push(FieldError::new("tags", "a tag must not be blank"));
        } else if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub(crate) fn images(errors: &mut Vec<FieldError>, images: &[Value]) -> Vec<String> {
    if images.len() > MAX_IMAGES {
        errors.push(FieldError::new(
            "images",
            format!("at most {MAX_IMAGES} images"),
        ));
    }
    let mut out = Vec::new();
    for i in images {
        match i.as_str() {
            Some(s) if !s.trim().is_empty() => out.push(text(errors, "images", s, MAX_IMAGE)),
            _ => errors.push(FieldError::new(
                "images",
                "each image must be a non-blank string",
            )),
        }
    }
    out
}

pub(crate) fn price(errors: &mut Vec<FieldError>, cents: Option<i64>) -> Option<i64> {
    if let Some(c) = cents
        && !(0..=MAX_PRICE_CENTS).contains(&c)
    {
        errors.push(FieldError::new(
            "price_cents",
            format!("must be between 0 and {MAX_PRICE_CENTS}"),
        ));
    }
    cents
}

/// A required text field: the new value, else the stored one, else an error.
pub(crate) fn required(
    e: &mut Vec<FieldError>,
    field: &str,
    new: Option<String>,
    old: Option<&String>,
    max: usize,
) -> Option<String> {
    match new.or_else(|| old.cloned()) {
        Some(v) => Some(text(e, field, &v, max)),
        None => {
            e.push(FieldError::new(field, "is required"));
            None
        }
    }
}

/// An optional text field: the new value (blank clears nothing: it is none), else the stored one.
pub(crate) fn optional(
    e: &mut Vec<FieldError>,
    field: &str,
    new: Option<String>,
    old: Option<&Option<String>>,
    max: usize,
) -> Option<String> {
    match new {
        Some(v) => opt_text(e, field, Some(&v), max),
        None => old.cloned().flatten(),
    }
}
