use proptest::prelude::*;

use super::*;
use crate::sniff::tests_headers::{ELF, PDF, PNG};

/// Feeds `bytes` in chunks of `size`, collecting what is released.
fn feed(bytes: &[u8], size: usize) -> Result<(Checked, Vec<u8>), Refusal> {
    let mut intake = Intake::new();
    let mut stored = Vec::new();
    for chunk in bytes.chunks(size) {
        match intake.accept(chunk)? {
            Release::Hold => {}
            Release::Head(head) => stored.extend_from_slice(&head),
            Release::Chunk => stored.extend_from_slice(chunk),
        }
    }
    let (checked, rest) = intake.finish()?;
    stored.extend(rest.unwrap_or_default());
    Ok((checked, stored))
}

#[test]
fn a_png_is_accepted_with_its_size_and_sha256() {
    let (checked, stored) = feed(PNG, 64).unwrap();
    assert_eq!(checked.kind, ContentKind::Png);
    assert_eq!(checked.size_bytes, PNG.len() as u64);
    assert_eq!(checked.sha256, hex(&Sha256::digest(PNG)));
    assert_eq!(stored, PNG);
}

#[test]
fn the_sha256_of_a_known_text_is_the_published_one() {
    let mut intake = Intake::new();
    intake.accept(b"%PDF-").unwrap();
    intake.accept(b"abc").unwrap();
    // sha256("%PDF-abc") computed independently with `printf '%%PDF-abc' | sha256sum`.
    let (checked, rest) = intake.finish().unwrap();
    assert_eq!(rest.as_deref(), Some(b"%PDF-abc".as_slice()));
    assert_eq!(
        checked.sha256,
        "1e8a7587529cc956d46dea481f38c623395a879a1179c277f476a9cdb88a540d"
    );
}

#[test]
fn an_executable_is_refused_before_anything_is_released() {
    let mut intake = Intake::new();
    assert_eq!(intake.accept(&ELF[..3]), Ok(Release::Hold));
    assert_eq!(intake.accept(&ELF[3..]), Err(Refusal::Unsupported));
    assert_eq!(feed(ELF, 1).err(), Some(Refusal::Unsupported));
}

#[test]
fn exactly_the_limit_is_accepted_and_one_byte_more_is_not() {
    let mut file = PDF.to_vec();
    file.resize(usize::try_from(MAX_BYTES).unwrap(), b' ');
    let (checked, _) = feed(&file, 64 * 1024).unwrap();
    assert_eq!(checked.size_bytes, MAX_BYTES);
    file.push(b'x');
    assert_eq!(feed(&file, 64 * 1024).err(), Some(Refusal::TooLarge));
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(feed(b"", 8).err(), Some(Refusal::Unsupported));
}

proptest! {
    /// However the bytes are split, the same bytes are released, in order, with the same hash.
    #[test]
    fn chunking_never_changes_the_outcome(size in 1usize..40, tail in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut file = PDF.to_vec();
        file.extend(tail);
        let (checked, stored) = feed(&file, size).unwrap();
        prop_assert_eq!(stored, file.clone());
        prop_assert_eq!(checked.sha256, hex(&Sha256::digest(&file)));
        prop_assert_eq!(checked.size_bytes, file.len() as u64);
    }
}
