//! `GET /search`: keyword → service, zipcode or code → region, ranked live
//! providers, one search log per resolved first page (with its searcher key),
//! a service request when nothing answers. A search never sends a message:
//! unanswered demand reaches the LSMs through the digest ([`crate::digest`]).
//!
//! Round trips on the hot path (a resolved first page with providers): two —
//! the ranked select and the log insert. Catalog and regions come from memory.

use std::net::IpAddr;
use std::sync::Arc;

use catalog::{Catalog, Region, Service};
use kernel::{Clock, Ctx, Cursor, FieldError, PageRequest};

use crate::error::SupplyError;
use crate::keywords::{self, MAX_KEYWORD_CHARS};
use crate::ports::{
    DemandRepository, NewServiceRequest, ProviderCard, SearchLog, SearchRepository, SearchSpec,
};
use crate::ranking::RankKey;
use crate::searcher::{Searcher, SearcherSecret, searcher_key};

/// The query as received.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub zipcode: Option<String>,
    /// Region code.
    pub region: Option<String>,
    pub page: PageRequest,
    /// The caller's address (the TCP peer), for the anonymous searcher key.
    pub client: Option<IpAddr>,
    /// Only providers with a free slot starting this day, between these
    /// wall-clock minutes of the region's zone (`available_on`, `from`, `to`).
    pub available: Option<DayWindow>,
}

/// A day and a range of its wall-clock minutes, in the searched region's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayWindow {
    pub day: chrono::NaiveDate,
    pub from_minute: u16,
    pub to_minute: u16,
}

/// A search answer.
#[derive(Debug, Clone)]
pub struct SearchResult {
    /// Resolved service.
    pub service: Option<Service>,
    /// Resolved region.
    pub region: Option<Region>,
    /// Ranked providers.
    pub items: Vec<ProviderCard>,
    /// Next page.
    pub next_cursor: Option<Cursor>,
    /// The service request written when nothing answered.
    pub service_request_id: Option<i64>,
}

/// The search use case.
#[derive(Clone)]
pub struct SearchService {
    search: Arc<dyn SearchRepository>,
    demand: Arc<dyn DemandRepository>,
    clock: Arc<dyn Clock>,
    secret: SearcherSecret,
}

impl std::fmt::Debug for SearchService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchService").finish_non_exhaustive()
    }
}

struct Parsed<'a> {
    keyword: String,
    zipcode: Option<String>,
    region: Option<&'a Region>,
    after: Option<RankKey>,
}

fn parse<'a>(catalog: &'a Catalog, query: &SearchQuery) -> Result<Parsed<'a>, SupplyError> {
    let mut errors = Vec::new();
    let raw = query.q.as_deref().unwrap_or_default();
    // Invisible characters are folded away (they must not make a new keyword);
    // control characters are refused like in every other text field.
    let keyword = kernel::fold_keyword(raw);
    if keyword.is_empty()
        || keyword.chars().count() > MAX_KEYWORD_CHARS
        || kernel::check_text(raw) == Err(kernel::TextIssue::Control)
    {
        errors.push(FieldError::new(
            "q",
            format!("must be 1 to {MAX_KEYWORD_CHARS} printable characters"),
        ));
    }
    let mut zipcode = None;
    let region = match (query.zipcode.as_deref(), query.region.as_deref()) {
        (Some(z), _) => match kernel::Zipcode::parse(z) {
            Ok(z) => {
                zipcode = Some(z.to_string());
                catalog.regions().resolve(&z).ok()
            }
            Err(e) => {
                errors.push(FieldError::new("zipcode", e.to_string()));
                None
            }
        },
        (None, Some(code)) => {
            let found = catalog.regions().get(code);
            if found.is_none() {
                errors.push(FieldError::new("region", "is not a region code"));
            }
            found
        }
        (None, None) => {
            errors.push(FieldError::new("zipcode", "give a zipcode or a region"));
            None
        }
    };
    let after = match &query.page.cursor {
        Some(c) => c.decode::<RankKey>().map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    if errors.is_empty() {
        Ok(Parsed {
            keyword,
            zipcode,
            region,
            after,
        })
    } else {
        Err(SupplyError::Validation(errors))
    }
}

impl SearchService {
    /// The providers of the region with a free slot of the service starting
    /// in the window (by the scheduling rules, as `GET /providers/{id}/slots`).
    async fn free_on(
        &self,
        service: kernel::ServiceId,
        region: &Region,
        w: DayWindow,
        now: kernel::Timestamp,
    ) -> Result<Vec<kernel::ProviderId>, SupplyError> {
        let zone = scheduling::service::zone_of(None, &region.time_zone);
        let (from, to) = scheduling::local_window(zone, w.day, w.from_minute, w.to_minute);
        if to <= from {
            return Ok(Vec::new());
        }
        let candidates = self
            .search
            .schedules(service, &region.code, from, to)
            .await?;
        Ok(candidates
            .into_iter()
            .filter(|c| {
                scheduling::SlotQuery::new(from, to, now, c.availability.time_zone).is_ok_and(|q| {
                    !scheduling::free_slots(&c.availability, &c.timing, &c.busy, &q).is_empty()
                })
            })
            .map(|c| c.provider_id)
            .collect())
    }

    /// The use case over its ports; `secret` salts anonymous searcher keys.
    pub fn new(
        search: Arc<dyn SearchRepository>,
        demand: Arc<dyn DemandRepository>,
        clock: Arc<dyn Clock>,
        secret: SearcherSecret,
    ) -> Self {
        Self {
            search,
            demand,
            clock,
            secret,
        }
    }

    /// A provider's figures (ratings, completed jobs, response figures) for its profile.
    pub async fn card(
        &self,
        provider: kernel::ProviderId,
    ) -> Result<Option<ProviderCard>, SupplyError> {
        Ok(self.search.card(provider).await?)
    }

    /// Runs one search.
    pub async fn search(
        &self,
        ctx: Option<&Ctx>,
        catalog: &Catalog,
        query: SearchQuery,
    ) -> Result<SearchResult, SupplyError> {
        let parsed = parse(catalog, &query)?;
        let service = keywords::resolve(catalog, &parsed.keyword).cloned();
        let region = parsed.region.cloned();
        let first_page = parsed.after.is_none();
        let mut result = SearchResult {
            service,
            region,
            items: Vec::new(),
            next_cursor: None,
            service_request_id: None,
        };
        let now = self.clock.now();
        // The first page of a resolved keyword is logged once (popularity,
        // demand); on PostgreSQL in the same round trip as the page.
        let mut log = match (&result.service, first_page) {
            (Some(service), true) => {
                let searcher = match ctx {
                    Some(c) => Searcher::User(c.user_id),
                    None => Searcher::Anonymous(query.client),
                };
                let day = now.date_naive();
                Some(SearchLog {
                    service_id: service.id,
                    region: result.region.as_ref().map(|r| r.code.clone()),
                    zipcode: parsed.zipcode.clone(),
                    searcher_key: searcher_key(searcher, &self.secret, day),
                    day,
                    at: now,
                })
            }
            _ => None,
        };
        if let (Some(service), Some(region)) = (&result.service, &result.region) {
            let limit = query.page.limit;
            let only = match query.available {
                Some(w) => Some(self.free_on(service.id, region, w, now).await?),
                None => None,
            };
            let spec = SearchSpec {
                service_id: service.id,
                region: region.code.clone(),
                after: parsed.after,
                limit: limit + 1,
                only,
            };
            let mut items = self.search.providers(spec, log.take()).await?;
            if items.len() > limit as usize {
                items.truncate(limit as usize);
                result.next_cursor = items.last().map(|c| {
                    Cursor::encode(&RankKey::new(
                        c.rating_sum,
                        c.rating_count,
                        c.response_rate,
                        c.completed_jobs,
                        c.provider_id.0,
                    ))
                });
            }
            result.items = items;
        }
        if let Some(log) = log {
            // No page to read (an unserved zipcode): the log alone.
            self.demand.log_search(log).await?;
        }
        if !first_page {
            return Ok(result);
        }
        if result.items.is_empty() {
            // Recorded for the LSM dashboard and the next digest; no message here.
            let request = NewServiceRequest {
                keyword: parsed.keyword,
                zipcode: parsed.zipcode,
                region: result.region.as_ref().map(|r| r.code.clone()),
                customer_id: ctx.map(|c| c.user_id),
                at: now,
            };
            result.service_request_id = Some(self.demand.record_request(request).await?);
        }
        Ok(result)
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
