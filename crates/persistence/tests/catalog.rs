//! The catalog repository against real databases.

mod common;

use catalog::seed::{parse_regions, parse_services};
use catalog::{ServiceFilter, load_catalog, seed_catalog};
use kernel::{PageRequest, Zipcode};
use persistence::{Database, SqlCatalogRepository};

async fn seeding_is_idempotent_and_loads_back(db: &Database) {
    let services =
        parse_services(include_str!("../../../seed-data/services.json")).unwrap_or_default();
    let regions =
        parse_regions(include_str!("../../../seed-data/regions.json")).unwrap_or_default();
    let repo = SqlCatalogRepository::new(db.conn().clone());

    let first = seed_catalog(&repo, &services, &regions, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (first.services_added, first.regions_added),
        (services.len(), regions.len())
    );
    let second = seed_catalog(&repo, &services, &regions, chrono::Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((second.services_added, second.regions_added), (0, 0));

    let catalog = load_catalog(&repo).await.unwrap_or_else(|e| panic!("{e}"));
    let all = catalog.list_services(
        &ServiceFilter::default(),
        &PageRequest {
            limit: 100,
            cursor: None,
        },
    );
    let all = all.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.items.len(), services.len());
    assert_eq!(
        all.items[0].definition, services[0],
        "questions and keywords survive the round trip"
    );
    let nyc = Zipcode::parse("10001")
        .ok()
        .and_then(|z| catalog.regions().resolve(&z).ok().map(|r| r.code.clone()));
    assert_eq!(nyc.as_deref(), Some("nyc"));
}
on_both_backends!(seeding_on, seeding_is_idempotent_and_loads_back);
