//! The in-memory catalog snapshot and the pure list/filter rules over it.

use kernel::{Cursor, FieldError, Page, PageRequest, ServiceId};

use crate::error::CatalogError;
use crate::model::{Category, Service, ServiceStatus};
use crate::regions::RegionDirectory;

/// Filters of `GET /services`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceFilter {
    /// Only this category.
    pub category: Option<Category>,
    /// Case-insensitive text found in the name, slug or a keyword.
    pub q: Option<String>,
}

impl ServiceFilter {
    /// Validates raw query values.
    pub fn parse(category: Option<&str>, q: Option<&str>) -> Result<Self, CatalogError> {
        let mut errors = Vec::new();
        let category = match category {
            None => None,
            Some(c) => Category::parse(c).or_else(|| {
                let names: Vec<_> = Category::ALL.iter().map(|c| c.as_str()).collect();
                errors.push(FieldError::new(
                    "category",
                    format!("must be one of {}", names.join(", ")),
                ));
                None
            }),
        };
        let q = q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
            errors.push(FieldError::new("q", "must be at most 100 characters"));
        }
        if errors.is_empty() {
            Ok(Self { category, q })
        } else {
            Err(CatalogError::Validation(errors))
        }
    }

    fn matches(&self, service: &Service) -> bool {
        let d = &service.definition;
        let category_ok = self.category.is_none_or(|c| c == d.category);
        let text_ok = self.q.as_deref().is_none_or(|q| {
            d.name.to_lowercase().contains(q)
                || d.slug.contains(q)
                || d.keywords.iter().any(|k| k.contains(q))
        });
        category_ok && text_ok
    }
}

/// A consistent snapshot of services and regions.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    services: Vec<Service>,
    regions: RegionDirectory,
}

impl Catalog {
    /// Builds a snapshot; services are kept ordered by id.
    pub fn new(mut services: Vec<Service>, regions: RegionDirectory) -> Self {
        services.sort_by_key(|s| s.id);
        Self { services, regions }
    }

    /// The regions.
    pub fn regions(&self) -> &RegionDirectory {
        &self.regions
    }

    /// Every service, retired ones included, ordered by id.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// A service by id, retired ones included (old jobs refer to them).
    pub fn service(&self, id: ServiceId) -> Option<&Service> {
        self.services
            .binary_search_by_key(&id, |s| s.id)
            .ok()
            .map(|i| &self.services[i])
    }

    /// Approved services matching the filter, ordered by id, one page at a time.
    pub fn list_services(
        &self,
        filter: &ServiceFilter,
        page: &PageRequest,
    ) -> Result<Page<Service>, CatalogError> {
        let after: Option<i64> = page
            .cursor
            .as_ref()
            .map(Cursor::decode)
            .transpose()
            .map_err(|e| CatalogError::Validation(vec![e]))?;
        let limit = page.limit as usize;
        let mut items: Vec<Service> = self
            .services
            .iter()
            .filter(|s| after.is_none_or(|a| s.id.0 > a))
            .filter(|s| s.status == ServiceStatus::Approved && filter.matches(s))
            .take(limit + 1)
            .cloned()
            .collect();
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|s| Cursor::encode(&s.id.0))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
