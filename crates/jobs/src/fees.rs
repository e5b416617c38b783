//! The platform's cut of a paid job or a marketplace sale.

/// A price split into the platform fee and the provider's net payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSplit {
    /// `bps` of the price, rounded half up.
    pub fee_cents: i64,
    /// The price minus the fee.
    pub net_cents: i64,
}

/// Splits `price_cents` (≥ 0) at `bps` basis points (0–10,000), rounding the
/// fee half up; computed in 128 bits so no price can overflow.
pub fn platform_fee(price_cents: i64, bps: u32) -> FeeSplit {
    let bps = i128::from(bps.min(10_000));
    let price = i128::from(price_cents.max(0));
    let fee = (price * bps + 5_000) / 10_000;
    // fee ≤ price ≤ i64::MAX, so the conversion cannot fail.
    let fee_cents = i64::try_from(fee).unwrap_or(i64::MAX);
    FeeSplit {
        fee_cents,
        net_cents: price_cents.max(0) - fee_cents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ten_percent_rounds_half_up() {
        assert_eq!(
            platform_fee(10_000, 1000),
            FeeSplit {
                fee_cents: 1000,
                net_cents: 9000
            }
        );
        assert_eq!(platform_fee(5, 1000).fee_cents, 1); // 0.5 -> 1
        assert_eq!(platform_fee(4, 1000).fee_cents, 0); // 0.4 -> 0
        assert_eq!(platform_fee(15, 1000).fee_cents, 2); // 1.5 -> 2
        assert_eq!(platform_fee(0, 1000).fee_cents, 0);
        assert_eq!(platform_fee(i64::MAX, 10_000).net_cents, 0);
    }

    proptest! {
        #[test]
        fn fee_plus_net_is_the_price(price in 0i64..=i64::MAX, bps in 0u32..=10_000) {
            let split = platform_fee(price, bps);
            prop_assert_eq!(split.fee_cents + split.net_cents, price);
            prop_assert!(split.fee_cents >= 0 && split.net_cents >= 0);
            // Within half a cent of the exact fee.
            let exact = i128::from(price) * i128::from(bps);
            let diff = i128::from(split.fee_cents) * 10_000 - exact;
            prop_assert!((-5_000..5_000).contains(&diff) || diff == 5_000);
        }
    }
}
