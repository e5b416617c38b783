//! Bodies of the scheduling routes (issue 19): hours, exceptions, timing,
//! cancellation policies and free slots.

use chrono::{DateTime, Utc, Weekday};
use scheduling::ports::StoredException;
use scheduling::service::AvailabilityView;
use scheduling::{CancellationPolicy, ServiceTiming, Slot, TimingPatch, WeeklyRule};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::ApiError;

/// The weekday names of the wire, Monday first.
const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == d)
        .map_or("mon", |(n, _)| n)
}

fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// `HH:MM` of 00:00–24:00 as minutes of the day.
pub fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// Weekly working hours: `[start, end)` in the provider's zone.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct RuleDto {
    /// `mon` … `sun`.
    #[schema(pattern = "^(mon|tue|wed|thu|fri|sat|sun)$", example = "mon")]
    pub weekday: String,
    /// `HH:MM`, wall-clock time in the provider's zone.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:00")]
    pub start: String,
    /// `HH:MM` after the start; `24:00` is the end of the day.
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", example = "17:00")]
    pub end: String,
}

impl From<&WeeklyRule> for RuleDto {
    fn from(r: &WeeklyRule) -> Self {
        Self {
            weekday: weekday_name(r.weekday).to_owned(),
            start: clock(r.start_minute),
            end: clock(r.end_minute),
        }
    }
}

/// The rules of a body, each checked; a 422 names every bad one.
pub fn parse_rules(rules: &[RuleDto]) -> Result<Vec<WeeklyRule>, ApiError> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        let field = format!("rules[{i}]");
        let day = WEEKDAYS
            .iter()
            .find(|(n, _)| *n == r.weekday)
            .map(|(_, d)| *d);
        let start = parse_clock(&r.start).filter(|m| *m < 1440);
        let end = parse_clock(&r.end);
        if day.is_none() {
            errors.push(kernel::FieldError::new(
                format!("{field}.weekday"),
                "must be mon, tue, wed, thu, fri, sat or sun",
            ));
        }
        if start.is_none() {
            errors.push(kernel::FieldError::new(
                format!("{field}.start"),
                "must be HH:MM",
            ));
        }
        if end.is_none() {
            errors.push(kernel::FieldError::new(
                format!("{field}.end"),
                "must be HH:MM (24:00 at the latest)",
            ));
        }
        if let (Some(day), Some(start), Some(end)) = (day, start, end) {
            match WeeklyRule::new(&field, day, start, end) {
                Ok(rule) => out.push(rule),
                Err(e) => errors.extend(kernel::Refusal::fields(&e)),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// `PUT /providers/me/availability`: the whole weekly set.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityRequest {
    /// An IANA zone for the hours; `null` goes back to the region's; absent
    /// keeps the current one.
    #[serde(default, deserialize_with = "super::provider_dto::double_option")]
    #[schema(value_type = Option<String>, example = "America/New_York")]
    pub time_zone: Option<Option<String>>,
    /// Every weekly range (at most 56, none overlapping on a weekday); an
    /// empty list removes the hours.
    #[schema(max_items = 56)]
    #[validate(length(max = 56))]
    pub rules: Vec<RuleDto>,
}

/// A time off or extra hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionDto {
    pub id: i64,
    /// `time_off` or `extra_hours`.
    pub kind: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub reason: String,
}

impl From<StoredException> for ExceptionDto {
    fn from(e: StoredException) -> Self {
        Self {
            id: e.id,
            kind: e.exception.kind.as_str().to_owned(),
            start: e.exception.start,
            end: e.exception.end,
            reason: e.exception.reason,
        }
    }
}

/// `POST /providers/me/availability/exceptions`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExceptionRequest {
    /// `time_off` (not bookable whatever the rules say) or `extra_hours`.
    #[schema(pattern = "^(time_off|extra_hours)$")]
    pub kind: String,
    pub start: DateTime<Utc>,
    /// After the start, at most 366 days later, in the future.
    pub end: DateTime<Utc>,
    /// Why, 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    pub reason: String,
}

/// How one service fills the hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimingDto {
    pub duration_minutes: u32,
    /// A slot starts every this many minutes from the start of the hours.
    pub slot_interval_minutes: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    /// Nothing starts sooner than this after now.
    pub min_notice_minutes: u32,
    /// Nothing starts later than this many days ahead.
    pub horizon_days: u32,
}

impl From<ServiceTiming> for TimingDto {
    fn from(t: ServiceTiming) -> Self {
        Self {
            duration_minutes: t.duration_minutes,
            slot_interval_minutes: t.slot_interval_minutes,
            buffer_before_minutes: t.buffer_before_minutes,
            buffer_after_minutes: t.buffer_after_minutes,
            min_notice_minutes: t.min_notice_minutes,
            horizon_days: t.horizon_days,
        }
    }
}

/// An offered service's timing in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceTimingDto {
    pub service_id: i64,
    #[serde(flatten)]
    pub timing: TimingDto,
}

/// A cancellation policy.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct PolicyDto {
    /// `flexible`, `moderate`, `strict` or `custom`.
    pub policy: String,
    /// A cancel is free until this many hours before the start.
    pub window_hours: u32,
    /// Later, it costs this share of the price (basis points), capped by the platform.
    pub fee_bps: u32,
}

impl From<CancellationPolicy> for PolicyDto {
    fn from(p: CancellationPolicy) -> Self {
        Self {
            policy: p.as_str().to_owned(),
            window_hours: p.window_hours(),
            fee_bps: p.fee_bps(),
        }
    }
}

/// `PUT /providers/me/cancellation-policy`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    /// `flexible` (24 h, 2,500 bps), `moderate` (72 h, 5,000), `strict`
    /// (7 days, 10,000) or `custom`.
    #[schema(pattern = "^(flexible|moderate|strict|custom)$")]
    pub policy: String,
    /// Custom only: 1–720.
    #[schema(minimum = 1, maximum = 720)]
    pub window_hours: Option<u32>,
    /// Custom only: 0–10,000.
    #[schema(minimum = 0, maximum = 10000)]
    pub fee_bps: Option<u32>,
}

/// A provider's hours as its owner sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityDto {
    /// The zone of the rules: the provider's own, else its region's.
    pub time_zone: String,
    /// Whether the provider chose that zone (else it follows the region).
    pub own_time_zone: bool,
    /// The weekly set, Monday first.
    pub rules: Vec<RuleDto>,
    /// Time off and extra hours not yet over.
    pub exceptions: Vec<ExceptionDto>,
    /// The timing in force of each active offered service.
    pub services: Vec<ServiceTimingDto>,
    pub cancellation_policy: PolicyDto,
}

impl From<AvailabilityView> for AvailabilityDto {
    fn from(v: AvailabilityView) -> Self {
        Self {
            time_zone: v.time_zone,
            own_time_zone: v.own_time_zone,
            rules: v.rules.iter().map(RuleDto::from).collect(),
            exceptions: v.exceptions.into_iter().map(Into::into).collect(),
            services: v
                .services
                .into_iter()
                .map(|(id, t)| ServiceTimingDto {
                    service_id: id.0,
                    timing: t.into(),
                })
                .collect(),
            cancellation_policy: v.policy.into(),
        }
    }
}

/// `PATCH /providers/me/services/{service_id}`: switch it, or change its timing.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OfferedServicePatch {
    /// Whether customers can book it.
    pub is_active: Option<bool>,
    /// 5–1440.
    #[schema(minimum = 5, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    /// 5–1440.
    #[schema(minimum = 5, maximum = 1440)]
    pub slot_interval_minutes: Option<u32>,
    /// 0–720.
    #[schema(minimum = 0, maximum = 720)]
    pub buffer_before_minutes: Option<u32>,
    /// 0–720.
    #[schema(minimum = 0, maximum = 720)]
    pub buffer_after_minutes: Option<u32>,
    /// 0–43200.
    #[schema(minimum = 0, maximum = 43200)]
    pub min_notice_minutes: Option<u32>,
    /// 1–365.
    #[schema(minimum = 1, maximum = 365)]
    pub horizon_days: Option<u32>,
}

impl OfferedServicePatch {
    /// The timing fields, if any was sent.
    pub fn timing(&self) -> Option<TimingPatch> {
        let p = TimingPatch {
            duration_minutes: self.duration_minutes,
            slot_interval_minutes: self.slot_interval_minutes,
            buffer_before_minutes: self.buffer_before_minutes,
            buffer_after_minutes: self.buffer_after_minutes,
            min_notice_minutes: self.min_notice_minutes,
            horizon_days: self.horizon_days,
        };
        (p != TimingPatch::default()).then_some(p)
    }
}

/// Query of `GET /providers/{id}/slots`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// The offered service.
    pub service_id: i64,
    /// Start of the window (RFC 3339).
    pub from: DateTime<Utc>,
    /// End of the window, at most 31 days after `from`.
    pub to: DateTime<Utc>,
    /// IANA zone whose offsets the slots carry (default: the provider's).
    pub tz: Option<String>,
}

/// A free slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotDto {
    /// When the slot starts, in UTC.
    pub start: DateTime<Utc>,
    /// When it ends (start + the service's duration), in UTC.
    pub end: DateTime<Utc>,
    /// The offset of `tz` at `start`, `±HH:MM`.
    #[schema(example = "-05:00")]
    pub utc_offset: String,
}

impl From<Slot> for SlotDto {
    fn from(s: Slot) -> Self {
        let secs = s.utc_offset.local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let m = secs.unsigned_abs() / 60;
        Self {
            start: s.start,
            end: s.end,
            utc_offset: format!("{sign}{:02}:{:02}", m / 60, m % 60),
        }
    }
}

/// Free slots, in start order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotList {
    pub items: Vec<SlotDto>,
}

/// What a customer's cancel would cost now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancellationPreviewDto {
    /// 0 when free: before `free_until`, a job not accepted, without a price or a start.
    pub fee_cents: i64,
    /// The job's currency.
    pub currency: String,
    /// The last instant a cancel is free (null for a job without a start or a policy).
    pub free_until: Option<DateTime<Utc>>,
    /// The policy the job was booked under (null for jobs booked before policies).
    pub policy: Option<PolicyDto>,
}
