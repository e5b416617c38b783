//! The missing-service digest: the only way unanswered searches reach the
//! LSMs. Each tick, every region whose previous digest is at least
//! `demand_digest_minutes` old and that has undigested requests gets one
//! e-mail and one notification per LSM, listing its top keywords with counts.
//!
//! Two instances may tick at once: the region is claimed by a conditional
//! update in the same transaction that writes the messages and marks the
//! requests sent, so one of them sends and the other writes nothing.

use catalog::Catalog;

use crate::demand::DemandService;
use crate::error::SupplyError;
use crate::ports::DigestSend;
use crate::templates::{self, DIGEST_TOP_KEYWORDS};
use ::effects::settings::PlatformSettings;

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// Regions whose digest this run sent.
    pub sent: Vec<String>,
    /// Regions another run claimed first, or whose demand changed while counted.
    pub skipped: Vec<String>,
}

impl DemandService {
    /// Sends every due digest.
    pub async fn send_digests(
        &self,
        catalog: &Catalog,
        settings: &PlatformSettings,
    ) -> Result<DigestReport, SupplyError> {
        let now = self.clock.now();
        let cutoff = now - chrono::Duration::minutes(settings.demand_digest_minutes());
        let pending = self
            .demand
            .pending_demand(cutoff, DIGEST_TOP_KEYWORDS)
            .await?;
        let mut report = DigestReport::default();
        for demand in pending {
            let name = catalog
                .regions()
                .get(&demand.region)
                .map_or(demand.region.as_str(), |r| r.name.as_str());
            let digest = DigestSend {
                region: demand.region.clone(),
                cutoff,
                now,
                up_to_id: demand.up_to_id,
                requests: demand.requests,
                message: templates::demand_digest(&demand.region, name, &demand),
            };
            if self.demand.send_digest(digest).await? {
                report.sent.push(demand.region);
            } else {
                report.skipped.push(demand.region);
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use catalog::{Region, RegionDirectory};
    use futures_executor::block_on;
    use kernel::FixedClock;

    use super::*;
    use crate::ports::{MockDemandRepository, PendingDemand};

    fn catalog() -> Catalog {
        let regions = RegionDirectory::new(vec![Region {
            code: "nyc".into(),
            name: "New York".into(),
            time_zone: "America/New_York".into(),
            zip_prefixes: vec!["100".into()],
        }])
        .unwrap_or_default();
        Catalog::new(vec![], regions)
    }

    fn pending(keywords: Vec<(String, i64)>) -> PendingDemand {
        let requests = keywords.iter().map(|(_, n)| n).sum();
        PendingDemand {
            region: "nyc".into(),
            requests,
            keywords: keywords.len() as i64,
            up_to_id: 99,
            top_keywords: keywords,
        }
    }

    #[test]
    fn the_subject_is_fixed_text_and_keywords_are_bounded_in_the_body() {
        let phishing = "urgent: reset your password at evil.example".to_owned();
        let long = "x".repeat(500);
        let mut keywords = vec![(phishing.clone(), 3), (long, 2)];
        keywords.extend((0..20).map(|i| (format!("k{i}"), 1)));
        let m = templates::demand_digest("nyc", "New York", &pending(keywords));
        assert_eq!(m.subject, "New service demand in New York: 25 searches");
        assert!(!m.subject.contains("evil"));
        assert!(
            m.body.contains(&format!("\"{phishing}\" × 3")),
            "{}",
            m.body
        );
        assert!(!m.body.contains(&"x".repeat(61)), "a keyword is cut");
        assert!(m.body.contains("…and 12 more keywords"), "{}", m.body);
        assert_eq!(m.data["keywords"].as_array().map(Vec::len), Some(10));
    }

    #[test]
    fn due_regions_are_sent_with_the_period_of_the_settings() {
        let now = chrono::Utc::now();
        let mut demand = MockDemandRepository::new();
        demand
            .expect_pending_demand()
            .withf(move |cutoff, top| *cutoff == now - chrono::Duration::minutes(60) && *top == 10)
            .times(1)
            .returning(|_, _| Ok(vec![pending(vec![("cafe".into(), 4)])]));
        demand
            .expect_send_digest()
            .withf(move |d| {
                d.region == "nyc"
                    && d.now == now
                    && d.up_to_id == 99
                    && d.requests == 4
                    && d.message.body.contains("\"cafe\" × 4")
            })
            .times(1)
            .returning(|_| Ok(false));
        let service = DemandService::new(Arc::new(demand), Arc::new(FixedClock(now)));
        let report = block_on(service.send_digests(&catalog(), &PlatformSettings::default()));
        assert_eq!(
            report.ok(),
            Some(DigestReport {
                sent: vec![],
                skipped: vec!["nyc".into()]
            })
        );
    }
}
