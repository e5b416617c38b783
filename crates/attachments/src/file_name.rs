//! The name a file is stored and served under. The client's name is only a
//! label: path parts, quotes and — by the printable-text rule every other
//! field follows (`kernel::text`) — control characters, bidirectional
//! controls and zero-width or other invisible characters are removed, so
//! `evil\u{202E}gnp.pdf` cannot display as `evilfdp.png`; it is cut to 255
//! characters, and the download header carries it twice (RFC 6266): an ASCII
//! `filename` fallback and the exact UTF-8 `filename*`. Other fields refuse
//! such characters; a file name is cleaned instead, because it comes from the
//! client's file system, not from what the user typed.

/// The longest stored name, in characters (the column is `varchar(255)`).
pub const MAX_CHARS: usize = 255;

/// The name used when the client sent none, or nothing usable.
pub const FALLBACK: &str = "attachment";

/// The client's file name made safe to store and to put in a header.
pub fn sanitize(raw: &str) -> String {
    // Browsers on Windows send `C:\Users\…\photo.png`; others may send `../x`.
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| {
            !c.is_control()
                && !kernel::text::is_invisible(c)
                && !matches!(c, '"' | '\'' | '`' | ';')
        })
        .take(MAX_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.') {
        FALLBACK.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `Content-Disposition: attachment` for a stored name, cleaned again so a
/// row stored before the cleaning rule cannot put invisible characters in
/// the header.
pub fn content_disposition(stored: &str) -> String {
    let name = sanitize(stored);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '\\' && c != '"' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(&name)
    )
}

/// RFC 5987 `value-chars`: attr-char kept, every other byte `%XX`.
fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts_control_characters_and_quotes_are_removed() {
        assert_eq!(sanitize("C:\\Users\\me\\photo.png"), "photo.png");
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("a\"b\r\nc\u{0}.pdf"), "abc.pdf");
        assert_eq!(sanitize("  ..  "), FALLBACK);
        assert_eq!(sanitize("dir/"), FALLBACK);
        assert_eq!(sanitize(""), FALLBACK);
    }

    #[test]
    fn bidi_controls_and_invisible_characters_are_removed() {
        // U+202E RIGHT-TO-LEFT OVERRIDE would show `evilfdp.png`.
        assert_eq!(sanitize("evil\u{202E}gnp.pdf"), "evilgnp.pdf");
        for c in [
            '\u{200B}', '\u{200D}', '\u{2066}', '\u{2069}', '\u{FEFF}', '\u{AD}', '\u{7F}',
        ] {
            assert_eq!(
                sanitize(&format!("a{c}b.png")),
                "ab.png",
                "{:X}",
                u32::from(c)
            );
        }
        assert_eq!(sanitize("\u{202E}\u{200B}"), FALLBACK);
        // Letters of every script stay.
        assert_eq!(sanitize("Übersicht 東京.pdf"), "Übersicht 東京.pdf");
    }

    #[test]
    fn a_stored_name_with_invisible_characters_is_cleaned_in_the_header() {
        let header = content_disposition("evil\u{202E}gnp.pdf");
        assert_eq!(
            header,
            "attachment; filename=\"evilgnp.pdf\"; filename*=UTF-8''evilgnp.pdf"
        );
    }

    #[test]
    fn long_names_are_cut_to_255_characters() {
        let long = "é".repeat(300);
        assert_eq!(sanitize(&long).chars().count(), MAX_CHARS);
    }

    #[test]
    fn the_header_has_an_ascii_fallback_and_the_exact_utf8_name() {
        assert_eq!(
            content_disposition("Übersicht 1.pdf"),
            "attachment; filename=\"_bersicht 1.pdf\"; filename*=UTF-8''%C3%9Cbersicht%201.pdf"
        );
        assert_eq!(
            content_disposition("photo.png"),
            "attachment; filename=\"photo.png\"; filename*=UTF-8''photo.png"
        );
    }
}
