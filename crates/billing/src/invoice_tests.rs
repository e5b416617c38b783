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
fn invoice_numbers_print_the_counter() {
    assert_eq!(invoice_number(1), "INV-000001");
    assert_eq!(invoice_number(42), "INV-000042");
    assert_eq!(invoice_number(1_000_001), "INV-1000001");
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
    let mut inv = invoice(1);
    inv.version = 7;
    assert!(inv.ensure_version(&Precondition::Absent).is_ok());
    assert!(inv.ensure_version(&Precondition::Any).is_ok());
    assert!(inv.ensure_version(&Precondition::Versions(vec![7])).is_ok());
    assert!(
        inv.ensure_version(&Precondition::Versions(vec![1, 7]))
            .is_ok(),
        "a list matches if any of its tags does"
    );
    assert!(matches!(
        inv.ensure_version(&Precondition::Versions(vec![6])),
        Err(BillingError::Stale { current: 7 })
    ));
    assert!(
        inv.ensure_version(&Precondition::Versions(Vec::new()))
            .is_err(),
        "only unmatchable tags never match"
    );
}

fn payment(amount: i64) -> Payment {
    Payment {
        id: 1,
        invoice_id: 1,
        amount_cents: amount,
        refunded_cents: 0,
        refund_reason: None,
        currency: Currency::USD,
        status: PaymentStatus::Succeeded,
        method: crate::model::PaymentMethod::Cash,
        reference: None,
        received_at: chrono::DateTime::UNIX_EPOCH,
        idempotency_key: None,
        request_hash: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

#[test]
fn refunds_give_back_what_is_asked_and_default_to_the_rest() {
    let mut p = payment(50_000);
    assert_eq!(p.refund(Some(100), Some("scratch".into())).ok(), Some(100));
    assert_eq!(
        (p.refunded_cents, p.status, p.refund_reason.as_deref()),
        (100, PaymentStatus::Succeeded, Some("scratch"))
    );
    let err = p.refund(Some(49_901), None).err();
    assert!(
        matches!(&err, Some(BillingError::Validation(e)) if e[0].field == "amount_cents"),
        "{err:?}"
    );
    assert!(matches!(
        p.refund(Some(0), None),
        Err(BillingError::Validation(_))
    ));
    assert_eq!(p.refund(None, None).ok(), Some(49_900));
    assert_eq!(
        (p.refunded_cents, p.status, p.refund_reason.as_deref()),
        (50_000, PaymentStatus::Refunded, Some("scratch"))
    );
    assert!(matches!(
        p.refund(None, None),
        Err(BillingError::Conflict(_))
    ));
}

#[test]
fn a_refund_moves_a_paid_invoice_back() {
    let mut inv = issued(1_000);
    inv.apply_payment(1_000).unwrap_or_else(|e| panic!("{e}"));
    inv.apply_refund(300).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (inv.status, inv.balance_cents),
        (InvoiceStatus::PartiallyPaid, 300)
    );
    inv.apply_refund(700).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(inv.status, InvoiceStatus::Issued);
    assert!(inv.apply_refund(1).is_err(), "never above the amount");
}

#[test]
fn refund_reasons_are_bounded_visible_text() {
    assert_eq!(refund_reason(Some("  ")), Ok(None));
    assert_eq!(refund_reason(Some(" late ")), Ok(Some("late".into())));
    assert!(refund_reason(Some("a\u{200B}b")).is_err());
    assert!(refund_reason(Some(&"x".repeat(MAX_REFUND_REASON + 1))).is_err());
    assert!(refund_reason(Some(&"é".repeat(MAX_REFUND_REASON))).is_ok());
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

    /// Payments and partial refunds in any order keep the invoice's balance equal to
    /// amount − Σ(paid − refunded), its status following the balance, and every
    /// refusal changes nothing.
    #[test]
    fn refunds_keep_the_balance_formula(amount in 1i64..=1_000_000, ops in proptest::collection::vec((any::<bool>(), 0usize..4, -5i64..=400_000, any::<bool>()), 0..40)) {
        let mut inv = issued(amount);
        let mut payments: Vec<Payment> = Vec::new();
        for (pay, which, cents, all) in ops {
            if pay {
                if inv.apply_payment(cents).is_ok() {
                    let mut p = payment(cents);
                    p.id = payments.len() as i64 + 1;
                    payments.push(p);
                }
            } else if let Some(p) = payments.get_mut(which) {
                let (before_p, before_inv) = (p.clone(), inv.clone());
                match p.refund((!all).then_some(cents), None) {
                    Ok(given) => inv.apply_refund(given).unwrap_or_else(|e| panic!("{e}")),
                    Err(_) => {
                        prop_assert_eq!(&*p, &before_p);
                        prop_assert_eq!(&inv, &before_inv);
                    }
                }
            }
            prop_assert_eq!(inv.balance_cents, balance_after(amount, &payments));
            prop_assert_eq!(inv.status, status_for_balance(inv.balance_cents, amount));
            for p in &payments {
                prop_assert!((0..=p.amount_cents).contains(&p.refunded_cents));
                prop_assert_eq!(p.status == PaymentStatus::Refunded, p.refunded_cents == p.amount_cents);
            }
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
