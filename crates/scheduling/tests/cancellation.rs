//! Cancellation fees: the policies' windows and rates, the cap, rounding.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use scheduling::*;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-10T15:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn each_policy_is_free_until_its_window_then_charges_its_rate() {
    for (policy, hours, fee) in [
        (CancellationPolicy::Flexible, 24, 2_500),
        (CancellationPolicy::Moderate, 72, 5_000),
        (CancellationPolicy::Strict, 168, 10_000),
        (
            CancellationPolicy::Custom {
                window_hours: 5,
                fee_bps: 1_234,
            },
            5,
            1_234,
        ),
    ] {
        let free_until = start() - Duration::hours(hours);
        let at = |now| cancellation_fee(policy, true, Some(10_000), Some(start()), now, 10_000);
        assert_eq!(
            at(free_until).fee_cents,
            0,
            "{policy:?} at the last free instant"
        );
        assert_eq!(
            at(free_until + Duration::seconds(1)).fee_cents,
            fee,
            "{policy:?}"
        );
        assert_eq!(
            at(start() + Duration::hours(1)).fee_cents,
            fee,
            "after the start"
        );
        assert_eq!(at(free_until).free_until, Some(free_until));
    }
}

#[test]
fn only_an_accepted_priced_job_with_a_start_costs_anything() {
    let late = start() - Duration::hours(1);
    let p = CancellationPolicy::Strict;
    assert_eq!(
        cancellation_fee(p, false, Some(10_000), Some(start()), late, 10_000).fee_cents,
        0
    );
    assert_eq!(
        cancellation_fee(p, true, None, Some(start()), late, 10_000).fee_cents,
        0
    );
    let no_start = cancellation_fee(p, true, Some(10_000), None, late, 10_000);
    assert_eq!((no_start.fee_cents, no_start.free_until), (0, None));
}

#[test]
fn the_cap_bounds_the_rate_and_cents_round_half_up() {
    let late = start() - Duration::hours(1);
    let strict = CancellationPolicy::Strict;
    assert_eq!(
        cancellation_fee(strict, true, Some(10_000), Some(start()), late, 3_000).fee_cents,
        3_000
    );
    // 25 % of 1,002 cents is 250.5: 251.
    let flexible = CancellationPolicy::Flexible;
    assert_eq!(
        cancellation_fee(flexible, true, Some(1_002), Some(start()), late, 10_000).fee_cents,
        251
    );
}

#[test]
fn policies_parse_strictly() {
    assert_eq!(
        CancellationPolicy::parse("moderate", None, None),
        Ok(CancellationPolicy::Moderate)
    );
    assert!(CancellationPolicy::parse("moderate", Some(5), None).is_err());
    assert!(CancellationPolicy::parse("custom", Some(5), None).is_err());
    assert!(CancellationPolicy::parse("custom", Some(0), Some(100)).is_err());
    assert!(CancellationPolicy::parse("custom", Some(5), Some(10_001)).is_err());
    assert!(CancellationPolicy::parse("lenient", None, None).is_err());
    assert_eq!(
        CancellationPolicy::parse("custom", Some(720), Some(0)),
        Ok(CancellationPolicy::Custom {
            window_hours: 720,
            fee_bps: 0
        })
    );
}

proptest! {
    /// A fee is never negative nor above the capped rate of the price, and
    /// never charged before the window.
    #[test]
    fn a_fee_stays_within_the_price_and_the_cap(
        price in 0i64..=100_000_000,
        window_hours in 1u32..=720,
        fee_bps in 0u32..=10_000,
        cap in 0u32..=10_000,
        before_start_minutes in -10_000i64..100_000,
    ) {
        let policy = CancellationPolicy::Custom { window_hours, fee_bps };
        let now = start() - Duration::minutes(before_start_minutes);
        let p = cancellation_fee(policy, true, Some(price), Some(start()), now, cap);
        let most = (i128::from(price) * i128::from(fee_bps.min(cap)) + 5_000) / 10_000;
        prop_assert!(p.fee_cents >= 0 && i128::from(p.fee_cents) <= most && p.fee_cents <= price);
        if now <= start() - Duration::hours(i64::from(window_hours)) {
            prop_assert_eq!(p.fee_cents, 0);
        }
    }
}
