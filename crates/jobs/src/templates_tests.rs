//! Every job text that shows money, rendered with a non-round amount in a
//! currency of each minor unit: the amount reads in major units, and the raw
//! minor units never appear.

use chrono::{TimeZone, Utc};
use kernel::{TenantId, UserId};

use crate::payment::{PaidWith, Sale};
use crate::ports::JobRecord;
use crate::service_payment::payment_recorded;
use crate::service_tests::record;
use crate::status::{ActionKind, JobStatus};
use crate::templates::{job_changed, job_requested, terms_line};

/// A price whose minor units would read as a plausible amount by mistake.
const PRICE: i64 = 1_234_567;

const SHOWN: [(&str, &str); 3] = [
    ("USD", "USD 12,345.67"),
    ("JPY", "JPY 1,234,567"),
    ("KWD", "KWD 1,234.567"),
];

fn priced(currency: &str) -> JobRecord {
    let mut r = record(JobStatus::New, 1);
    r.job.terms.price_cents = Some(PRICE);
    r.job.agreed.price_cents = Some(PRICE);
    r.currency = currency.into();
    r
}

fn sale(currency: &str) -> Sale {
    let job = priced(currency).job;
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
    Sale::of(&job, currency, TenantId(3), 1_000, PaidWith::default(), at).unwrap()
}

/// Every text of a job that carries its price.
fn texts(currency: &str) -> Vec<String> {
    let r = priced(currency);
    let mut out = vec![terms_line(&r.job.terms, currency), job_requested(&r).body];
    for action in [
        ActionKind::Accept,
        ActionKind::Reject,
        ActionKind::Cancel,
        ActionKind::Complete,
        ActionKind::MarkPaid,
        ActionKind::Edit,
        ActionKind::ApproveChanges,
        ActionKind::DeclineChanges,
    ] {
        let m = job_changed(&r, action).unwrap();
        out.push(format!("{}\n{}", m.subject, m.body));
    }
    out
}

#[test]
fn every_job_text_writes_the_price_in_the_jobs_currency() {
    for (currency, shown) in SHOWN {
        for text in texts(currency) {
            assert!(text.contains(shown), "{currency}: {text}");
            assert!(!text.contains(&PRICE.to_string()), "{currency}: {text}");
        }
    }
}

#[test]
fn the_payment_receipt_writes_amount_fee_and_payout_in_major_units() {
    for (currency, shown) in SHOWN {
        let s = sale(currency);
        let body = payment_recorded(&s).body;
        assert!(body.contains(shown), "{body}");
        for raw in [s.amount_cents, s.split.fee_cents, s.split.net_cents] {
            assert!(!body.contains(&raw.to_string()), "{raw} in {body}");
        }
    }
    // Fee 123,457 and payout 1,111,110 of USD 12,345.67 at 10 %.
    let body = payment_recorded(&sale("USD")).body;
    assert!(body.contains("platform fee USD 1,234.57"), "{body}");
    assert!(body.contains("your payout USD 11,111.10"), "{body}");
    assert_eq!(sale("USD").provider_user_id, UserId(21));
}

#[test]
fn no_price_yet_is_said_in_words() {
    let mut r = priced("USD");
    r.job.terms.price_cents = None;
    assert!(job_requested(&r).body.contains("no price yet"));
}
