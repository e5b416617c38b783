//! Pure tests of the invoice rules, with proptest for money and the status machine.

use super::*;
use kernel::Currency;
use proptest::prelude::*;

fn line(quantity: i64, unit_price_cents: i64) -> LineInput {
    LineInput {
        description: "Work".into(),
        quantity,
        unit_price_cents,
    }
}

fn invoice(amount: i64) -> Invoice {
    Invoice {
        id: 1,
        number: "INV-000001".into(),
        client_party_id: None,
        status: InvoiceStatus::Draft,
        currency: Currency::USD,
        amount_cents: amount,
        deposit_cents: 0,
        balance_cents: amount,
        due_date: None,
        issued_at: None,
        notes: None,
        is_marketplace_invoice: false,
        version: 1,
        lines: Vec::new(),
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}

fn issued(amount: i64) -> Invoice {
    let mut inv = invoice(amount);
    inv.issue(chrono::DateTime::UNIX_EPOCH)
        .unwrap_or_else(|e| panic!("{e}"));
    inv
}

#[test]
fn lines_are_priced_and_summed() {
    let (lines, total) = price_lines(&[line(2, 1_500), line(1, 250)]).unwrap_or_default();
    assert_eq!(total, 3_250);
    assert_eq!(lines[0].amount_cents, 3_000);
}

#[test]
fn twenty_five_million_dollars_is_fine_and_overflow_is_a_field_error() {
    assert_eq!(
        price_lines(&[line(1, 2_500_000_000)]).map(|(_, t)| t),
        Ok(2_500_000_000)
    );
    let err = price_lines(&[line(1_000_000, i64::MAX / 10)])
        .err()
        .unwrap_or_default();
    assert!(err.iter().any(|e| e.field == "lines[0].unit_price_cents"));
    let err = price_lines(&[line(1, i64::MAX), line(1, 1)])
        .err()
        .unwrap_or_default();
    assert!(
        err.iter()
            .any(|e| e.field == "lines" && e.message.contains("too large"))
    );
}

#[test]
fn bad_lines_name_their_fields() {
    let err = price_lines(&[line(0, -1)]).err().unwrap_or_default();
    let fields: Vec<_> = err.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["lines[0].quantity", "lines[0].unit_price_cents"]);
    assert!(price_lines(&[]).is_err());
}

#[test]
fn invoice_numbers_count_up_from_one() {
    assert_eq!(number_after(0), "INV-000001");
    assert_eq!(number_after(41), "INV-000042");
    assert_eq!(number_after(1_000_000), "INV-1000001");
}

#[test]
fn deposit_must_not_exceed_the_amount() {
    assert!(check_deposit(100, 100).is_ok());
    assert!(check_deposit(101, 100).is_err());
    assert!(check_deposit(-1, 100).is_err());
}

#[test]
fn the_status_machine() {
    let mut inv = issued(1_000);
    assert!(matches!(
        inv.issue(chrono::DateTime::UNIX_EPOCH),
        Err(BillingError::Conflict(_))
    ));
    inv.apply_payment(400).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (inv.status, inv.balance_cents),
        (InvoiceStatus::PartiallyPaid, 600)
    );
    assert!(
        matches!(inv.void(), Err(BillingError::Conflict(_))),
        "no void with payments"
    );
    assert!(matches!(
        inv.ensure_deletable(),
        Err(BillingError::Conflict(_))
    ));
    assert!(
        matches!(inv.apply_payment(601), Err(BillingError::Validation(_))),
        "above the balance is a 422"
    );
    inv.apply_payment(600).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((inv.status, inv.balance_cents), (InvoiceStatus::Paid, 0));
    assert!(matches!(
        inv.apply_payment(1),
        Err(BillingError::Conflict(_))
    ));
    inv.apply_refund(600).unwrap_or_else(|e| panic!("{e}"));
    inv.apply_refund(400).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (inv.status, inv.balance_cents),
        (InvoiceStatus::Issued, 1_000)
    );
    assert!(
        inv.void().is_ok(),
        "fully refunded issued invoices can be voided"
    );
}

#[test]
fn drafts_take_no_payments_and_zero_invoices_are_not_issued() {
    assert!(matches!(
        invoice(100).apply_payment(1),
        Err(BillingError::Conflict(_))
    ));
    assert!(matches!(
        invoice(0).issue(chrono::DateTime::UNIX_EPOCH),
        Err(BillingError::Validation(_))
    ));
    assert!(matches!(
        issued(100).apply_payment(0),
        Err(BillingError::Validation(_))
    ));
    assert!(matches!(
        issued(100).apply_payment(-5),
        Err(BillingError::Validation(_))
    ));
}

#[test]
fn stale_versions_are_refused() {
    let inv = invoice(1);
    assert!(inv.ensure_version(None).is_ok());
    assert!(inv.ensure_version(Some(1)).is_ok());
    assert!(matches!(
        inv.ensure_version(Some(0)),
        Err(BillingError::Stale { current: 1 })
    ));
}

proptest! {
    #[test]
    fn balance_is_amount_minus_accepted_payments(amount in 1i64..=i64::MAX / 2, attempts in proptest::collection::vec(-10i64..=i64::MAX / 4, 0..20)) {
        let mut inv = issued(amount);
        let mut accepted: i128 = 0;
        for attempt in attempts {
            let before = inv.clone();
            match inv.apply_payment(attempt) {
                Ok(()) => accepted += i128::from(attempt),
                Err(_) => prop_assert_eq!(&inv, &before, "a refused payment changes nothing"),
            }
            prop_assert_eq!(i128::from(inv.balance_cents), i128::from(amount) - accepted);
            prop_assert!(inv.balance_cents >= 0);
            let expected = if inv.balance_cents == 0 { InvoiceStatus::Paid }
                else if inv.balance_cents == amount { InvoiceStatus::Issued }
                else { InvoiceStatus::PartiallyPaid };
            prop_assert_eq!(inv.status, expected);
        }
    }

    #[test]
    fn pricing_never_panics(lines in proptest::collection::vec((any::<i64>(), any::<i64>()), 0..5)) {
        let input: Vec<_> = lines.iter().map(|(q, p)| line(*q, *p)).collect();
        if let Ok((priced, total)) = price_lines(&input) {
            let sum: i128 = priced.iter().map(|l| i128::from(l.amount_cents)).sum();
            prop_assert_eq!(sum, i128::from(total));
        }
    }
}
