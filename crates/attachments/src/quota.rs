//! Upload quotas (issue 17), per user: `upload_files_per_day` files and
//! `upload_bytes_per_day` bytes in any 24 hours, and `upload_bytes_stored`
//! bytes kept in all. Checked twice: before the body is read (is there room
//! for one more file at all?) and, with the real size, under the user's lock
//! when the row is written — racing uploads cannot pass the limits together.

use chrono::Duration;
use kernel::{QuotaExceeded, Timestamp, WindowUse};

/// The window of the daily quotas.
pub const DAY: Duration = Duration::hours(24);

/// The limits in force (platform settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// `upload_files_per_day`.
    pub files_per_day: i64,
    /// `upload_bytes_per_day`.
    pub bytes_per_day: i64,
    /// `upload_bytes_stored`.
    pub bytes_stored: i64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        const MIB: i64 = 1024 * 1024;
        Self {
            files_per_day: 100,
            bytes_per_day: 50 * MIB,
            bytes_stored: 500 * MIB,
        }
    }
}

/// What the user has uploaded: in the last [`DAY`] (files, bytes) and kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadUse {
    /// Files uploaded in the window, with the oldest one's time.
    pub files: WindowUse,
    /// Bytes uploaded in the window, with the oldest upload's time.
    pub bytes: WindowUse,
    /// Bytes of all the user's stored uploads.
    pub stored: i64,
}

impl UploadLimits {
    /// Whether a file of `size` bytes fits (the check before the body is
    /// read passes `size` 1: room for one more byte). The daily refusals lift
    /// when the oldest counted upload is a day old; the stored one when
    /// uploads nobody cited are removed, a day after their upload
    /// ([`crate::sweep`]).
    pub fn admit(&self, used: &UploadUse, size: i64, now: Timestamp) -> Result<(), QuotaExceeded> {
        used.files
            .admit("upload_files_per_day", self.files_per_day, 1, DAY, now)?;
        used.bytes
            .admit("upload_bytes_per_day", self.bytes_per_day, size, DAY, now)?;
        if used.stored.saturating_add(size) > self.bytes_stored {
            return Err(QuotaExceeded::until(
                "upload_bytes_stored",
                self.bytes_stored,
                now,
                now + DAY,
                "uploads no dispute or listing cites are removed a day after their upload",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn now() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
    }

    fn used(files: i64, bytes: i64, stored: i64) -> UploadUse {
        let oldest = Some(now() - Duration::hours(20));
        UploadUse {
            files: WindowUse {
                used: files,
                oldest,
            },
            bytes: WindowUse {
                used: bytes,
                oldest,
            },
            stored,
        }
    }

    #[test]
    fn each_limit_refuses_with_its_own_name_and_retry() {
        let limits = UploadLimits {
            files_per_day: 3,
            bytes_per_day: 1000,
            bytes_stored: 5000,
        };
        assert!(limits.admit(&used(2, 900, 4000), 100, now()).is_ok());
        let files = limits.admit(&used(3, 0, 0), 1, now()).unwrap_err();
        assert_eq!(
            (files.quota, files.retry_after_secs),
            ("upload_files_per_day", 4 * 3600)
        );
        let bytes = limits.admit(&used(1, 900, 900), 101, now()).unwrap_err();
        assert_eq!(bytes.quota, "upload_bytes_per_day");
        let stored = limits.admit(&used(0, 0, 4950), 51, now()).unwrap_err();
        assert_eq!(
            (stored.quota, stored.retry_after_secs),
            ("upload_bytes_stored", 86_400)
        );
    }

    proptest! {
        #[test]
        fn admitted_exactly_when_every_total_stays_within_its_limit(
            files in 0i64..6, bytes in 0i64..1200, stored in 0i64..6000, size in 1i64..400,
        ) {
            let limits = UploadLimits { files_per_day: 4, bytes_per_day: 1000, bytes_stored: 5000 };
            let ok = limits.admit(&used(files, bytes, stored), size, now()).is_ok();
            prop_assert_eq!(ok, files < 4 && bytes + size <= 1000 && stored + size <= 5000);
        }
    }
}
