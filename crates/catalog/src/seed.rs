//! Loading the catalog snapshot and seeding it from `seed-data/`.

use std::collections::HashSet;

use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::model::{Region, ServiceDefinition};
use crate::ports::CatalogRepository;
use crate::regions::RegionDirectory;

/// What a seed run added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Services inserted.
    pub services_added: usize,
    /// Regions inserted.
    pub regions_added: usize,
}

/// Parses and checks `services.json`: every definition valid, names and slugs unique.
pub fn parse_services(json: &str) -> Result<Vec<ServiceDefinition>, CatalogError> {
    let services: Vec<ServiceDefinition> = serde_json::from_str(json)
        .map_err(|e| CatalogError::InvalidData(format!("services.json: {e}")))?;
    let (mut names, mut slugs) = (HashSet::new(), HashSet::new());
    for s in &services {
        s.check().map_err(CatalogError::InvalidData)?;
        if !names.insert(s.name.to_lowercase()) || !slugs.insert(s.slug.as_str()) {
            return Err(CatalogError::InvalidData(format!(
                "service `{}` listed twice",
                s.slug
            )));
        }
    }
    Ok(services)
}

/// Parses and checks `regions.json`: codes unique, prefixes 3 digits and disjoint.
pub fn parse_regions(json: &str) -> Result<Vec<Region>, CatalogError> {
    let regions: Vec<Region> = serde_json::from_str(json)
        .map_err(|e| CatalogError::InvalidData(format!("regions.json: {e}")))?;
    RegionDirectory::new(regions.clone())?;
    Ok(regions)
}

/// Inserts what is missing, stamped `at`; running it twice changes nothing the second time.
pub async fn seed_catalog(
    repo: &dyn CatalogRepository,
    services: &[ServiceDefinition],
    regions: &[Region],
    at: kernel::Timestamp,
) -> Result<SeedReport, CatalogError> {
    Ok(repo.insert_missing(services, regions, at).await?)
}

/// Reads the whole catalog into a snapshot.
pub async fn load_catalog(repo: &dyn CatalogRepository) -> Result<Catalog, CatalogError> {
    let services = repo.services().await?;
    let regions = RegionDirectory::new(repo.regions().await?)?;
    Ok(Catalog::new(services, regions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockCatalogRepository;
    use futures_executor::block_on;

    const SERVICES: &str = include_str!("../../../seed-data/services.json");
    const REGIONS: &str = include_str!("../../../seed-data/regions.json");

    #[test]
    fn the_shipped_seed_files_are_valid() {
        let services = parse_services(SERVICES).unwrap_or_default();
        assert_eq!(services.len(), 45);
        let regions = parse_regions(REGIONS).unwrap_or_default();
        assert!(
            regions.len() >= 45,
            "about 50 regions, got {}",
            regions.len()
        );
        assert!(regions.iter().any(|r| r.code == "nyc"));
        let zone = |code: &str| {
            regions
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.time_zone.as_str())
        };
        assert_eq!(zone("nyc"), Some("America/New_York"));
        assert_eq!(zone("phx"), Some("America/Phoenix"));
        assert_eq!(zone("sf"), Some("America/Los_Angeles"));
        let pets: HashSet<_> = services
            .iter()
            .filter(|s| s.category.as_str() == "pets")
            .map(|s| s.slug.as_str())
            .collect();
        for slug in [
            "pet-grooming",
            "dog-training",
            "pet-sitting",
            "dog-walking",
            "pet-boarding",
        ] {
            assert!(pets.contains(slug), "missing {slug}");
        }
    }

    #[test]
    fn duplicate_slugs_and_bad_questions_are_refused() {
        let one = r#"{"name":"A","slug":"a","description":"d","category":"pets","keywords":["x"],
            "questions":[{"key":"k","label":"L","kind":"text","required":true},{"key":"c","label":"C","kind":"choice","required":false}]}"#;
        assert!(
            matches!(parse_services(&format!("[{one}]")), Err(CatalogError::InvalidData(m)) if m.contains("choice"))
        );
        let good = one.replace(
            r#""kind":"choice","required":false"#,
            r#""kind":"boolean","required":false"#,
        );
        assert!(parse_services(&format!("[{good}]")).is_ok());
        assert!(
            matches!(parse_services(&format!("[{good},{good}]")), Err(CatalogError::InvalidData(m)) if m.contains("twice"))
        );
        assert!(parse_services(r#"[{"name":"A","unknown":1}]"#).is_err());
    }

    #[test]
    fn seeding_hands_everything_to_the_repository_once() {
        let services = parse_services(SERVICES).unwrap_or_default();
        let regions = parse_regions(REGIONS).unwrap_or_default();
        let mut repo = MockCatalogRepository::new();
        let (n_services, n_regions) = (services.len(), regions.len());
        repo.expect_insert_missing()
            .withf(move |s, r, _| s.len() == n_services && r.len() == n_regions)
            .times(1)
            .returning(|s, r, _| {
                Ok(SeedReport {
                    services_added: s.len(),
                    regions_added: r.len(),
                })
            });
        let report = block_on(seed_catalog(&repo, &services, &regions, chrono::Utc::now())).ok();
        assert_eq!(report.map(|r| r.services_added), Some(45));
    }
}
