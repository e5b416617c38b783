//! Platform settings: defaults, validation and stored overlays.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn patch(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[test]
fn defaults_are_those_of_the_spec() {
    let s = PlatformSettings::default();
    assert_eq!(
        (
            s.response_deadline_minutes(),
            s.warning_threshold(),
            s.popularity_window_days()
        ),
        (60, 3, 7)
    );
    assert_eq!((s.popularity_top_k(), s.popularity_min_searches()), (5, 10));
    assert_eq!(
        (s.platform_fee_bps(), s.rejected_reapply_cooldown_days()),
        (1000, 90)
    );
    assert_eq!(s.demand_digest_minutes(), 60);
    assert_eq!(
        (s.open_requests_per_pair(), s.open_requests_per_customer()),
        (3, 10)
    );
    assert_eq!(
        (s.chat_posts_per_minute(), s.upload_files_per_day()),
        (30, 100)
    );
    assert_eq!(
        (s.upload_bytes_per_day(), s.upload_bytes_stored()),
        (50 << 20, 500 << 20)
    );
    assert_eq!(s.sale_notices_per_hour(), 60);
    assert_eq!(s.default_timing(), (60, 0, 120, 60));
    assert_eq!(
        (s.cancellation_fee_cap_bps(), s.reminder_hours_before()),
        (10_000, 24)
    );
    assert_eq!(s.all().len(), 22);
}

#[test]
fn negative_thresholds_zero_deadlines_and_unknown_keys_are_refused() {
    let errors = PlatformSettings::validate_patch(&patch(json!({
        "warning_threshold": -1, "response_deadline_minutes": 0, "colour": 3, "popularity_top_k": "5",
        "demand_digest_minutes": 0
    })))
    .err()
    .unwrap_or_default();
    let mut fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "colour",
            "demand_digest_minutes",
            "popularity_top_k",
            "response_deadline_minutes",
            "warning_threshold"
        ]
    );
    assert!(PlatformSettings::validate_patch(&patch(json!({}))).is_err());
}

#[test]
fn valid_patches_apply_and_stored_rows_overlay_defaults() {
    let changes = PlatformSettings::validate_patch(&patch(json!({"popularity_top_k": 3})))
        .unwrap_or_default();
    let mut s = PlatformSettings::default();
    s.apply(&changes);
    assert_eq!(s.popularity_top_k(), 3);
    let stored = PlatformSettings::from_stored(&[
        ("warning_threshold".into(), json!(5)),
        ("popularity_top_k".into(), json!(-4)),
        ("nonsense".into(), json!(1)),
    ]);
    assert_eq!(
        (stored.warning_threshold(), stored.popularity_top_k()),
        (5, 5)
    );
}

proptest! {
    #[test]
    fn a_patch_is_accepted_exactly_when_in_range(n in -20_000i64..20_000) {
        let ok = PlatformSettings::validate_patch(&patch(json!({"platform_fee_bps": n}))).is_ok();
        prop_assert_eq!(ok, (0..=10_000).contains(&n));
    }
}

#[test]
fn a_switch_takes_a_boolean_or_0_and_1_and_nothing_else() {
    let patch = |v: serde_json::Value| {
        let mut m = serde_json::Map::new();
        m.insert("provider_cancel_counts_as_warning".into(), v);
        PlatformSettings::validate_patch(&m)
    };
    assert_eq!(
        patch(serde_json::json!(false)).unwrap(),
        vec![("provider_cancel_counts_as_warning", 0)]
    );
    assert_eq!(
        patch(serde_json::json!(true)).unwrap(),
        vec![("provider_cancel_counts_as_warning", 1)]
    );
    assert!(patch(serde_json::json!(2)).is_err());
    assert!(patch(serde_json::json!("yes")).is_err());
    // Booleans stay refused for numeric settings.
    let mut m = serde_json::Map::new();
    m.insert("warning_threshold".into(), serde_json::json!(true));
    assert!(PlatformSettings::validate_patch(&m).is_err());
    assert!(PlatformSettings::default().provider_cancel_counts_as_warning());
}
