//! The file's kind from its magic bytes. The client's `Content-Type` and the
//! file name are never consulted: an executable renamed `.png` is refused.

/// How many leading bytes [`sniff`] needs to decide every accepted kind
/// (HEIC's brand ends at byte 12).
pub const SNIFF_LEN: usize = 12;

/// The kinds of file accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// `FF D8 FF`.
    Jpeg,
    /// `RIFF` + 4 size bytes + `WEBP`.
    WebP,
    /// An ISO-BMFF `ftyp` box whose major brand is a HEIF one.
    Heic,
    /// `%PDF-`.
    Pdf,
}

/// HEIF major brands (ISO/IEC 23008-12): still images, sequences and the
/// generic image/sequence brands.
const HEIF_BRANDS: [&[u8; 4]; 7] = [
    b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
];

impl ContentKind {
    /// The media type served with the file.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
            Self::Heic => "image/heic",
            Self::Pdf => "application/pdf",
        }
    }

    /// The kind stored under a media type (reading a row back).
    pub fn from_mime(mime: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::WebP, Self::Heic, Self::Pdf]
            .into_iter()
            .find(|k| k.mime() == mime)
    }
}

/// The kind of a file from its first bytes; `None` when it is none of the
/// accepted kinds (or too short to tell).
pub fn sniff(head: &[u8]) -> Option<ContentKind> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ContentKind::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ContentKind::Jpeg);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(ContentKind::WebP);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" && HEIF_BRANDS.iter().any(|b| &head[8..12] == *b)
    {
        return Some(ContentKind::Heic);
    }
    if head.starts_with(b"%PDF-") {
        return Some(ContentKind::Pdf);
    }
    None
}

#[cfg(test)]
#[path = "sniff_tests.rs"]
pub(crate) mod tests_headers;
