//! The one normaliser for text that comes from clients.
//!
//! Every field of ours goes through one of three doors:
//! - [`check_text`] for display text (names, reasons, messages, listings,
//!   disputes): control characters other than line breaks, Unicode format
//!   characters (zero-width spaces, soft hyphens, joiners, byte-order marks)
//!   and bidirectional controls are refused, because they make two different
//!   strings look the same or reorder what a reader sees;
//! - [`normalize_identity`] for identifiers compared for equality (e-mails,
//!   slugs): NFKC, trimmed, lowercase — so `ＡＤＭＩＮ@example.test` and
//!   `admin@example.test` are the same account — after [`check_text`] refused
//!   the invisible ones;
//! - [`fold_keyword`] for free text that is counted and shown back to staff
//!   (search keywords): NFKC, invisible characters dropped, whitespace
//!   collapsed, case folded, so a suffix of zero-width spaces or a decomposed
//!   accent counts as the same keyword.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextIssue {
    /// A control character other than tab or a line break.
    Control,
    /// A format character, a bidirectional control or another invisible code point.
    Invisible,
}

impl TextIssue {
    /// A message for the client, naming no code point.
    pub fn message(self) -> &'static str {
        match self {
            Self::Control => "must not contain control characters",
            Self::Invisible => {
                "must not contain invisible, formatting or text-direction characters"
            }
        }
    }
}

/// Whether `c` renders as nothing (or reorders text) while changing the string:
/// general category Cf (ZWSP, ZWJ, soft hyphen, BOM, bidi embeddings, overrides
/// and isolates) and the other default-ignorable code points that are not Cf
/// (combining grapheme joiner, Hangul fillers, variation selectors).
pub fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// Refuses control characters (tab and line breaks pass) and invisible ones.
pub fn check_text(s: &str) -> Result<(), TextIssue> {
    for c in s.chars() {
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            return Err(TextIssue::Control);
        }
        if is_invisible(c) {
            return Err(TextIssue::Invisible);
        }
    }
    Ok(())
}

/// Whether text holds no control characters other than tab and line breaks.
/// PostgreSQL refuses NUL in text, and no field of ours has a use for the others.
/// Display text should prefer [`check_text`], which also refuses invisible characters.
pub fn is_clean_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The comparable form of an identifier: NFKC, trimmed, lowercase.
/// Callers refuse invisible characters with [`check_text`] first.
pub fn normalize_identity(s: &str) -> String {
    s.trim().nfkc().collect::<String>().to_lowercase()
}

/// The counted form of a keyword: NFKC, control and invisible characters
/// removed, whitespace collapsed to single spaces, lowercase.
pub fn fold_keyword(s: &str) -> String {
    let visible: String = s
        .nfkc()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .filter(|c| !is_invisible(*c))
        .collect();
    // Lowercasing can produce decomposed forms (e.g. 'İ'); recompose after it.
    let folded: String = visible.to_lowercase().nfkc().collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Required display text: trimmed, 1 to `max` characters, through
/// [`check_text`]; the error names `field`. The one bound every text field uses.
pub fn bounded(field: &str, input: &str, max: usize) -> Result<String, crate::FieldError> {
    let s = input.trim();
    check_text(s).map_err(|i| crate::FieldError::new(field, i.message()))?;
    let n = s.chars().count();
    if n == 0 || n > max {
        return Err(crate::FieldError::new(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(s.to_owned())
}

/// Optional display text: absent or blank is `None`, anything else is [`bounded`].
pub fn optional_bounded(
    field: &str,
    input: Option<&str>,
    max: usize,
) -> Result<Option<String>, crate::FieldError> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => bounded(field, s, max).map(Some),
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_pass() {
        assert!(is_clean_text("Line one\nline two\ttabbed"));
        assert!(!is_clean_text("nul\0byte"));
        assert!(!is_clean_text("bell\u{7}"));
        assert!(!is_clean_text("escape\u{1b}[31m"));
        assert_eq!(check_text("Line one\nline two"), Ok(()));
        assert_eq!(check_text("nul\0byte"), Err(TextIssue::Control));
    }

    #[test]
    fn invisible_and_direction_characters_are_refused() {
        for s in [
            "admin@example.test\u{200B}",
            "ad\u{00AD}min",
            "\u{202E}evil",
            "a\u{2066}b",
            "\u{FEFF}bom",
            "joined\u{200D}",
            "filler\u{3164}",
            "vs\u{FE0F}",
        ] {
            assert_eq!(check_text(s), Err(TextIssue::Invisible), "{s:?}");
        }
        assert_eq!(check_text("Zoë Saldaña, 東京"), Ok(()));
    }

    #[test]
    fn identities_compare_after_nfkc_and_case() {
        assert_eq!(
            normalize_identity(" ＡＤＭＩＮ@Example.TEST "),
            "admin@example.test"
        );
    }

    #[test]
    fn keywords_fold_suffixes_of_invisibles_accents_and_spacing() {
        let plain = fold_keyword("Café  Repair");
        assert_eq!(plain, "café repair");
        assert_eq!(fold_keyword("cafe\u{301} repair"), plain);
        assert_eq!(
            fold_keyword("CAFÉ\u{200B} \t repair\u{200B}\u{200B}"),
            plain
        );
        assert_eq!(fold_keyword("ｃａｆé repair"), plain);
        assert_eq!(fold_keyword("\u{202E}café\u{00AD} repair"), plain);
    }

    #[test]
    fn bounded_text_is_trimmed_clean_and_within_its_length() {
        assert_eq!(bounded("name", "  Ann ", 3), Ok("Ann".into()));
        assert_eq!(bounded("name", "Anna", 3).unwrap_err().field, "name");
        assert!(bounded("name", "   ", 3).is_err());
        assert!(bounded("name", "A\u{202E}", 3).is_err());
        assert_eq!(optional_bounded("note", Some("  "), 3), Ok(None));
        assert_eq!(optional_bounded("note", None, 3), Ok(None));
        assert!(optional_bounded("note", Some("toolong"), 3).is_err());
    }

    #[test]
    fn truncation_bounds_characters() {
        assert_eq!(truncate_chars("short", 10), "short");
        assert_eq!(truncate_chars("abcdefghij", 5), "abcd…");
        assert_eq!(truncate_chars("abcdefghij", 5).chars().count(), 5);
    }

    proptest! {
        #[test]
        fn folding_is_idempotent_and_leaves_nothing_invisible(s in "\\PC{0,40}") {
            let once = fold_keyword(&s);
            prop_assert_eq!(fold_keyword(&once), once.clone());
            prop_assert!(once.chars().all(|c| !is_invisible(c)));
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }
    }
}
