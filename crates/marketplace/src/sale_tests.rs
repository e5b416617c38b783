//! Sale rules and use cases: every edge and its invoice follow-up, input
//! checks, who may act, and the re-decision of a lost race.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use futures_executor::block_on;
use jobs::payment::PayMethod;
use kernel::{Ctx, FixedClock, Role, TenantId, Timestamp, UserId};

use crate::sale::{
    EDGES, InvoiceFollow, SaleAction, SaleError, SaleInput, SaleRecord, SaleStatus, invoice_follow,
    transition,
};
use crate::sale_ports::MockSaleRepository;
use crate::sale_service::{SaleService, decide, is_final};

pub(crate) fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

pub(crate) fn input() -> SaleInput {
    SaleInput {
        service_description: Some(" Lawn mowing ".into()),
        amount_cents: Some(12_345),
        transaction_date: Some("2026-11-29".into()),
        ..SaleInput::default()
    }
}

pub(crate) fn record(status: SaleStatus) -> SaleRecord {
    SaleRecord {
        id: 5,
        provider_tenant_id: TenantId(3),
        provider_user_id: UserId(7),
        client_party_id: None,
        client_user_id: Some(UserId(8)),
        service_listing_id: None,
        job_id: None,
        service_description: "Lawn mowing".into(),
        amount_cents: 12_345,
        currency: "USD".into(),
        platform_fee_cents: 1_235,
        net_payout_cents: 11_110,
        transaction_date: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        status,
        kind: "sale".into(),
        payment_method: Some("card".into()),
        notes: None,
        invoice_id: Some(11),
        created_at: now(),
        updated_at: now(),
    }
}

/// The use cases over `repo`; a unit of work opened by them fails the test.
pub(crate) fn service(repo: MockSaleRepository) -> SaleService {
    SaleService::new(
        Arc::new(repo),
        Arc::new(crate::sale_unit_of_work::MockSaleUnits::new()),
        Arc::new(FixedClock(now())),
    )
}

pub(crate) fn staff() -> Ctx {
    Ctx::new(UserId(7), vec![Role::Provider])
}

#[test]
fn only_the_three_edges_exist() {
    for from in SaleStatus::ALL {
        for action in SaleAction::ALL {
            let expected = match (action, from) {
                (SaleAction::Complete, SaleStatus::Pending) => Some(SaleStatus::Completed),
                (SaleAction::Cancel, SaleStatus::Pending) => Some(SaleStatus::Cancelled),
                (SaleAction::Refund, SaleStatus::Completed) => Some(SaleStatus::Refunded),
                _ => None,
            };
            assert_eq!(
                transition(from, action).ok(),
                expected,
                "{action:?} from {from:?}"
            );
        }
    }
    assert_eq!(EDGES.len(), 3);
    assert_eq!(
        transition(SaleStatus::Refunded, SaleAction::Refund),
        Err(SaleError::InvalidTransition {
            action: "refund",
            status: "refunded"
        })
    );
    assert!(is_final(SaleStatus::Refunded) && is_final(SaleStatus::Cancelled));
    assert!(!is_final(SaleStatus::Pending) && !is_final(SaleStatus::Completed));
    for s in SaleStatus::ALL {
        assert_eq!(SaleStatus::parse(s.as_str()), Some(s));
    }
}

#[test]
fn the_invoice_follows_each_edge() {
    assert_eq!(
        invoice_follow(SaleAction::Complete, None),
        InvoiceFollow::PayInFull {
            method: PayMethod::Other
        }
    );
    assert_eq!(
        invoice_follow(SaleAction::Complete, Some(PayMethod::Card)),
        InvoiceFollow::PayInFull {
            method: PayMethod::Card
        }
    );
    assert_eq!(
        invoice_follow(SaleAction::Cancel, None),
        InvoiceFollow::Void
    );
    assert_eq!(
        invoice_follow(SaleAction::Refund, None),
        InvoiceFollow::RefundInFull
    );
    let change = decide(&record(SaleStatus::Pending), SaleAction::Complete, now()).unwrap();
    assert_eq!(
        (change.from, change.to, change.invoice),
        (
            SaleStatus::Pending,
            SaleStatus::Completed,
            InvoiceFollow::PayInFull {
                method: PayMethod::Card
            }
        )
    );
    // The client is told, with the new status.
    assert_eq!(change.effects.messages.len(), 1);
    assert_eq!(change.effects.messages[0].data["status"], "completed");
    let no_client = SaleRecord {
        client_user_id: None,
        ..record(SaleStatus::Completed)
    };
    let change = decide(&no_client, SaleAction::Refund, now()).unwrap();
    assert!(change.effects.messages.is_empty());
}

#[test]
fn input_is_checked_field_by_field() {
    let fields = input().check().unwrap();
    assert_eq!(fields.service_description, "Lawn mowing");
    assert_eq!(fields.currency, "USD");
    let bad = SaleInput {
        service_description: Some("  ".into()),
        amount_cents: Some(0),
        transaction_date: Some("29/11/2026".into()),
        currency: Some("dollars".into()),
        payment_method: Some("gold".into()),
        client_party_id: Some(-1),
        ..SaleInput::default()
    };
    let Err(SaleError::Validation(errors)) = bad.check() else {
        panic!("expected a validation error");
    };
    let mut fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "amount_cents",
            "client_party_id",
            "currency",
            "payment_method",
            "service_description",
            "transaction_date"
        ]
    );
    let Err(SaleError::Validation(errors)) = SaleInput::default().check() else {
        panic!("expected a validation error");
    };
    assert_eq!(errors.len(), 3);
    // Above 2^31 cents is fine.
    let big = SaleInput {
        amount_cents: Some(5_000_000_000),
        ..input()
    };
    assert_eq!(big.check().unwrap().amount_cents, 5_000_000_000);
}

#[test]
fn create_needs_a_tenant() {
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant().returning(|_| Ok(None));
    let err = block_on(service(repo).create(&staff(), input())).unwrap_err();
    assert!(matches!(err, SaleError::Forbidden(_)));
}

#[test]
fn another_tenants_party_or_listing_is_not_found() {
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant()
        .returning(|_| Ok(Some(TenantId(3))));
    repo.expect_seller_of().returning(|_| Ok(Some(UserId(7))));
    repo.expect_party_in_tenant().returning(|_, _| Ok(false));
    repo.expect_listing_of().returning(|_, _, _| Ok(false));
    let svc = service(repo);
    let with_party = SaleInput {
        client_party_id: Some(4),
        ..input()
    };
    assert_eq!(
        block_on(svc.create(&staff(), with_party)),
        Err(SaleError::NotFound)
    );
    let with_listing = SaleInput {
        service_listing_id: Some(4),
        ..input()
    };
    assert_eq!(
        block_on(svc.create(&staff(), with_listing)),
        Err(SaleError::NotFound)
    );
}

#[test]
fn the_client_sees_but_does_not_act_and_others_get_404() {
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant().returning(|_| Ok(None));
    repo.expect_find_visible()
        .returning(|_, v| Ok((v.user_id == UserId(8)).then(|| record(SaleStatus::Completed))));
    let svc = service(repo);
    let client = Ctx::new(UserId(8), vec![Role::Customer]);
    assert!(matches!(
        block_on(svc.act(&client, 5, SaleAction::Refund)),
        Err(SaleError::Forbidden(_))
    ));
    let stranger = Ctx::new(UserId(99), vec![Role::Customer]);
    assert_eq!(
        block_on(svc.act(&stranger, 5, SaleAction::Refund)),
        Err(SaleError::NotFound)
    );
}

mod machine {
    use proptest::prelude::*;

    use crate::sale::{SaleAction, SaleStatus, transition};

    fn action() -> impl Strategy<Value = SaleAction> {
        prop::sample::select(SaleAction::ALL.to_vec())
    }

    proptest! {
        /// Whatever is asked, in any order: a sale is refunded only after it
        /// was completed, at most once, and cancelled only from pending; an
        /// end state refuses everything.
        #[test]
        fn any_sequence_keeps_the_money_straight(actions in prop::collection::vec(action(), 0..12)) {
            let mut status = SaleStatus::Pending;
            let (mut completions, mut refunds, mut cancels) = (0, 0, 0);
            for a in actions {
                let before = status;
                match transition(status, a) {
                    Ok(to) => {
                        match a {
                            SaleAction::Complete => completions += 1,
                            SaleAction::Refund => refunds += 1,
                            SaleAction::Cancel => cancels += 1,
                        }
                        status = to;
                    }
                    Err(_) => prop_assert_eq!(status, before),
                }
                prop_assert!(refunds <= completions);
                prop_assert!(completions + cancels <= 1);
                prop_assert!(refunds <= 1);
            }
            if status == SaleStatus::Refunded {
                prop_assert_eq!((completions, refunds), (1, 1));
            }
        }
    }
}
