//! What the catalog needs from storage.

use async_trait::async_trait;
use kernel::{StoreError, Timestamp};

use crate::model::{Region, Service, ServiceDefinition};
use crate::seed::SeedReport;

/// Services and regions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogRepository: Send + Sync {
    /// Every service, retired ones included.
    async fn services(&self) -> Result<Vec<Service>, StoreError>;
    /// Every region.
    async fn regions(&self) -> Result<Vec<Region>, StoreError>;
    /// In one transaction, inserts the regions (by code) and services (by slug)
    /// that are not stored yet; existing rows, possibly edited by admins, are left alone.
    async fn insert_missing(
        &self,
        services: &[ServiceDefinition],
        regions: &[Region],
        at: Timestamp,
    ) -> Result<SeedReport, StoreError>;
}
