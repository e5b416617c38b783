//! What a sale's client is told (e-mail and notification). The subject is
//! the platform's own line; the provider's free text (the sale's
//! description) appears only quoted, as the provider's words, inside it and
//! in the body — never as the subject or as the platform's voice. Amounts
//! are written by `kernel::money_text` in the sale's currency.

use effects::{Audience, Effects, Message};
use kernel::text::truncate_chars;
use serde_json::json;

use crate::sale::{SaleAction, SaleRecord};

/// How much of the provider's description a subject quotes.
const SUBJECT_QUOTE_CHARS: usize = 60;

/// How much of it a body quotes.
const BODY_QUOTE_CHARS: usize = 500;

/// What happened to the sale, for the platform's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaleNews {
    /// A provider recorded it.
    Recorded,
    /// One of [`SaleAction`]'s edges.
    Moved(SaleAction),
}

impl SaleNews {
    fn template(self) -> &'static str {
        match self {
            Self::Recorded => "marketplace.transaction_recorded",
            Self::Moved(SaleAction::Complete) => "marketplace.transaction_completed",
            Self::Moved(SaleAction::Cancel) => "marketplace.transaction_cancelled",
            Self::Moved(SaleAction::Refund) => "marketplace.transaction_refunded",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::Recorded => "A provider recorded a purchase for you",
            Self::Moved(SaleAction::Complete) => "Your purchase is paid",
            Self::Moved(SaleAction::Cancel) => "A purchase was cancelled",
            Self::Moved(SaleAction::Refund) => "Your purchase was refunded",
        }
    }
}

/// The provider's words, quoted: bounded, on one line.
fn quoted(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("“{}”", truncate_chars(one_line.trim(), max))
}

/// The client's message about `sale`, if it names a client user.
pub(crate) fn tell_client(sale: &SaleRecord, news: SaleNews) -> Effects {
    let Some(client) = sale.client_user_id else {
        return Effects::none();
    };
    let amount = kernel::money_text::format_stored(sale.amount_cents, &sale.currency);
    Effects::none().message(Message {
        audience: Audience::User(client),
        template: news.template().to_owned(),
        subject: format!(
            "{} (#{}): {}",
            news.what(),
            sale.id,
            quoted(&sale.service_description, SUBJECT_QUOTE_CHARS)
        ),
        body: format!(
            "{} on STM: purchase #{} of {amount} on {} (now {}).\n\
             The provider described it in their own words as: {}\n\
             STM passes this description on as the provider wrote it; STM never asks you \
             for a password or a payment by e-mail.",
            news.what(),
            sale.id,
            sale.transaction_date,
            sale.status.as_str(),
            quoted(&sale.service_description, BODY_QUOTE_CHARS),
        ),
        data: json!({
            "transaction_id": sale.id,
            "status": sale.status.as_str(),
            "amount_cents": sale.amount_cents,
            "currency": sale.currency,
        }),
    })
}

/// What recording a sale causes: its client (if a user) is told.
pub fn recorded_effects(sale: &SaleRecord) -> Effects {
    tell_client(sale, SaleNews::Recorded)
}
