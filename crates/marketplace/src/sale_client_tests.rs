//! Sales that name a client user: only real clients, the same refusal for an
//! id that names nobody, the hourly allowance, and what the client is told.

use chrono::TimeDelta;
use futures_executor::block_on;
use kernel::Refusal as _;
use kernel::{FieldError, TenantId, UserId};

use crate::sale::{SaleAction, SaleError, SaleInput, SaleStatus};
use std::sync::Arc;

use crate::sale_ports::MockSaleRepository;
use crate::sale_service::{NOT_A_CLIENT, decide, recorded_effects, retry_after_secs};
use crate::sale_tests::{input, now, record, staff};
use crate::sale_unit_of_work::ClientSales;
use crate::sale_unit_tests::{Check, Log, any_sale, entries, none_found, recording, service_with};

fn naming(client: i64) -> SaleInput {
    SaleInput {
        client_user_id: Some(client),
        ..input()
    }
}

fn seller_repo() -> MockSaleRepository {
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant()
        .returning(|_| Ok(Some(TenantId(3))));
    repo.expect_seller_of().returning(|_| Ok(Some(UserId(7))));
    repo.expect_fee_bps().returning(|| Ok(1000));
    repo.expect_sale_notices_per_hour().returning(|| Ok(60));
    repo
}

#[test]
fn a_stranger_and_an_unknown_id_get_the_same_refusal() {
    let mut repo = seller_repo();
    // User 8 is a client; 9 exists but is not; 999 names nobody.
    repo.expect_is_client_of()
        .withf(|t, s, _| *t == TenantId(3) && *s == UserId(7))
        .returning(|_, _, u| Ok(u == UserId(8)));
    let log = Log::default();
    let check: Check = Arc::new(|new| new.fields.client_user_id == Some(UserId(8)));
    let svc = service_with(repo, recording(none_found(), check, &log));
    assert!(block_on(svc.create(&staff(), naming(8))).is_ok());
    let refusals: Vec<_> = [9, 999]
        .into_iter()
        .map(|u| block_on(svc.create(&staff(), naming(u))))
        .collect();
    let expected = Err(SaleError::Validation(vec![FieldError::new(
        "client_user_id",
        NOT_A_CLIENT,
    )]));
    assert_eq!(refusals, [expected.clone(), expected]);
}

#[test]
fn only_a_sale_naming_a_client_counts_against_the_allowance() {
    let mut repo = seller_repo();
    repo.expect_is_client_of().returning(|_, _, _| Ok(true));
    let log = Log::default();
    let check: Check = Arc::new(|new| match new.fields.client_user_id {
        Some(_) => new
            .allowance
            .is_some_and(|a| a.max == 60 && a.since == now() - TimeDelta::hours(1)),
        None => new.allowance.is_none(),
    });
    let svc = service_with(repo, recording(none_found(), check, &log));
    assert!(block_on(svc.create(&staff(), naming(8))).is_ok());
    // Counted under the tenant's lock, then inserted, and the client told.
    assert_eq!(entries(&log)[..3], ["count(3)", "insert", "effects(1)"]);
    assert!(block_on(svc.create(&staff(), input())).is_ok());
    assert_eq!(
        entries(&log)
            .iter()
            .filter(|e| e.starts_with("count"))
            .count(),
        1
    );
}

#[test]
fn a_used_allowance_is_a_quota_refusal_with_the_wait() {
    let mut repo = seller_repo();
    repo.expect_is_client_of().returning(|_, _, _| Ok(true));
    let oldest = now() - TimeDelta::minutes(45);
    let log = Log::default();
    let found = ClientSales {
        count: 60,
        oldest: Some(oldest),
    };
    let err = block_on(
        service_with(repo, recording(found, any_sale(), &log)).create(&staff(), naming(8)),
    )
    .unwrap_err();
    // Nothing was written.
    assert_eq!(entries(&log), ["count(3)"]);
    assert_eq!(
        err,
        SaleError::QuotaExceeded {
            limit: 60,
            retry_after_secs: 15 * 60
        }
    );
    assert_eq!(err.code(), "quota_exceeded");
    assert_eq!(err.kind(), kernel::ErrorKind::RateLimited);
    // Never less than a second.
    assert_eq!(retry_after_secs(now() - TimeDelta::hours(2), now()), 1);
}

#[test]
fn the_providers_words_are_quoted_inside_the_platforms_subject() {
    let phishing = "Your account is locked, call +1 555 0100 now";
    let mut sale = record(SaleStatus::Pending);
    sale.service_description = phishing.into();
    sale.amount_cents = 1_234_567;
    let effects = recorded_effects(&sale);
    let m = &effects.messages[0];
    assert!(
        m.subject
            .starts_with("A provider recorded a purchase for you (#5): “"),
        "{}",
        m.subject
    );
    assert!(
        m.subject.contains(&format!("“{phishing}”")),
        "{}",
        m.subject
    );
    assert_ne!(m.subject, phishing);
    assert!(
        m.body.starts_with("A provider recorded a purchase"),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains(&format!("in their own words as: “{phishing}”")),
        "{}",
        m.body
    );
    // Money in the sale's currency, never raw minor units.
    assert!(m.body.contains("USD 12,345.67"), "{}", m.body);
    assert!(!m.body.contains("1234567"), "{}", m.body);
    // A long description is cut in the subject; new lines never break it.
    sale.service_description = format!("{}\nSecond line", "x".repeat(200));
    let m = &recorded_effects(&sale).messages[0];
    assert!(m.subject.chars().count() < 120, "{}", m.subject);
    assert!(!m.subject.contains('\n'));
}

#[test]
fn every_notice_writes_money_in_the_sales_currency() {
    let mut sale = record(SaleStatus::Pending);
    sale.amount_cents = 123_457;
    for (currency, shown) in [
        ("USD", "USD 1,234.57"),
        ("JPY", "JPY 123,457"),
        ("KWD", "KWD 123.457"),
    ] {
        sale.currency = currency.into();
        let mut bodies = vec![recorded_effects(&sale).messages[0].body.clone()];
        for (status, action) in [
            (SaleStatus::Pending, SaleAction::Complete),
            (SaleStatus::Pending, SaleAction::Cancel),
            (SaleStatus::Completed, SaleAction::Refund),
        ] {
            sale.status = status;
            let change = decide(&sale, action, now()).unwrap();
            bodies.push(change.effects.messages[0].body.clone());
        }
        for body in bodies {
            assert!(body.contains(shown), "{body}");
            assert!(!body.contains("123457"), "{body}");
        }
    }
}
