//! Checks on free text before it reaches storage.

/// Whether text holds no control characters other than tab and line breaks.
/// PostgreSQL refuses NUL in text, and no field of ours has a use for the others.
pub fn is_clean_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::is_clean_text;

    #[test]
    fn control_characters_are_refused_but_line_breaks_pass() {
        assert!(is_clean_text("Line one\nline two\ttabbed"));
        assert!(!is_clean_text("nul\0byte"));
        assert!(!is_clean_text("bell\u{7}"));
        assert!(!is_clean_text("escape\u{1b}[31m"));
    }
}
