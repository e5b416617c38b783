//! Real file headers, byte for byte, as the tools that make them write them.

use super::*;

/// A PNG signature and the start of its IHDR chunk.
pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01";
/// A JFIF JPEG (SOI, APP0 "JFIF").
pub(crate) const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00";
/// An EXIF JPEG as cameras write it (SOI, APP1 "Exif").
const JPEG_EXIF: &[u8] = b"\xff\xd8\xff\xe1\x2f\xfeExif\x00\x00MM";
/// A lossy WebP (RIFF size, WEBP, VP8 chunk).
const WEBP: &[u8] = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00";
/// An iPhone HEIC (`ftyp` box, major brand `heic`, compatible `mif1`, `heic`).
const HEIC: &[u8] = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic";
/// A HEIF whose major brand is the generic `mif1`.
const HEIF_MIF1: &[u8] = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heic";
/// A PDF 1.7 header with its binary comment line.
pub(crate) const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
/// An x86-64 ELF executable.
pub(crate) const ELF: &[u8] =
    b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
/// A Windows PE executable (DOS stub header).
const PE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
/// An MP4 video (`ftyp` with the `isom` brand): ISO-BMFF, but not HEIF.
const MP4: &[u8] = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2";
/// A WAV file: RIFF, but not WebP.
const WAV: &[u8] = b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00";
/// A GIF: an image, but not one of the accepted kinds.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00";

#[test]
fn accepted_kinds_are_recognised_from_their_real_headers() {
    assert_eq!(sniff(PNG), Some(ContentKind::Png));
    assert_eq!(sniff(JPEG), Some(ContentKind::Jpeg));
    assert_eq!(sniff(JPEG_EXIF), Some(ContentKind::Jpeg));
    assert_eq!(sniff(WEBP), Some(ContentKind::WebP));
    assert_eq!(sniff(HEIC), Some(ContentKind::Heic));
    assert_eq!(sniff(HEIF_MIF1), Some(ContentKind::Heic));
    assert_eq!(sniff(PDF), Some(ContentKind::Pdf));
}

#[test]
fn executables_and_other_formats_are_refused() {
    for refused in [
        ELF,
        PE,
        MP4,
        WAV,
        GIF,
        b"<html><body>".as_slice(),
        b"".as_slice(),
    ] {
        assert_eq!(sniff(refused), None, "{refused:?}");
    }
}

#[test]
fn a_truncated_header_is_not_enough() {
    assert_eq!(sniff(&PNG[..4]), None);
    assert_eq!(sniff(&WEBP[..11]), None);
    assert_eq!(sniff(&HEIC[..11]), None);
}

#[test]
fn every_kind_round_trips_through_its_media_type() {
    for kind in [
        ContentKind::Png,
        ContentKind::Jpeg,
        ContentKind::WebP,
        ContentKind::Heic,
        ContentKind::Pdf,
    ] {
        assert_eq!(ContentKind::from_mime(kind.mime()), Some(kind));
    }
    assert_eq!(ContentKind::from_mime("application/x-executable"), None);
}
