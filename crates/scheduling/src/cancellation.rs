//! Cancellation policies and what a customer's late cancel costs.
//!
//! A policy is a window before the job's start and a fee in basis points of
//! its price: cancelling before the window is free, inside it costs the fee,
//! capped by the platform's `cancellation_fee_cap_bps`. Only an accepted
//! job with a price and a start can cost anything.

use chrono::Duration;
use kernel::Timestamp;

use crate::SchedulingError;

/// The most a fee can be: the whole price.
pub const FULL_PRICE_BPS: u32 = 10_000;

/// The longest custom window: 30 days.
pub const MAX_WINDOW_HOURS: u32 = 720;

/// A provider's cancellation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationPolicy {
    /// Free until 24 h before the start, then 25 % of the price.
    Flexible,
    /// Free until 72 h before, then 50 %.
    Moderate,
    /// Free until 7 days before, then the whole price.
    Strict,
    /// The provider's own window and fee.
    Custom { window_hours: u32, fee_bps: u32 },
}

impl Default for CancellationPolicy {
    /// A provider that chose none: the most lenient.
    fn default() -> Self {
        Self::Flexible
    }
}

impl CancellationPolicy {
    /// Its name on the wire and in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flexible => "flexible",
            Self::Moderate => "moderate",
            Self::Strict => "strict",
            Self::Custom { .. } => "custom",
        }
    }

    /// Hours before the start from which a cancel costs the fee.
    pub fn window_hours(self) -> u32 {
        match self {
            Self::Flexible => 24,
            Self::Moderate => 72,
            Self::Strict => 168,
            Self::Custom { window_hours, .. } => window_hours,
        }
    }

    /// The fee inside the window, in basis points of the price.
    pub fn fee_bps(self) -> u32 {
        match self {
            Self::Flexible => 2_500,
            Self::Moderate => 5_000,
            Self::Strict => FULL_PRICE_BPS,
            Self::Custom { fee_bps, .. } => fee_bps,
        }
    }

    /// The policy named `name`; `custom` needs both numbers, the named ones
    /// take neither.
    pub fn parse(
        name: &str,
        window_hours: Option<u32>,
        fee_bps: Option<u32>,
    ) -> Result<Self, SchedulingError> {
        let named = match name {
            "flexible" => Some(Self::Flexible),
            "moderate" => Some(Self::Moderate),
            "strict" => Some(Self::Strict),
            "custom" => None,
            _ => {
                return Err(SchedulingError::field(
                    "policy",
                    "must be flexible, moderate, strict or custom",
                ));
            }
        };
        match (named, window_hours, fee_bps) {
            (Some(policy), None, None) => Ok(policy),
            (Some(_), _, _) => Err(SchedulingError::field(
                "policy",
                "window_hours and fee_bps are for a custom policy only",
            )),
            (None, Some(window_hours), Some(fee_bps)) => {
                let mut refused = Vec::new();
                if !(1..=MAX_WINDOW_HOURS).contains(&window_hours) {
                    refused.push(kernel::FieldError::new(
                        "window_hours",
                        format!("must be between 1 and {MAX_WINDOW_HOURS}"),
                    ));
                }
                if fee_bps > FULL_PRICE_BPS {
                    refused.push(kernel::FieldError::new(
                        "fee_bps",
                        format!("must be between 0 and {FULL_PRICE_BPS}"),
                    ));
                }
                if refused.is_empty() {
                    Ok(Self::Custom {
                        window_hours,
                        fee_bps,
                    })
                } else {
                    Err(SchedulingError::Validation(refused))
                }
            }
            (None, _, _) => Err(SchedulingError::field(
                "policy",
                "a custom policy needs window_hours and fee_bps",
            )),
        }
    }
}

/// What cancelling now would cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancellationPreview {
    pub fee_cents: i64,
    /// The last instant a cancel is free; none for a job without a start.
    pub free_until: Option<Timestamp>,
    pub policy: CancellationPolicy,
}

/// The fee of a customer's cancel at `now`: zero unless the job is accepted,
/// has a price and a start, and `now` is inside the policy's window; then
/// the price times the policy's rate capped at `cap_bps`, rounded half up to
/// the cent.
pub fn cancellation_fee(
    policy: CancellationPolicy,
    accepted: bool,
    price_cents: Option<i64>,
    start: Option<Timestamp>,
    now: Timestamp,
    cap_bps: u32,
) -> CancellationPreview {
    let free_until = start.map(|s| s - Duration::hours(i64::from(policy.window_hours())));
    let fee_cents = match (accepted, price_cents, free_until) {
        (true, Some(price), Some(free_until)) if now > free_until && price > 0 => {
            let bps = i128::from(policy.fee_bps().min(cap_bps).min(FULL_PRICE_BPS));
            let fee = (i128::from(price) * bps + 5_000) / 10_000;
            i64::try_from(fee).unwrap_or(price)
        }
        _ => 0,
    };
    CancellationPreview {
        fee_cents,
        free_until,
        policy,
    }
}
