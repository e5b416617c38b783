//! Marketplace transactions (SPEC §4 Marketplace): a sale in a provider's
//! books, recorded by a paid job or by the provider's staff for an
//! off-platform sale. The lifecycle is data ([`EDGES`]); each edge says what
//! the sale's one marketplace invoice must do with it ([`InvoiceFollow`]).
//! Fee and net payout always come from `platform_fee_bps`, never from input.

use chrono::NaiveDate;
use jobs::fees::{FeeSplit, platform_fee};
use jobs::payment::PayMethod;
use kernel::{Currency, FieldError, TenantId, Timestamp, UserId};

/// Where a sale is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleStatus {
    /// Recorded, not paid yet; its invoice is issued.
    Pending,
    /// Paid; its invoice is paid.
    Completed,
    /// Called off before payment; its invoice is void.
    Cancelled,
    /// Paid back in full; its payment is refunded.
    Refunded,
}

impl SaleStatus {
    /// Every status.
    pub const ALL: [SaleStatus; 4] = [
        Self::Pending,
        Self::Completed,
        Self::Cancelled,
        Self::Refunded,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }

    /// The status of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Something done to a sale by its provider's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaleAction {
    /// The client paid.
    Complete,
    /// Called off before payment.
    Cancel,
    /// Paid back in full.
    Refund,
}

impl SaleAction {
    /// Every action.
    pub const ALL: [SaleAction; 3] = [Self::Complete, Self::Cancel, Self::Refund];

    /// The verb, for messages and the route.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Cancel => "cancel",
            Self::Refund => "refund",
        }
    }
}

/// What the sale's marketplace invoice does with an edge (SPEC §4: paid with
/// its payment on completion, void on cancel, its payment refunded in full).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceFollow {
    /// Record one succeeded payment of the whole amount: balance 0, `paid`.
    PayInFull {
        /// The payment's method (the sale's, or `other`).
        method: PayMethod,
    },
    /// The invoice becomes `void` (it has no payment: the sale was pending).
    Void,
    /// Every payment of the invoice is refunded in full (`refunded_cents =
    /// amount`, status `refunded`); the balance is the whole amount again, so
    /// by the billing rule "the status follows the balance" the invoice is
    /// `issued` again.
    RefundInFull,
}

use SaleAction as A;
use SaleStatus as S;

/// Every allowed edge: (action, from, to). Nothing else moves a sale; a
/// second refund (or any action from an end state) is refused.
pub const EDGES: &[(SaleAction, SaleStatus, SaleStatus)] = &[
    (A::Complete, S::Pending, S::Completed),
    (A::Cancel, S::Pending, S::Cancelled),
    (A::Refund, S::Completed, S::Refunded),
];

/// The status `action` leads to from `from`, or why not.
pub fn transition(from: SaleStatus, action: SaleAction) -> Result<SaleStatus, SaleError> {
    EDGES
        .iter()
        .find(|(a, f, _)| *a == action && *f == from)
        .map(|(_, _, to)| *to)
        .ok_or(SaleError::InvalidTransition {
            action: action.as_str(),
            status: from.as_str(),
        })
}

/// What the invoice must do when `action` is taken on a sale paid (or to be
/// paid) with `method`.
pub fn invoice_follow(action: SaleAction, method: Option<PayMethod>) -> InvoiceFollow {
    match action {
        A::Complete => InvoiceFollow::PayInFull {
            method: method.unwrap_or(PayMethod::Other),
        },
        A::Cancel => InvoiceFollow::Void,
        A::Refund => InvoiceFollow::RefundInFull,
    }
}

pub use crate::sale_error::SaleError;

/// The largest amount of one sale: $100 billion, far above 2^31 cents and
/// far below anything a fee computation could overflow.
pub const MAX_AMOUNT_CENTS: i64 = 10_000_000_000_000;

/// `POST /marketplace/transactions` as received (fee and net are not fields:
/// the HTTP layer refuses them as unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleInput {
    /// What was sold, 1–500 characters.
    pub service_description: Option<String>,
    /// Price in cents, 1 – [`MAX_AMOUNT_CENTS`].
    pub amount_cents: Option<i64>,
    /// `YYYY-MM-DD`.
    pub transaction_date: Option<String>,
    /// ISO 4217, default `USD`.
    pub currency: Option<String>,
    /// A party of the caller's tenant.
    pub client_party_id: Option<i64>,
    /// The client's marketplace user.
    pub client_user_id: Option<i64>,
    /// A listing of the tenant's provider.
    pub service_listing_id: Option<i64>,
    /// `cash`, `check`, `card`, `bank_transfer`, `other`.
    pub payment_method: Option<String>,
    /// Up to 2000 characters.
    pub notes: Option<String>,
}

/// Checked fields of a new sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleFields {
    /// What was sold.
    pub service_description: String,
    /// What the client pays, in cents.
    pub amount_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The day of the sale.
    pub transaction_date: NaiveDate,
    /// A party of the tenant.
    pub client_party_id: Option<i64>,
    /// The client's user.
    pub client_user_id: Option<UserId>,
    /// The listing sold from.
    pub service_listing_id: Option<i64>,
    /// How it is (to be) paid.
    pub payment_method: Option<PayMethod>,
    /// Free notes.
    pub notes: Option<String>,
}

fn positive_id(field: &str, v: Option<i64>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match v {
        Some(n) if n <= 0 => {
            errors.push(FieldError::new(field, "must be a positive id"));
            None
        }
        other => other,
    }
}

/// A required field, or its "is required" error.
fn required<T>(field: &str, v: Option<T>, errors: &mut Vec<FieldError>) -> Option<T> {
    if v.is_none() {
        errors.push(FieldError::new(field, "is required"));
    }
    v
}

/// Collects the error of one field's check, keeping the value when it passed.
fn keep<T>(r: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn amount(a: i64) -> Result<i64, FieldError> {
    if (1..=MAX_AMOUNT_CENTS).contains(&a) {
        Ok(a)
    } else {
        Err(FieldError::new(
            "amount_cents",
            format!("must be 1 to {MAX_AMOUNT_CENTS}"),
        ))
    }
}

fn date(d: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new("transaction_date", "must be a date YYYY-MM-DD"))
        .and_then(|date| kernel::dates::check_date("transaction_date", date))
}

fn currency(c: Option<&str>) -> Result<String, FieldError> {
    match c {
        None => Ok(Currency::default().as_str().to_owned()),
        Some(c) => Currency::parse(c)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| FieldError::new("currency", e.to_string())),
    }
}

fn method(m: Option<&str>) -> Result<Option<PayMethod>, FieldError> {
    m.map(|m| {
        PayMethod::parse(m).ok_or_else(|| {
            FieldError::new(
                "payment_method",
                "must be one of cash, check, card, bank_transfer, other",
            )
        })
    })
    .transpose()
}

impl SaleInput {
    /// Checks every field, naming each bad one.
    pub fn check(self) -> Result<SaleFields, SaleError> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let description = required(
            "service_description",
            self.service_description.as_deref(),
            e,
        )
        .and_then(|s| keep(kernel::text::bounded("service_description", s, 500), e));
        let amount_cents =
            required("amount_cents", self.amount_cents, e).and_then(|a| keep(amount(a), e));
        let transaction_date = required("transaction_date", self.transaction_date.as_deref(), e)
            .and_then(|d| keep(date(d), e));
        let currency = keep(currency(self.currency.as_deref()), e);
        let payment_method = keep(method(self.payment_method.as_deref()), e).flatten();
        let notes = keep(
            kernel::text::optional_bounded("notes", self.notes.as_deref(), 2000),
            e,
        )
        .flatten();
        let client_party_id = positive_id("client_party_id", self.client_party_id, e);
        let client_user_id = positive_id("client_user_id", self.client_user_id, e);
        let service_listing_id = positive_id("service_listing_id", self.service_listing_id, e);
        match (description, amount_cents, transaction_date, currency) {
            (
                Some(service_description),
                Some(amount_cents),
                Some(transaction_date),
                Some(currency),
            ) if errors.is_empty() => Ok(SaleFields {
                service_description,
                amount_cents,
                currency,
                transaction_date,
                client_party_id,
                client_user_id: client_user_id.map(UserId),
                service_listing_id,
                payment_method,
                notes,
            }),
            _ => Err(SaleError::Validation(errors)),
        }
    }
}

/// A sale as stored, with its invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRecord {
    /// Primary key.
    pub id: i64,
    /// The tenant whose books hold it (and its invoice).
    pub provider_tenant_id: TenantId,
    /// The provider's user.
    pub provider_user_id: UserId,
    /// The client party, in the provider's tenant.
    pub client_party_id: Option<i64>,
    /// The client's user.
    pub client_user_id: Option<UserId>,
    /// The listing sold from.
    pub service_listing_id: Option<i64>,
    /// The job paid, when a job recorded it.
    pub job_id: Option<i64>,
    /// What was sold.
    pub service_description: String,
    /// What the client pays, in cents; also the invoice's amount.
    pub amount_cents: i64,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The platform's cut.
    pub platform_fee_cents: i64,
    /// The provider's payout.
    pub net_payout_cents: i64,
    /// The day of the sale.
    pub transaction_date: NaiveDate,
    /// Where it is in its lifecycle ([`EDGES`]).
    pub status: SaleStatus,
    /// `sale` (recorded by the provider), `job_payment` (a job marked paid)
    /// or `cancellation_fee` (a customer's late cancel).
    pub kind: String,
    /// How it is (to be) paid.
    pub payment_method: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Its marketplace invoice.
    pub invoice_id: Option<i64>,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When its status last moved.
    pub updated_at: Timestamp,
}

/// The split of a new sale at `bps` (the jobs' fee rule: half up).
pub fn split(amount_cents: i64, bps: u32) -> FeeSplit {
    platform_fee(amount_cents, bps)
}
