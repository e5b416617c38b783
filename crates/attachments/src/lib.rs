//! Attachments (SPEC §3 Disputes, §4 Disputes, §5 `/attachments`): files a
//! user uploads as dispute evidence. This crate holds the rules only:
//!
//! - [`sniff`]: what a file is, decided from its first bytes (PNG, JPEG, WebP,
//!   HEIC, PDF), never from the declared type or the name;
//! - [`intake`]: the upload as it streams in — the byte count against
//!   [`MAX_BYTES`], the incremental SHA-256 and the sniffing of the head;
//! - [`file_name`]: the stored name and the `Content-Disposition` header;
//! - [`model`] and [`ports`]: the metadata row and who may read it;
//! - [`service`]: the use cases over the port;
//! - [`quota`]: the per-user upload quotas;
//! - [`sweep`]: the removal of uploads nobody cited and of bytes without a row.
//!
//! The bytes themselves go to object storage through an adapter outside the
//! domain crates (the API's `storage` module).

pub mod file_name;
pub mod intake;
pub mod model;
pub mod ports;
pub mod quota;
pub mod service;
pub mod sniff;
pub mod sweep;

pub use intake::{Checked, Intake, Refusal, Release};
pub use model::{Attachment, AttachmentError};
pub use service::AttachmentService;
pub use sniff::ContentKind;

/// The largest file accepted: 10 MiB.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
