//! Money as integer cents with an ISO 4217 currency; arithmetic is checked and
//! never mixes currencies.

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency: a code of ISO 4217's table (as kept by the
/// `iso_currency` crate) that has minor units and is not a special code.
///
/// `*_cents` fields everywhere are amounts in the currency's minor unit
/// ([`Currency::minor_units`]): USD 1234 is $12.34, JPY 1234 is ¥1,234,
/// KWD 1234 is 1.234 dinars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars, the default currency.
    pub const USD: Currency = Currency(*b"USD");

    /// `XXX`, ISO's "no currency": never accepted from a client; what a
    /// text shows for a stored code that is not even three letters.
    pub const NONE: Currency = Currency(*b"XXX");

    /// Parses a code, case-insensitively, as a client sends it: it must be in
    /// ISO 4217's table with minor units. Codes without minor units (`XXX` no
    /// currency, `XTS` testing, `XAU` gold, `XDR`…) and the other special
    /// `X…` codes are refused, as is anything not in the table (`XYZ`).
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let c = Self::from_stored(code)?;
        match c.iso() {
            Some(iso) if iso.exponent().is_some() && !iso.is_special() => Ok(c),
            _ => Err(MoneyError::InvalidCurrency),
        }
    }

    /// Reads back a stored code: three ASCII letters, upper-cased. Rows
    /// written before codes were checked against the table may hold a code
    /// outside it; reading them must not fail (see [`Currency::minor_units`]).
    pub fn from_stored(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(MoneyError::InvalidCurrency),
        }
    }

    /// The code, e.g. `USD`.
    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point of the currency's major unit, from
    /// ISO 4217's table: USD 2, JPY 0, KWD 3, CLF 4. A stored code outside
    /// the table (only rows older than the check hold one) counts as 2, the
    /// most common minor unit.
    pub fn minor_units(self) -> u32 {
        self.iso()
            .and_then(iso_currency::Currency::exponent)
            .map_or(2, u32::from)
    }

    fn iso(self) -> Option<iso_currency::Currency> {
        iso_currency::Currency::from_code(self.as_str())
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::USD
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in minor units ("cents") of a currency; its
/// `Display` is the one way every text shows money (see [`crate::money_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in the currency's minor unit (cents of USD, yen of JPY,
    /// fils of KWD).
    pub cents: i64,
    /// The currency.
    pub currency: Currency,
}

/// Why a money operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The result does not fit in `i64` cents.
    #[error("amount out of range")]
    Overflow,
    /// The two amounts are in different currencies.
    #[error("currencies differ")]
    CurrencyMismatch,
    /// Not an ISO 4217 code of a currency with minor units.
    #[error("must be an ISO 4217 currency code with minor units, such as USD, EUR or JPY")]
    InvalidCurrency,
}

impl Money {
    /// An amount in `currency`.
    pub fn new(cents: i64, currency: Currency) -> Self {
        Self { cents, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// `self + other`, refusing overflow and mixed currencies.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let cents = self
            .cents
            .checked_add(other.cents)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(cents, self.currency))
    }

    /// `self - other`, refusing overflow and mixed currencies.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let cents = self
            .cents
            .checked_sub(other.cents)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(cents, self.currency))
    }

    /// `self × factor`, refusing overflow.
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let cents = self.cents.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(cents, self.currency))
    }

    /// `bps` basis points of `self`, rounded half up (away from zero).
    pub fn basis_points(self, bps: u32) -> Result<Money, MoneyError> {
        let scaled = i128::from(self.cents) * i128::from(bps);
        let rounded = (scaled.abs() + 5_000) / 10_000 * scaled.signum();
        let cents = i64::try_from(rounded).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(cents, self.currency))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(cents: i64) -> Money {
        Money::new(cents, Currency::USD)
    }

    #[test]
    fn currency_codes_are_normalised_and_checked() {
        assert_eq!(
            Currency::parse("eur").map(|c| c.to_string()),
            Ok("EUR".into())
        );
        assert_eq!(Currency::parse("EURO"), Err(MoneyError::InvalidCurrency));
        assert_eq!(Currency::parse("U1D"), Err(MoneyError::InvalidCurrency));
    }

    #[test]
    fn only_iso_codes_with_minor_units_are_accepted() {
        for ok in ["USD", "jpy", "KWD", "EUR", "CLF", "chf"] {
            assert!(Currency::parse(ok).is_ok(), "{ok}");
        }
        // Not in the table, no minor units, or a special code.
        for bad in ["XYZ", "XXX", "XTS", "XAU", "XAG", "XDR", "XAD", "ABC"] {
            assert_eq!(
                Currency::parse(bad),
                Err(MoneyError::InvalidCurrency),
                "{bad}"
            );
        }
        // A stored code is read back whatever it is, with two decimals.
        assert_eq!(
            Currency::from_stored("xyz").map(Currency::minor_units),
            Ok(2)
        );
        assert_eq!(
            Currency::from_stored("X1Z"),
            Err(MoneyError::InvalidCurrency)
        );
    }

    #[test]
    fn minor_units_come_from_the_iso_table() {
        let units = |c: &str| Currency::parse(c).map(Currency::minor_units);
        assert_eq!(units("USD"), Ok(2));
        assert_eq!(units("JPY"), Ok(0));
        assert_eq!(units("KWD"), Ok(3));
        assert_eq!(units("BHD"), Ok(3));
        assert_eq!(units("CLF"), Ok(4));
    }

    #[test]
    fn amounts_above_two_to_the_31_are_exact() {
        let big = usd(2_500_000_000); // $25,000,000.00
        assert_eq!(big.checked_add(usd(1)), Ok(usd(2_500_000_001)));
    }

    #[test]
    fn overflow_and_mixed_currencies_are_refused() {
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), Err(MoneyError::Overflow));
        assert_eq!(usd(i64::MIN).checked_sub(usd(1)), Err(MoneyError::Overflow));
        let eur = Money::new(1, Currency::parse("EUR").unwrap_or_default());
        assert_eq!(usd(1).checked_add(eur), Err(MoneyError::CurrencyMismatch));
    }

    #[test]
    fn basis_points_round_half_up() {
        assert_eq!(usd(1_005).basis_points(1_000), Ok(usd(101))); // 100.5 → 101
        assert_eq!(usd(1_004).basis_points(1_000), Ok(usd(100)));
        assert_eq!(usd(i64::MAX).basis_points(10_000), Ok(usd(i64::MAX)));
    }

    proptest! {
        #[test]
        fn add_then_sub_is_identity(a in any::<i64>(), b in any::<i64>()) {
            if let Ok(sum) = usd(a).checked_add(usd(b)) {
                prop_assert_eq!(sum.checked_sub(usd(b)), Ok(usd(a)));
            } else {
                prop_assert!(i128::from(a) + i128::from(b) > i128::from(i64::MAX)
                    || i128::from(a) + i128::from(b) < i128::from(i64::MIN));
            }
        }

        #[test]
        fn fee_never_exceeds_the_amount(cents in 0i64..i64::MAX, bps in 0u32..=10_000) {
            let fee = usd(cents).basis_points(bps).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(fee.cents >= 0 && fee.cents <= cents);
        }
    }
}
