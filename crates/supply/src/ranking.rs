//! Confidence-weighted rating: a Bayesian average that pulls providers with
//! few ratings towards a prior, so three 5-star ratings do not beat two
//! hundred 4.8-star ones.
//!
//! `score = (PRIOR_WEIGHT × PRIOR_MEAN + Σ ratings) / (PRIOR_WEIGHT + n)`,
//! kept as an integer in thousandths of a star so that SQL (which computes
//! it for keyset pagination) and Rust agree exactly on every backend. Ties
//! are broken by the response rate (higher first, none last), then by
//! completed jobs (more first), then by provider id. The rate is compared as
//! the stored double itself (never rounded), so SQL and the cursor agree.

/// How many virtual ratings the prior counts for.
pub const PRIOR_WEIGHT: i64 = 5;
/// The prior mean, in thousandths of a star (3.5 stars).
pub const PRIOR_MEAN_MILLI: i64 = 3_500;

/// The rank score in thousandths of a star, from the sum and count of 1–5 ratings.
pub fn score_milli(rating_sum: i64, rating_count: i64) -> i64 {
    let count = rating_count.max(0);
    (PRIOR_WEIGHT * PRIOR_MEAN_MILLI + rating_sum * 1_000) / (PRIOR_WEIGHT + count)
}

/// The SQL expression computing [`score_milli`] from `rating_sum` and
/// `rating_count` columns (integer division on SQLite and PostgreSQL alike).
pub fn score_sql(sum: &str, count: &str) -> String {
    format!("(({PRIOR_WEIGHT} * {PRIOR_MEAN_MILLI} + {sum} * 1000) / ({PRIOR_WEIGHT} + {count}))")
}

/// The response rate a provider without one ranks with: below every real rate.
pub const NO_RATE: f64 = -1.0;

/// The SQL expression of a provider's rate as ranked, from its nullable column.
pub fn rate_sql(rate: &str) -> String {
    format!("COALESCE({rate}, {NO_RATE:.1})")
}

/// The position of a provider in search results; larger sorts first.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct RankKey {
    /// [`score_milli`].
    pub score: i64,
    /// The response rate (0–1), [`NO_RATE`] when there is none.
    pub response_rate: f64,
    /// Completed jobs.
    pub completed_jobs: i64,
    /// Provider id, negated so that lower ids sort first among equals.
    pub neg_id: i64,
}

impl RankKey {
    /// The key of a provider.
    pub fn new(
        rating_sum: i64,
        rating_count: i64,
        response_rate: Option<f64>,
        completed_jobs: i64,
        provider_id: i64,
    ) -> Self {
        Self {
            score: score_milli(rating_sum, rating_count),
            response_rate: response_rate.unwrap_or(NO_RATE),
            completed_jobs,
            neg_id: -provider_id,
        }
    }
}

impl PartialEq for RankKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for RankKey {}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score
            .cmp(&other.score)
            .then(self.response_rate.total_cmp(&other.response_rate))
            .then(self.completed_jobs.cmp(&other.completed_jobs))
            .then(self.neg_id.cmp(&other.neg_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn few_perfect_ratings_do_not_beat_many_good_ones() {
        let few = score_milli(3 * 5, 3); // three 5-star
        let many = score_milli(200 * 48 / 10, 200); // two hundred at 4.8
        assert!(many > few, "{many} vs {few}");
        assert_eq!(score_milli(0, 0), PRIOR_MEAN_MILLI);
    }

    #[test]
    fn ties_go_to_the_response_rate_then_completed_jobs_then_lower_id() {
        let mut keys = [
            RankKey::new(10, 2, Some(0.5), 1, 3),
            RankKey::new(10, 2, Some(0.5), 5, 9),
            RankKey::new(10, 2, Some(0.5), 1, 2),
            RankKey::new(10, 2, Some(0.9), 0, 7),
            RankKey::new(10, 2, None, 50, 1),
            RankKey::new(15, 3, None, 0, 8),
        ];
        keys.sort_by(|a, b| b.cmp(a));
        assert_eq!(keys.map(|k| -k.neg_id), [8, 7, 9, 2, 3, 1]);
    }

    proptest! {
        #[test]
        fn the_score_stays_between_the_prior_and_the_mean(ratings in proptest::collection::vec(1i64..=5, 0..300)) {
            let n = ratings.len() as i64;
            let sum: i64 = ratings.iter().sum();
            let s = score_milli(sum, n);
            prop_assert!((1_000..=5_000).contains(&s));
            if n > 0 {
                let mean = sum * 1000 / n;
                prop_assert!(s >= mean.min(PRIOR_MEAN_MILLI) - 1 && s <= mean.max(PRIOR_MEAN_MILLI) + 1);
            }
        }

        #[test]
        fn one_more_five_star_rating_never_lowers_the_score(sum in 0i64..1000, n in 0i64..200) {
            let sum = sum.min(n * 5).max(n);
            prop_assert!(score_milli(sum + 5, n + 1) >= score_milli(sum, n));
        }
    }
}
