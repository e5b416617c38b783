//! An upload as it streams in. Each chunk is counted against [`MAX_BYTES`] and
//! hashed as it arrives; the first [`SNIFF_LEN`] bytes decide the kind before
//! anything is released for storage. Nothing here holds more than the head:
//! the caller writes each released chunk on and forgets it.

use sha2::{Digest, Sha256};

use crate::MAX_BYTES;
use crate::sniff::{ContentKind, SNIFF_LEN, sniff};

/// Why an upload is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// More than [`MAX_BYTES`] arrived (413).
    #[error("the file is larger than {MAX_BYTES} bytes")]
    TooLarge,
    /// The bytes are not a PNG, JPEG, WebP, HEIC or PDF (415).
    #[error("the file is not a PNG, JPEG, WebP or HEIC image nor a PDF")]
    Unsupported,
}

/// What the caller may store after a chunk.
#[derive(Debug, PartialEq, Eq)]
pub enum Release {
    /// Nothing yet: the head is still too short to sniff (it was kept).
    Hold,
    /// The kept head, which ends with this chunk: store these bytes.
    Head(Vec<u8>),
    /// The kind is known: store this chunk as it is.
    Chunk,
}

/// A fully received, accepted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// What the bytes are.
    pub kind: ContentKind,
    /// How many bytes.
    pub size_bytes: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// The running state of one upload.
#[derive(Debug, Default)]
pub struct Intake {
    size: u64,
    hasher: Sha256,
    head: Vec<u8>,
    kind: Option<ContentKind>,
}

impl Intake {
    /// A new, empty upload.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Takes the next chunk: refuses once the limit is passed or when the
    /// head is not an accepted kind; otherwise says what to store.
    pub fn accept(&mut self, chunk: &[u8]) -> Result<Release, Refusal> {
        self.size = self.size.saturating_add(chunk.len() as u64);
        if self.size > MAX_BYTES {
            return Err(Refusal::TooLarge);
        }
        self.hasher.update(chunk);
        if self.kind.is_some() {
            return Ok(Release::Chunk);
        }
        if self.head.is_empty() && chunk.len() >= SNIFF_LEN {
            self.kind = Some(sniff(chunk).ok_or(Refusal::Unsupported)?);
            return Ok(Release::Chunk);
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() < SNIFF_LEN {
            return Ok(Release::Hold);
        }
        self.kind = Some(sniff(&self.head).ok_or(Refusal::Unsupported)?);
        Ok(Release::Head(std::mem::take(&mut self.head)))
    }

    /// The end of the file: what it is, with any head still held (a file
    /// shorter than [`SNIFF_LEN`]) to store.
    pub fn finish(self) -> Result<(Checked, Option<Vec<u8>>), Refusal> {
        let (kind, rest) = match self.kind {
            Some(kind) => (kind, None),
            None => (
                sniff(&self.head).ok_or(Refusal::Unsupported)?,
                Some(self.head),
            ),
        };
        let checked = Checked {
            kind,
            size_bytes: self.size,
            sha256: hex(&self.hasher.finalize()),
        };
        Ok((checked, rest))
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
#[path = "intake_tests.rs"]
mod tests;
