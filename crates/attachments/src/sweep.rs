//! The upload sweeper (issue 17): uploads nobody cited within a day are
//! removed with their bytes, and stored objects without a row (an upload
//! interrupted between its bytes and its row) are removed too.
//!
//! One instance sweeps per [`SWEEP_EVERY`] slot: the run is claimed in the
//! database first, so several instances never both list the store and delete
//! the same objects. A row is deleted by a conditional delete that re-checks
//! the citations, so a dispute filed at that moment keeps its evidence; the
//! bytes go only after their row.

use chrono::{Duration, DurationRound};
use kernel::Timestamp;

use crate::model::AttachmentError;
use crate::ports::{BlobStore, StoredObject};
use crate::service::AttachmentService;

/// An upload no dispute or listing cites is removed this long after its upload.
pub const UNCITED_FOR: Duration = Duration::hours(24);

/// An object without a row is left alone this long: its upload may still be
/// about to write the row (rows are written right after the bytes complete).
pub const ORPHAN_GRACE: Duration = Duration::hours(1);

/// How often a sweep runs (one instance per slot).
pub const SWEEP_EVERY: Duration = Duration::hours(1);

/// Rows looked at per query.
pub const BATCH: u64 = 500;

/// The prefix every attachment key has.
pub const PREFIX: &str = "attachments/";

/// The slot `now` falls in: its start.
pub fn slot(now: Timestamp) -> Timestamp {
    now.duration_trunc(SWEEP_EVERY).unwrap_or(now)
}

/// Uploads created at or before this are old enough to go if uncited.
pub fn cutoff(now: Timestamp) -> Timestamp {
    now - UNCITED_FOR
}

/// Whether an object is old enough to be judged by its row.
pub fn past_grace(object: &StoredObject, now: Timestamp) -> bool {
    object.last_modified <= now - ORPHAN_GRACE
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Whether this instance ran the slot (another one did otherwise).
    pub claimed: bool,
    /// Uncited uploads removed (row and bytes).
    pub expired: usize,
    /// Objects without a row removed.
    pub orphans: usize,
}

impl AttachmentService {
    /// Runs the sweep of the current slot if no instance has; see the module docs.
    pub async fn sweep(&self, blobs: &dyn BlobStore) -> Result<SweepReport, AttachmentError> {
        let now = self.now();
        if !self.repo().claim_sweep(slot(now)).await? {
            return Ok(SweepReport::default());
        }
        let mut report = SweepReport {
            claimed: true,
            ..SweepReport::default()
        };
        let cutoff = cutoff(now);
        loop {
            let batch = self.repo().sweep_candidates(cutoff, BATCH).await?;
            let before = report.expired;
            for c in &batch {
                if self.repo().delete_uncited(c.id, cutoff).await? {
                    report.expired += 1;
                    // A failure leaves an object without a row: the next
                    // sweep's orphan pass removes it.
                    let _ = blobs.delete(&c.storage_key).await;
                }
            }
            // A short batch was the last; a full one that removed nothing
            // would come back the same (the next slot tries again).
            if (batch.len() as u64) < BATCH || report.expired == before {
                break;
            }
        }
        report.orphans = self.remove_orphans(blobs, now).await?;
        Ok(report)
    }

    async fn remove_orphans(
        &self,
        blobs: &dyn BlobStore,
        now: Timestamp,
    ) -> Result<usize, AttachmentError> {
        let objects = blobs
            .list(PREFIX)
            .await
            .map_err(AttachmentError::Internal)?;
        let old: Vec<String> = objects
            .into_iter()
            .filter(|o| past_grace(o, now))
            .map(|o| o.key)
            .collect();
        let mut removed = 0;
        for chunk in old.chunks(usize::try_from(BATCH).unwrap_or(500)) {
            let known = self.repo().known_keys(chunk.to_vec()).await?;
            for key in chunk.iter().filter(|k| !known.contains(k)) {
                blobs.delete(key).await.map_err(AttachmentError::Internal)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
#[path = "sweep_tests.rs"]
mod tests;
