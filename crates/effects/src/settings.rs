//! Platform settings (SPEC §3 `platform_settings`): defaults in code, rows
//! holding only what an admin changed, every key validated.

use std::collections::BTreeMap;

use kernel::FieldError;
use serde_json::Value;

/// One setting: its key, default and allowed range.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key.
    pub name: &'static str,
    /// Its value until an admin changes it.
    pub default: i64,
    /// Smallest allowed value.
    pub min: i64,
    /// Largest allowed value.
    pub max: i64,
}

/// Every setting, with its default and range.
pub const KEYS: [Key; 22] = [
    Key {
        name: "response_deadline_minutes",
        default: 60,
        min: 1,
        max: 10_080,
    },
    Key {
        name: "warning_threshold",
        default: 3,
        min: 1,
        max: 1_000,
    },
    Key {
        name: "popularity_window_days",
        default: 7,
        min: 1,
        max: 365,
    },
    Key {
        name: "popularity_top_k",
        default: 5,
        min: 1,
        max: 100,
    },
    Key {
        name: "popularity_min_searches",
        default: 10,
        min: 0,
        max: 1_000_000_000,
    },
    Key {
        name: "platform_fee_bps",
        default: 1000,
        min: 0,
        max: 10_000,
    },
    Key {
        name: "rejected_reapply_cooldown_days",
        default: 90,
        min: 0,
        max: 3_650,
    },
    Key {
        name: "demand_digest_minutes",
        default: 60,
        min: 1,
        max: 10_080,
    },
    Key {
        name: "open_requests_per_pair",
        default: 3,
        min: 1,
        max: 1_000,
    },
    Key {
        name: "open_requests_per_customer",
        default: 10,
        min: 1,
        max: 10_000,
    },
    Key {
        name: "chat_posts_per_minute",
        default: 30,
        min: 1,
        max: 10_000,
    },
    Key {
        name: "upload_files_per_day",
        default: 100,
        min: 1,
        max: 100_000,
    },
    Key {
        name: "upload_bytes_per_day",
        default: 50 * MIB,
        min: MIB,
        max: 100 * 1024 * MIB,
    },
    Key {
        name: "upload_bytes_stored",
        default: 500 * MIB,
        min: MIB,
        max: 1024 * 1024 * MIB,
    },
    Key {
        name: "sale_notices_per_hour",
        default: 60,
        min: 1,
        max: 100_000,
    },
    // Scheduling (issue 19, docs/scheduling.md): a service's timing until
    // its provider sets one, the cancellation fee's cap, reminders.
    Key {
        name: "default_slot_minutes",
        default: 60,
        min: 5,
        max: 1440,
    },
    Key {
        name: "default_buffer_minutes",
        default: 0,
        min: 0,
        max: 720,
    },
    Key {
        name: "default_min_notice_minutes",
        default: 120,
        min: 0,
        max: 43_200,
    },
    Key {
        name: "default_horizon_days",
        default: 60,
        min: 1,
        max: 365,
    },
    Key {
        name: "cancellation_fee_cap_bps",
        default: 10_000,
        min: 0,
        max: 10_000,
    },
    Key {
        name: "reminder_hours_before",
        default: 24,
        min: 1,
        max: 168,
    },
    // 1 (true) or 0 (false); `true` and `false` are accepted too.
    Key {
        name: "provider_cancel_counts_as_warning",
        default: 1,
        min: 0,
        max: 1,
    },
];

const MIB: i64 = 1024 * 1024;

/// The settings of [`PlatformSettings::default_timing`], in its order (a
/// store reading only these rows passes them to `from_stored`).
pub const TIMING_KEYS: [&str; 4] = [
    "default_slot_minutes",
    "default_buffer_minutes",
    "default_min_notice_minutes",
    "default_horizon_days",
];

/// The platform settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSettings {
    values: BTreeMap<&'static str, i64>,
}

impl Default for PlatformSettings {
    fn default() -> Self {
        Self {
            values: KEYS.iter().map(|k| (k.name, k.default)).collect(),
        }
    }
}

fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

fn check(key: &Key, value: &Value) -> Result<i64, FieldError> {
    let range = || format!("must be an integer from {} to {}", key.min, key.max);
    // A switch (0..=1) takes a JSON boolean as well.
    let switch = (key.min, key.max) == (0, 1);
    let n = value
        .as_i64()
        .or_else(|| value.as_bool().filter(|_| switch).map(i64::from))
        .ok_or_else(|| FieldError::new(key.name, range()))?;
    if n < key.min || n > key.max {
        return Err(FieldError::new(key.name, range()));
    }
    Ok(n)
}

impl PlatformSettings {
    /// Defaults overlaid with stored rows; stored values that no longer pass
    /// validation (or unknown keys) are ignored in favour of the default.
    pub fn from_stored(rows: &[(String, Value)]) -> Self {
        let mut settings = Self::default();
        for (name, value) in rows {
            if let Some(k) = key(name)
                && let Ok(n) = check(k, value)
            {
                settings.values.insert(k.name, n);
            }
        }
        settings
    }

    /// Validates a patch (`{key: value}`): every key known, every value in range.
    /// Returns the validated changes; nothing is applied when one is bad.
    pub fn validate_patch(
        patch: &serde_json::Map<String, Value>,
    ) -> Result<Vec<(&'static str, i64)>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut changes = Vec::new();
        if patch.is_empty() {
            errors.push(FieldError::new("body", "name at least one setting"));
        }
        for (name, value) in patch {
            match key(name) {
                None => errors.push(FieldError::new(name.clone(), "unknown setting")),
                Some(k) => match check(k, value) {
                    Ok(n) => changes.push((k.name, n)),
                    Err(e) => errors.push(e),
                },
            }
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }

    /// Applies validated changes.
    pub fn apply(&mut self, changes: &[(&'static str, i64)]) {
        for (name, n) in changes {
            self.values.insert(name, *n);
        }
    }

    /// Every key with its value, in key order.
    pub fn all(&self) -> &BTreeMap<&'static str, i64> {
        &self.values
    }

    fn get(&self, name: &str) -> i64 {
        self.values
            .get(name)
            .copied()
            .or_else(|| key(name).map(|k| k.default))
            .unwrap_or(0)
    }

    /// Minutes a provider has to answer a new job.
    pub fn response_deadline_minutes(&self) -> i64 {
        self.get("response_deadline_minutes")
    }
    /// Warnings that put a provider under review.
    pub fn warning_threshold(&self) -> i64 {
        self.get("warning_threshold")
    }
    /// Days of searches the popularity job counts.
    pub fn popularity_window_days(&self) -> i64 {
        self.get("popularity_window_days")
    }
    /// Popular services per region.
    pub fn popularity_top_k(&self) -> i64 {
        self.get("popularity_top_k")
    }
    /// Searches a service needs in the window to be popular.
    pub fn popularity_min_searches(&self) -> i64 {
        self.get("popularity_min_searches")
    }
    /// Platform fee in basis points.
    pub fn platform_fee_bps(&self) -> i64 {
        self.get("platform_fee_bps")
    }
    /// Days after a rejection before the same e-mail or phone may apply again.
    pub fn rejected_reapply_cooldown_days(&self) -> i64 {
        self.get("rejected_reapply_cooldown_days")
    }
    /// Minutes between two missing-service digests to a region's LSMs.
    pub fn demand_digest_minutes(&self) -> i64 {
        self.get("demand_digest_minutes")
    }
    /// Open (`new`) job requests one customer may have with one provider.
    pub fn open_requests_per_pair(&self) -> i64 {
        self.get("open_requests_per_pair")
    }
    /// Open (`new`) job requests one customer may have in all.
    pub fn open_requests_per_customer(&self) -> i64 {
        self.get("open_requests_per_customer")
    }
    /// Chat messages one user may post per minute (REST and socket together).
    pub fn chat_posts_per_minute(&self) -> i64 {
        self.get("chat_posts_per_minute")
    }
    /// Files one user may upload per day.
    pub fn upload_files_per_day(&self) -> i64 {
        self.get("upload_files_per_day")
    }
    /// Bytes one user may upload per day.
    pub fn upload_bytes_per_day(&self) -> i64 {
        self.get("upload_bytes_per_day")
    }
    /// Bytes one user may keep stored.
    pub fn upload_bytes_stored(&self) -> i64 {
        self.get("upload_bytes_stored")
    }
    /// Sales naming a client that one tenant may record per hour.
    pub fn sale_notices_per_hour(&self) -> i64 {
        self.get("sale_notices_per_hour")
    }

    /// A service's `(duration and interval, each buffer, minimum notice,
    /// horizon in days)` until its provider sets its own.
    pub fn default_timing(&self) -> (i64, i64, i64, i64) {
        let [slot, buffer, notice, horizon] = TIMING_KEYS;
        (
            self.get(slot),
            self.get(buffer),
            self.get(notice),
            self.get(horizon),
        )
    }

    /// The most a late cancel may cost, in basis points of the price.
    pub fn cancellation_fee_cap_bps(&self) -> i64 {
        self.get("cancellation_fee_cap_bps")
    }

    /// How long before a booked job's start both parties are reminded.
    pub fn reminder_hours_before(&self) -> i64 {
        self.get("reminder_hours_before")
    }

    /// Whether a provider's cancel of an accepted job counts as a warning.
    pub fn provider_cancel_counts_as_warning(&self) -> bool {
        self.get("provider_cancel_counts_as_warning") == 1
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
