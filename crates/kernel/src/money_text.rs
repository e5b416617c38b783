//! The one way STM writes an amount for people — every e-mail, notification,
//! chat system message and portal text goes through it.
//!
//! `USD 1,234.56`, `JPY 1,234`, `KWD 1.234`: the ISO code (never a symbol:
//! `$` is also the Canadian and the Australian dollar), then the amount in
//! major units with the currency's ISO 4217 minor units after the point and
//! thousands grouped by commas. Amounts are `*_cents` minor units, so JPY
//! 1234 is ¥1,234 and never "12.34".

use std::fmt;

use crate::money::{Currency, Money};

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = self.currency.minor_units();
        let scale = 10_u128.pow(units);
        // `unsigned_abs` through i128 keeps i64::MIN exact.
        let abs = i128::from(self.cents).unsigned_abs();
        let sign = if self.cents < 0 { "-" } else { "" };
        write!(f, "{} {sign}{}", self.currency, grouped(abs / scale))?;
        if units > 0 {
            let width = usize::try_from(units).unwrap_or(0);
            write!(f, ".{:0width$}", abs % scale)?;
        }
        Ok(())
    }
}

/// `whole` with a comma between each group of three digits.
fn grouped(whole: u128) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `cents` minor units of the stored currency `code`, as text; for texts
/// built from rows that keep the code as a string. A code that is not even
/// three letters (no writer stores one) is shown as `XXX`, ISO's "no
/// currency", with two decimals.
pub fn format_stored(cents: i64, code: &str) -> String {
    let currency = Currency::from_stored(code).unwrap_or(Currency::NONE);
    Money::new(cents, currency).to_string()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text(cents: i64, code: &str) -> String {
        let currency = Currency::parse(code).unwrap_or(Currency::NONE);
        Money::new(cents, currency).to_string()
    }

    #[test]
    fn minor_units_follow_the_currency() {
        assert_eq!(text(123_456, "USD"), "USD 1,234.56");
        assert_eq!(text(1_234, "JPY"), "JPY 1,234");
        assert_eq!(text(1_234, "KWD"), "KWD 1.234");
        assert_eq!(text(12_345, "CLF"), "CLF 1.2345");
        assert_eq!(text(5, "USD"), "USD 0.05");
        assert_eq!(text(0, "EUR"), "EUR 0.00");
        assert_eq!(text(-1_050, "USD"), "USD -10.50");
        assert_eq!(text(100_000_000, "JPY"), "JPY 100,000,000");
    }

    #[test]
    fn the_extremes_are_exact() {
        assert_eq!(text(i64::MAX, "USD"), "USD 92,233,720,368,547,758.07");
        assert_eq!(text(i64::MIN, "USD"), "USD -92,233,720,368,547,758.08");
        assert_eq!(text(i64::MIN, "JPY"), "JPY -9,223,372,036,854,775,808");
    }

    #[test]
    fn stored_codes_outside_the_table_still_read() {
        assert_eq!(format_stored(12_345, "xyz"), "XYZ 123.45");
        assert_eq!(format_stored(12_345, "?"), "XXX 123.45");
        assert_eq!(format_stored(12_345, "JPY"), "JPY 12,345");
    }

    /// The digits of a formatted amount, read back as minor units.
    fn read_back(s: &str) -> Option<(String, i128)> {
        let (code, amount) = s.split_once(' ')?;
        let negative = amount.starts_with('-');
        let digits: String = amount.chars().filter(char::is_ascii_digit).collect();
        let n: i128 = digits.parse().ok()?;
        Some((code.to_owned(), if negative { -n } else { n }))
    }

    proptest! {
        #[test]
        fn the_text_reads_back_to_the_same_minor_units(
            cents in any::<i64>(),
            code in prop::sample::select(vec!["USD", "JPY", "KWD", "EUR", "CLF", "BHD", "KRW"]),
        ) {
            let s = text(cents, code);
            prop_assert_eq!(read_back(&s), Some((code.to_owned(), i128::from(cents))));
            // Exactly the currency's minor units after the point.
            let units = Currency::parse(code).map(Currency::minor_units).unwrap_or(0);
            let after = s.split_once('.').map_or(0, |(_, frac)| frac.len());
            prop_assert_eq!(after, usize::try_from(units).unwrap_or(0));
        }

        #[test]
        fn groups_are_of_three_digits(cents in any::<i64>()) {
            let s = text(cents, "JPY");
            let amount = s.trim_start_matches("JPY ").trim_start_matches('-');
            let groups: Vec<&str> = amount.split(',').collect();
            prop_assert!(!groups[0].is_empty() && groups[0].len() <= 3, "{}", s);
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3), "{}", s);
        }

        #[test]
        fn no_amount_of_two_digits_or_more_shows_its_raw_minor_units(cents in 100i64..i64::MAX) {
            // The defect this module ends: 12345 cents printed as "12345 USD".
            let s = text(cents, "USD");
            prop_assert!(!s.contains(&cents.to_string()), "{}", s);
        }
    }
}
