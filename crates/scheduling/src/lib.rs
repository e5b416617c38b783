//! Scheduling (issue 19): when a provider can be booked.
//!
//! A provider's availability is a weekly set of [`WeeklyRule`]s in its IANA
//! time zone plus dated [`Exception`]s (time off, or extra hours). Each
//! offered service has its [`ServiceTiming`] (duration, slot interval,
//! buffers, minimum notice, horizon). [`free_slots`] turns these, the
//! provider's held and booked ranges and `now` into the bookable slots of a
//! window; [`Hold`] is the range a slot blocks, buffers included, and two
//! live holds of one provider never overlap. A [`CancellationPolicy`] says
//! what a customer's late cancel costs ([`cancellation_fee`]).
//!
//! Everything here is pure: the use cases load, call these rules and hand the
//! results to stores that only write them.

pub mod availability;
pub mod cancellation;
pub mod error;
pub mod ports;
pub mod service;
pub mod slots;
pub mod timing;

pub use availability::{Availability, Exception, ExceptionKind, WeeklyRule, parse_time_zone};
pub use cancellation::{CancellationPolicy, CancellationPreview, cancellation_fee};
pub use error::SchedulingError;
pub use slots::{Hold, MAX_WINDOW_DAYS, Slot, SlotQuery, free_slots, local_window};
pub use timing::{ServiceTiming, TimingDefaults, TimingPatch};
