//! How one offered service fills a provider's hours.

use crate::SchedulingError;

/// The platform's defaults for a service that has not set its own timing
/// (platform settings `default_slot_minutes`, `default_buffer_minutes`,
/// `default_min_notice_minutes`, `default_horizon_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimingDefaults {
    pub slot_minutes: u32,
    pub buffer_minutes: u32,
    pub min_notice_minutes: u32,
    pub horizon_days: u32,
}

impl Default for TimingDefaults {
    fn default() -> Self {
        Self {
            slot_minutes: 60,
            buffer_minutes: 0,
            min_notice_minutes: 120,
            horizon_days: 60,
        }
    }
}

/// A service's timing: each slot lasts `duration_minutes`, slots start every
/// `slot_interval_minutes` from the start of the hours, a booking blocks the
/// buffers around it too, nothing starts sooner than `min_notice_minutes`
/// from now nor later than `horizon_days` ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTiming {
    pub duration_minutes: u32,
    pub slot_interval_minutes: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub min_notice_minutes: u32,
    pub horizon_days: u32,
}

/// The fields a provider may change, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimingPatch {
    pub duration_minutes: Option<u32>,
    pub slot_interval_minutes: Option<u32>,
    pub buffer_before_minutes: Option<u32>,
    pub buffer_after_minutes: Option<u32>,
    pub min_notice_minutes: Option<u32>,
    pub horizon_days: Option<u32>,
}

/// Each field's bounds: `(name, least, most)`.
const BOUNDS: [(&str, u32, u32); 6] = [
    ("duration_minutes", 5, 1440),
    ("slot_interval_minutes", 5, 1440),
    ("buffer_before_minutes", 0, 720),
    ("buffer_after_minutes", 0, 720),
    ("min_notice_minutes", 0, 43_200),
    ("horizon_days", 1, 365),
];

impl ServiceTiming {
    /// The timing of a service that has set none.
    pub fn from_defaults(d: TimingDefaults) -> Self {
        Self {
            duration_minutes: d.slot_minutes,
            slot_interval_minutes: d.slot_minutes,
            buffer_before_minutes: d.buffer_minutes,
            buffer_after_minutes: d.buffer_minutes,
            min_notice_minutes: d.min_notice_minutes,
            horizon_days: d.horizon_days,
        }
    }

    fn fields(&self) -> [u32; 6] {
        [
            self.duration_minutes,
            self.slot_interval_minutes,
            self.buffer_before_minutes,
            self.buffer_after_minutes,
            self.min_notice_minutes,
            self.horizon_days,
        ]
    }

    /// This timing with `patch` applied, every field within its bounds.
    pub fn patched(self, patch: TimingPatch) -> Result<Self, SchedulingError> {
        let next = Self {
            duration_minutes: patch.duration_minutes.unwrap_or(self.duration_minutes),
            slot_interval_minutes: patch
                .slot_interval_minutes
                .unwrap_or(self.slot_interval_minutes),
            buffer_before_minutes: patch
                .buffer_before_minutes
                .unwrap_or(self.buffer_before_minutes),
            buffer_after_minutes: patch
                .buffer_after_minutes
                .unwrap_or(self.buffer_after_minutes),
            min_notice_minutes: patch.min_notice_minutes.unwrap_or(self.min_notice_minutes),
            horizon_days: patch.horizon_days.unwrap_or(self.horizon_days),
        };
        let refused: Vec<kernel::FieldError> = BOUNDS
            .iter()
            .zip(next.fields())
            .filter(|((_, least, most), v)| v < least || v > most)
            .map(|((name, least, most), _)| {
                kernel::FieldError::new(*name, format!("must be between {least} and {most}"))
            })
            .collect();
        if refused.is_empty() {
            Ok(next)
        } else {
            Err(SchedulingError::Validation(refused))
        }
    }
}
