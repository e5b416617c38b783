//! The name a file is stored and served under. The client's name is only a
//! label: path parts, control characters and quotes are removed, it is cut to
//! 255 characters, and the download header carries it twice (RFC 6266): an
//! ASCII `filename` fallback and the exact UTF-8 `filename*`.

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
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | '`' | ';'))
        .take(MAX_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.') {
        FALLBACK.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `Content-Disposition: attachment` for a stored (sanitised) name.
pub fn content_disposition(name: &str) -> String {
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
        percent_encode(name)
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
