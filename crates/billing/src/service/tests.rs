//! Use-case tests over mocked ports.

use std::sync::Arc;

use futures_executor::block_on;
use identity::ports::MockPasswordHasher;
use kernel::{Ctx, Currency, FixedClock, Role, StoreError, TenantId, UserId};

use super::*;
use crate::model::{Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus, TenantRole};
use crate::ports::{
    MockContactRepository, MockInvoiceRepository, MockPartyRepository, MockPortalTokens,
    MockTenantRepository,
};

fn now() -> kernel::Timestamp {
    chrono::DateTime::UNIX_EPOCH
}

struct Mocks {
    tenants: MockTenantRepository,
    parties: MockPartyRepository,
    contacts: MockContactRepository,
    invoices: MockInvoiceRepository,
    hasher: MockPasswordHasher,
}

impl Mocks {
    fn member(role: TenantRole) -> Self {
        let mut tenants = MockTenantRepository::new();
        tenants
            .expect_membership()
            .returning(move |_| Ok(Some((TenantId(1), role))));
        Self {
            tenants,
            parties: MockPartyRepository::new(),
            contacts: MockContactRepository::new(),
            invoices: MockInvoiceRepository::new(),
            hasher: MockPasswordHasher::new(),
        }
    }

    fn service(self) -> BillingService {
        BillingService::new(BillingPorts {
            tenants: Arc::new(self.tenants),
            parties: Arc::new(self.parties),
            contacts: Arc::new(self.contacts),
            invoices: Arc::new(self.invoices),
            hasher: Arc::new(self.hasher),
            portal_tokens: Arc::new(MockPortalTokens::new()),
            clock: Arc::new(FixedClock(now())),
        })
    }
}

fn ctx() -> Ctx {
    Ctx::new(UserId(9), vec![Role::Provider])
}

fn issued(amount: i64, version: i64) -> Invoice {
    Invoice {
        id: 5,
        number: "INV-000001".into(),
        client_party_id: None,
        status: InvoiceStatus::Issued,
        currency: Currency::USD,
        amount_cents: amount,
        deposit_cents: 0,
        balance_cents: amount,
        due_date: None,
        issued_at: Some(now()),
        notes: None,
        is_marketplace_invoice: false,
        version,
        lines: Vec::new(),
        created_at: now(),
        updated_at: now(),
    }
}

fn payment(hash: &str) -> Payment {
    Payment {
        id: 77,
        invoice_id: 5,
        amount_cents: 100,
        refunded_cents: 0,
        refund_reason: None,
        currency: Currency::USD,
        status: PaymentStatus::Succeeded,
        method: PaymentMethod::Cash,
        reference: None,
        received_at: now(),
        idempotency_key: Some("k1".into()),
        request_hash: Some(hash.into()),
        created_at: now(),
    }
}

fn pay(key: Option<&str>) -> PaymentInput {
    PaymentInput {
        amount_cents: 100,
        method: "cash".into(),
        reference: None,
        received_at: None,
        idempotency_key: key.map(Into::into),
    }
}

#[test]
fn users_without_a_tenant_are_refused() {
    let mut m = Mocks::member(TenantRole::Owner);
    m.tenants = MockTenantRepository::new();
    m.tenants.expect_membership().returning(|_| Ok(None));
    let err = block_on(m.service().parties(&ctx(), &kernel::PageRequest::default()));
    assert!(matches!(err, Err(BillingError::NoTenant)));
}

#[test]
fn a_payment_losing_a_race_is_retried_on_the_fresh_invoice() {
    let mut m = Mocks::member(TenantRole::Staff);
    m.invoices
        .expect_payment_by_key()
        .returning(|_, _| Ok(None));
    let mut seq = mockall::Sequence::new();
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(issued(1_000, 1))));
    m.invoices
        .expect_record_payment()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _, _| Err(StoreError::Stale));
    // Someone else paid 950 meanwhile: only 50 is left, so this payment of 100 is now refused.
    let mut after = issued(1_000, 2);
    after.apply_payment(950).unwrap_or_else(|e| panic!("{e}"));
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |_, _| Ok(Some(after.clone())));
    let result = block_on(m.service().record_payment(&ctx(), 5, pay(Some("k1"))));
    assert!(
        matches!(result, Err(BillingError::Validation(ref f)) if f[0].field == "amount_cents"),
        "{result:?}"
    );
}

#[test]
fn a_retried_request_gets_the_first_payment_back() {
    let mut m = Mocks::member(TenantRole::Staff);
    m.invoices
        .expect_payment_by_key()
        .returning(|_, _| Ok(Some(payment("5|100|cash||"))));
    m.invoices
        .expect_get()
        .returning(|_, _| Ok(Some(issued(1_000, 2))));
    m.invoices.expect_record_payment().never();
    let outcome = block_on(m.service().record_payment(&ctx(), 5, pay(Some("k1"))));
    assert!(matches!(outcome, Ok(ref o) if o.replayed && o.payment.id == 77));
}

#[test]
fn the_same_key_with_another_body_is_a_422() {
    let mut m = Mocks::member(TenantRole::Staff);
    m.invoices
        .expect_payment_by_key()
        .returning(|_, _| Ok(Some(payment("5|999|cash||"))));
    m.invoices.expect_record_payment().never();
    let err = block_on(m.service().record_payment(&ctx(), 5, pay(Some("k1"))));
    assert!(matches!(err, Err(BillingError::Validation(ref f)) if f[0].field == "Idempotency-Key"));
}

#[test]
fn invoices_for_another_tenants_party_are_not_found() {
    let mut m = Mocks::member(TenantRole::Staff);
    m.parties
        .expect_get()
        .withf(|t, id| *t == TenantId(1) && *id == 42)
        .returning(|_, _| Ok(None));
    m.invoices.expect_create().never();
    let input = InvoiceInput {
        client_party_id: Some(Some(42)),
        lines: Some(vec![crate::invoice::LineInput {
            description: "x".into(),
            quantity: 1,
            unit_price_cents: 1,
        }]),
        ..InvoiceInput::default()
    };
    assert!(matches!(
        block_on(m.service().create_invoice(&ctx(), input)),
        Err(BillingError::NotFound)
    ));
}

#[test]
fn portal_login_fails_alike_and_still_spends_the_hashing_time() {
    let mut m = Mocks::member(TenantRole::Staff);
    m.tenants.expect_find_by_slug().returning(|_| Ok(None));
    m.hasher
        .expect_verify()
        .withf(|_, hash| hash.is_none())
        .times(1)
        .returning(|_, _| Ok(false));
    let err = block_on(
        m.service()
            .portal_login("nope", "a@example.com", "whatever-password"),
    );
    assert!(matches!(err, Err(BillingError::InvalidCredentials)));
}

#[test]
fn losing_a_race_to_the_same_key_replays_the_winner() {
    let mut m = Mocks::member(TenantRole::Staff);
    let mut seq = mockall::Sequence::new();
    m.invoices
        .expect_payment_by_key()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(None));
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(issued(100, 1))));
    m.invoices
        .expect_record_payment()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _, _| Err(StoreError::Stale));
    m.invoices
        .expect_payment_by_key()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(payment("5|100|cash||"))));
    let mut paid = issued(100, 2);
    paid.apply_payment(100).unwrap_or_else(|e| panic!("{e}"));
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |_, _| Ok(Some(paid.clone())));
    let outcome = block_on(m.service().record_payment(&ctx(), 5, pay(Some("k1"))));
    assert!(
        matches!(outcome, Ok(ref o) if o.replayed && o.payment.id == 77),
        "{outcome:?}"
    );
}

#[test]
fn a_void_losing_a_race_without_if_match_is_judged_on_the_fresh_invoice() {
    let mut m = Mocks::member(TenantRole::Staff);
    let mut seq = mockall::Sequence::new();
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(issued(1_000, 1))));
    m.invoices
        .expect_save()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Err(StoreError::Stale));
    let mut voided = issued(1_000, 2);
    voided.status = InvoiceStatus::Void;
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |_, _| Ok(Some(voided.clone())));
    let err = block_on(
        m.service()
            .void_invoice(&ctx(), 5, &crate::invoice::Precondition::Absent),
    );
    assert!(matches!(err, Err(BillingError::Conflict(_))), "{err:?}");
}

#[test]
fn a_change_losing_a_race_with_if_match_is_a_412() {
    let mut m = Mocks::member(TenantRole::Staff);
    let mut seq = mockall::Sequence::new();
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(issued(1_000, 1))));
    m.invoices
        .expect_save()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Err(StoreError::Stale));
    m.invoices
        .expect_get()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(issued(1_000, 2))));
    let tags = crate::invoice::Precondition::Versions(vec![1]);
    let err = block_on(m.service().void_invoice(&ctx(), 5, &tags));
    assert!(
        matches!(err, Err(BillingError::Stale { current: 2 })),
        "{err:?}"
    );
}

#[test]
fn dates_outside_the_range_never_reach_storage() {
    let mut m = Mocks::member(TenantRole::Staff);
    m.invoices.expect_create().never();
    m.invoices.expect_list().never();
    let input = InvoiceInput {
        due_date: Some(chrono::NaiveDate::from_ymd_opt(-4999, 1, 1)),
        lines: Some(vec![crate::invoice::LineInput {
            description: "x".into(),
            quantity: 1,
            unit_price_cents: 1,
        }]),
        ..InvoiceInput::default()
    };
    let service = m.service();
    let err = block_on(service.create_invoice(&ctx(), input));
    assert!(matches!(err, Err(BillingError::Validation(ref f)) if f[0].field == "due_date"));
    let query = crate::service::InvoiceListQuery {
        due_after: chrono::NaiveDate::from_ymd_opt(10_000, 1, 1),
        ..Default::default()
    };
    let err = block_on(service.invoices(&ctx(), query, &kernel::PageRequest::default()));
    assert!(matches!(err, Err(BillingError::Validation(ref f)) if f[0].field == "due_after"));
}
