//! A sale's lifecycle over a mocked unit of work: what recording and each
//! edge write, in which order, and how the invoice follows by billing's
//! rules — paid, voided, refunded, or refused when billing moved it.

use std::sync::{Arc, Mutex};

use billing::books::MockBooksStore;
use billing::{Invoice, InvoiceLine, InvoiceStatus, Payment, PaymentMethod, PaymentStatus};
use chrono::NaiveDate;
use futures_executor::block_on;
use kernel::{Currency, StoreError, TenantId};

use crate::sale::{SaleAction, SaleError, SaleStatus};
use crate::sale_ports::{MockSaleRepository, NewSale};
use crate::sale_service::SaleService;
use crate::sale_tests::{now, record, staff};
use crate::sale_unit_of_work::{ClientSales, MockSaleStore, MockSaleUnitOfWork, MockSaleUnits};

/// Every write of the units, in order.
pub(crate) type Log = Arc<Mutex<Vec<String>>>;

pub(crate) fn note(log: &Log, what: impl Into<String>) {
    log.lock().unwrap().push(what.into());
}

pub(crate) fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

pub(crate) fn service_with(repo: MockSaleRepository, units: MockSaleUnits) -> SaleService {
    SaleService::new(
        Arc::new(repo),
        Arc::new(units),
        Arc::new(kernel::FixedClock(now())),
    )
}

/// What a recording unit checks of the new sale.
pub(crate) type Check = Arc<dyn Fn(&NewSale) -> bool + Send + Sync>;

/// Units that record a sale: the tenant's client sales are `found`, the
/// insert is checked by `check` and gets id 5, the invoice id 11.
pub(crate) fn recording(found: ClientSales, check: Check, log: &Log) -> MockSaleUnits {
    let log = log.clone();
    let mut units = MockSaleUnits::new();
    units.expect_begin().returning(move || {
        let mut unit = MockSaleUnitOfWork::new();
        let mut sales = MockSaleStore::new();
        let l = log.clone();
        sales
            .expect_client_sales_since()
            .returning(move |tenant, _| {
                note(&l, format!("count({})", tenant.0));
                Ok(found)
            });
        let (l, c) = (log.clone(), check.clone());
        sales.expect_insert().returning(move |new| {
            assert!(c(new), "{new:?}");
            note(&l, "insert");
            Ok(5)
        });
        let l = log.clone();
        sales.expect_effects().returning(move |effects, _| {
            note(&l, format!("effects({})", effects.messages.len()));
            Ok(())
        });
        unit.expect_sales().return_once(move || Box::new(sales));
        let l = log.clone();
        unit.expect_books().returning(move |tenant| {
            note(&l, format!("books({})", tenant.0));
            let mut books = MockBooksStore::new();
            let l = l.clone();
            books
                .expect_insert_invoice()
                .returning(move |invoice, sale| {
                    // Billing's rules issued it for the whole amount.
                    assert_eq!(sale, 5);
                    assert_eq!(invoice.status, InvoiceStatus::Issued);
                    assert_eq!(invoice.balance_cents, invoice.amount_cents);
                    assert!(invoice.is_marketplace_invoice);
                    note(&l, "invoice");
                    Ok(Invoice { id: 11, ..invoice })
                });
            Box::new(books)
        });
        let l = log.clone();
        unit.expect_commit().returning(move || {
            note(&l, "commit");
            Ok(())
        });
        Ok(Box::new(unit))
    });
    units
}

pub(crate) fn none_found() -> ClientSales {
    ClientSales {
        count: 0,
        oldest: None,
    }
}

pub(crate) fn any_sale() -> Check {
    Arc::new(|_| true)
}

fn invoice(status: InvoiceStatus, balance: i64) -> Invoice {
    Invoice {
        id: 11,
        number: "INV-000001".into(),
        client_party_id: None,
        status,
        currency: Currency::USD,
        amount_cents: 12_345,
        deposit_cents: 0,
        balance_cents: balance,
        due_date: NaiveDate::from_ymd_opt(2026, 11, 29),
        issued_at: Some(now()),
        notes: None,
        is_marketplace_invoice: true,
        version: 4,
        lines: vec![InvoiceLine {
            description: "Lawn mowing".into(),
            quantity: 1,
            unit_price_cents: 12_345,
            amount_cents: 12_345,
        }],
        created_at: now(),
        updated_at: now(),
    }
}

fn payment(amount: i64, refunded: i64) -> Payment {
    Payment {
        id: 21,
        invoice_id: 11,
        amount_cents: amount,
        refunded_cents: refunded,
        refund_reason: None,
        currency: Currency::USD,
        status: PaymentStatus::Succeeded,
        method: PaymentMethod::Card,
        reference: None,
        received_at: now(),
        idempotency_key: None,
        request_hash: None,
        created_at: now(),
    }
}

fn staff_repo(status: SaleStatus) -> MockSaleRepository {
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant()
        .returning(|_| Ok(Some(TenantId(3))));
    repo.expect_find_visible()
        .returning(move |_, _| Ok(Some(record(status))));
    repo
}

/// A unit that moves the sale and finds its invoice as `found` with `paid`
/// among its payments; every book write is logged with what it wrote.
fn acting(found: Invoice, paid: Vec<Payment>, log: &Log) -> MockSaleUnits {
    let log = log.clone();
    let mut units = MockSaleUnits::new();
    units.expect_begin().times(1).return_once(move || {
        let mut unit = MockSaleUnitOfWork::new();
        let mut sales = MockSaleStore::new();
        let l = log.clone();
        sales.expect_move_status().returning(move |change| {
            note(&l, format!("move({:?}->{:?})", change.from, change.to));
            Ok(())
        });
        let l = log.clone();
        sales.expect_effects().returning(move |_, _| {
            note(&l, "effects");
            Ok(())
        });
        unit.expect_sales().return_once(move || Box::new(sales));
        let mut books = MockBooksStore::new();
        books
            .expect_invoice_of_sale()
            .returning(move |_| Ok(Some(found.clone())));
        books.expect_payments().returning(move |_| Ok(paid.clone()));
        let l = log.clone();
        books.expect_save_invoice().returning(move |inv, expected| {
            note(
                &l,
                format!(
                    "invoice {} balance {} (v{expected})",
                    inv.status.as_str(),
                    inv.balance_cents
                ),
            );
            Ok(())
        });
        let l = log.clone();
        books.expect_insert_payment().returning(move |inv, p, at| {
            note(
                &l,
                format!("payment {} {}", p.amount_cents, p.method.as_str()),
            );
            Ok(Payment {
                amount_cents: p.amount_cents,
                received_at: at,
                invoice_id: inv.id,
                ..payment(p.amount_cents, 0)
            })
        });
        let l = log.clone();
        books.expect_save_refund().returning(move |p, before| {
            note(
                &l,
                format!(
                    "refund {} of {} (was {before})",
                    p.refunded_cents, p.amount_cents
                ),
            );
            Ok(())
        });
        let l = log.clone();
        unit.expect_books().return_once(move |tenant| {
            note(&l, format!("books({})", tenant.0));
            Box::new(books)
        });
        let l = log.clone();
        unit.expect_commit().returning(move || {
            note(&l, "commit");
            Ok(())
        });
        Ok(Box::new(unit))
    });
    units
}

#[test]
fn recording_writes_the_sale_its_notice_then_its_issued_invoice() {
    let log = Log::default();
    let check: Check = Arc::new(|new| {
        new.split.fee_cents == 1_235
            && new.split.net_cents == 11_110
            && new.tenant_id == TenantId(3)
            && new.provider_user_id == kernel::UserId(7)
    });
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant()
        .returning(|_| Ok(Some(TenantId(3))));
    repo.expect_seller_of()
        .returning(|_| Ok(Some(kernel::UserId(7))));
    repo.expect_fee_bps().returning(|| Ok(1000));
    let made = block_on(
        service_with(repo, recording(none_found(), check, &log))
            .create(&staff(), crate::sale_tests::input()),
    )
    .unwrap();
    assert_eq!((made.id, made.invoice_id), (5, Some(11)));
    assert_eq!(made.status, SaleStatus::Pending);
    // No client named: nothing counted, nobody told.
    assert_eq!(
        entries(&log),
        ["insert", "effects(0)", "books(3)", "invoice", "commit"]
    );
}

#[test]
fn completing_pays_the_invoice_in_full_by_billings_rules() {
    let log = Log::default();
    let units = acting(invoice(InvoiceStatus::Issued, 12_345), vec![], &log);
    let done = block_on(service_with(staff_repo(SaleStatus::Pending), units).act(
        &staff(),
        5,
        SaleAction::Complete,
    ));
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(
        entries(&log),
        [
            "move(Pending->Completed)",
            "effects",
            "books(3)",
            "invoice paid balance 0 (v4)",
            "payment 12345 card",
            "commit"
        ]
    );
}

#[test]
fn cancelling_voids_the_invoice() {
    let log = Log::default();
    let units = acting(invoice(InvoiceStatus::Issued, 12_345), vec![], &log);
    block_on(service_with(staff_repo(SaleStatus::Pending), units).act(
        &staff(),
        5,
        SaleAction::Cancel,
    ))
    .unwrap();
    assert_eq!(
        entries(&log)[3..],
        ["invoice void balance 12345 (v4)", "commit"]
    );
}

#[test]
fn refunding_gives_back_every_payment_and_the_invoice_is_issued_again() {
    let log = Log::default();
    // Billing had already given back 345 of the payment.
    let units = acting(
        invoice(InvoiceStatus::PartiallyPaid, 345),
        vec![payment(12_345, 345)],
        &log,
    );
    block_on(service_with(staff_repo(SaleStatus::Completed), units).act(
        &staff(),
        5,
        SaleAction::Refund,
    ))
    .unwrap();
    assert_eq!(
        entries(&log)[3..],
        [
            "refund 12345 of 12345 (was 345)",
            "invoice issued balance 12345 (v4)",
            "commit"
        ]
    );
}

#[test]
fn an_invoice_billing_moved_refuses_the_edge_and_nothing_is_committed() {
    for (action, status, found) in [
        (
            SaleAction::Complete,
            SaleStatus::Pending,
            invoice(InvoiceStatus::PartiallyPaid, 100),
        ),
        (
            SaleAction::Cancel,
            SaleStatus::Pending,
            invoice(InvoiceStatus::Void, 12_345),
        ),
    ] {
        let log = Log::default();
        let err = block_on(
            service_with(staff_repo(status), acting(found, vec![], &log)).act(&staff(), 5, action),
        )
        .unwrap_err();
        assert!(matches!(err, SaleError::Conflict(_)), "{err:?}");
        assert!(
            !entries(&log).contains(&"commit".to_owned()),
            "{:?}",
            entries(&log)
        );
    }
}

#[test]
fn a_lost_race_is_decided_again_on_the_fresh_row() {
    let mut repo = MockSaleRepository::new();
    repo.expect_staff_tenant()
        .returning(|_| Ok(Some(TenantId(3))));
    let mut reads = 0;
    repo.expect_find_visible().returning(move |_, _| {
        reads += 1;
        Ok(Some(record(if reads == 1 {
            SaleStatus::Completed
        } else {
            SaleStatus::Refunded
        })))
    });
    let mut units = MockSaleUnits::new();
    units.expect_begin().times(1).return_once(|| {
        let mut unit = MockSaleUnitOfWork::new();
        let mut sales = MockSaleStore::new();
        sales
            .expect_move_status()
            .returning(|_| Err(StoreError::Stale));
        unit.expect_sales().return_once(move || Box::new(sales));
        unit.expect_commit().never();
        Ok(Box::new(unit))
    });
    let err = block_on(service_with(repo, units).act(&staff(), 5, SaleAction::Refund)).unwrap_err();
    assert_eq!(
        err,
        SaleError::InvalidTransition {
            action: "refund",
            status: "refunded"
        }
    );
}
