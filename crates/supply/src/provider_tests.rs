use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn at(day: u32) -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 1, day, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

pub(crate) fn pending() -> Provider {
    Provider {
        id: ProviderId(1),
        user_id: UserId(7),
        business_name: "Ann's Paws".into(),
        phone: "2125550100".into(),
        zipcode: "10001".into(),
        region_code: "nyc".into(),
        bio: None,
        status: ProviderStatus::Pending,
        under_review: false,
        warnings: 0,
        rejection_reason: None,
        approved_at: None,
        is_deleted: false,
        deleted_at: None,
        tenant_id: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

#[test]
fn approval_sets_the_date_and_only_happens_once() {
    let approved = pending().approve(at(2)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(approved.status, ProviderStatus::Approved);
    assert_eq!(approved.approved_at, Some(at(2)));
    assert!(approved.is_live_with(identity::model::UserStatus::Active));
    assert!(matches!(
        approved.approve(at(3)),
        Err(SupplyError::InvalidTransition(_))
    ));
}

#[test]
fn rejection_needs_a_reason_and_soft_deletes() {
    assert!(
        matches!(pending().reject("  ", at(2)), Err(SupplyError::Validation(f)) if f[0].field == "reason")
    );
    let rejected = pending()
        .reject(" no licence ", at(2))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rejected.rejection_reason.as_deref(), Some("no licence"));
    assert!(rejected.is_deleted && rejected.deleted_at == Some(at(2)));
    assert!(rejected.approve(at(3)).is_err());
}

#[test]
fn suspension_and_reinstatement_toggle_and_clear_the_slate() {
    let approved = pending().approve(at(2)).unwrap_or_else(|e| panic!("{e}"));
    let warned = approved
        .add_warning(3, at(3))
        .add_warning(3, at(3))
        .add_warning(3, at(3));
    assert!(warned.under_review && warned.warnings == 3);
    let suspended = warned.suspend(at(4)).unwrap_or_else(|e| panic!("{e}"));
    assert!(!suspended.is_live_with(identity::model::UserStatus::Active));
    assert!(suspended.suspend(at(4)).is_err());
    let back = suspended.reinstate(at(5)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        back.is_live_with(identity::model::UserStatus::Active)
            && back.warnings == 0
            && !back.under_review
    );
    assert!(pending().suspend(at(2)).is_err());
    assert!(pending().reinstate(at(2)).is_err());
}

#[test]
fn warnings_reach_review_at_the_threshold_and_clear() {
    let approved = pending().approve(at(2)).unwrap_or_else(|e| panic!("{e}"));
    let once = approved.add_warning(2, at(3));
    assert!(!once.under_review);
    let twice = once.add_warning(2, at(3));
    assert!(twice.under_review);
    let cleared = twice
        .clear_warnings(at(4))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!cleared.under_review && cleared.warnings == 0);
    assert!(pending().clear_warnings(at(2)).is_err());
}

#[test]
fn bans_are_for_approved_or_suspended_providers_and_final() {
    assert!(pending().ban(at(2)).is_err());
    let approved = pending().approve(at(2)).unwrap_or_else(|e| panic!("{e}"));
    let banned = approved.ban(at(3)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(banned.status, ProviderStatus::Banned);
    assert!(banned.reinstate(at(4)).is_err() && banned.suspend(at(4)).is_err());
    assert!(banned.ensure_bannable().is_err());
}

#[test]
fn the_reapply_guard_names_the_first_accepted_day() {
    assert!(check_reapply(None, 90, at(1)).is_ok());
    let err = check_reapply(Some(at(1)), 10, at(5));
    let expected = chrono::NaiveDate::from_ymd_opt(2026, 1, 11);
    assert!(matches!(err, Err(SupplyError::ReapplyTooSoon(d)) if Some(d) == expected));
    assert!(check_reapply(Some(at(1)), 10, at(11)).is_ok());
    assert!(check_reapply(Some(at(1)), 0, at(1)).is_ok());
}

#[test]
fn phones_are_normalised_to_digits() {
    assert_eq!(
        normalise_phone("(212) 555-0100").ok().as_deref(),
        Some("2125550100")
    );
    assert_eq!(
        normalise_phone("+1 212 555 0100").ok().as_deref(),
        Some("+12125550100")
    );
    assert!(normalise_phone("12345").is_err());
    assert!(normalise_phone("call me").is_err());
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Approve,
    Reject,
    Suspend,
    Reinstate,
    Clear,
    Ban,
    Warn,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Approve),
        Just(Action::Reject),
        Just(Action::Suspend),
        Just(Action::Reinstate),
        Just(Action::Clear),
        Just(Action::Ban),
        Just(Action::Warn),
    ]
}

proptest! {
    #[test]
    fn any_sequence_keeps_the_invariants(actions in proptest::collection::vec(action(), 0..20)) {
        let mut p = pending();
        let mut ever_approved = false;
        for (i, a) in actions.into_iter().enumerate() {
            let now = at(2) + Duration::minutes(i as i64);
            let before = p.status;
            let next = match a {
                Action::Approve => p.approve(now),
                Action::Reject => p.reject("spam", now),
                Action::Suspend => p.suspend(now),
                Action::Reinstate => p.reinstate(now),
                Action::Clear => p.clear_warnings(now),
                Action::Ban => p.ban(now),
                Action::Warn => Ok(p.add_warning(3, now)),
            };
            if let Ok(next) = next {
                // Terminal states never leave.
                if matches!(before, ProviderStatus::Rejected | ProviderStatus::Banned) {
                    prop_assert_eq!(next.status, before);
                }
                p = next;
            }
            ever_approved |= p.status == ProviderStatus::Approved;
            prop_assert_eq!(p.is_deleted, p.status == ProviderStatus::Rejected);
            prop_assert_eq!(p.rejection_reason.is_some(), p.status == ProviderStatus::Rejected);
            prop_assert_eq!(p.approved_at.is_some(), ever_approved);
            prop_assert!(p.warnings >= 0);
            prop_assert!(!p.under_review || p.warnings >= 3);
        }
    }
}

#[test]
fn rejected_and_banned_applications_are_closed_records() {
    assert!(pending().ensure_editable().is_ok());
    let rejected = pending()
        .reject("no licence", at(2))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        rejected.ensure_editable(),
        Err(SupplyError::InvalidTransition(_))
    ));
    let banned = Provider {
        status: ProviderStatus::Banned,
        ..pending()
    };
    assert!(banned.ensure_editable().is_err());
    let suspended = Provider {
        status: ProviderStatus::Suspended,
        ..pending()
    };
    assert!(suspended.ensure_editable().is_ok());
}
