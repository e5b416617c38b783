//! `GET /search`: keyword → service, zipcode or code → region, ranked live
//! providers, one search log per resolved first page (with its searcher key),
//! a service request when nothing answers. A search never sends a message:
//! unanswered demand reaches the LSMs through the digest ([`crate::digest`]).
//!
//! Round trips on the hot path (a resolved first page with providers): one
//! on PostgreSQL (the ranked select carries the log insert), two on SQLite —
//! with or without `available_on`, whose candidates come with their hours.
//! Catalog and regions come from memory.

use std::net::IpAddr;
use std::sync::Arc;

use catalog::{Catalog, Region, Service};
use kernel::{Clock, Ctx, Cursor, FieldError, PageRequest};

use crate::error::SupplyError;
use crate::keywords::{self, MAX_KEYWORD_CHARS};
use crate::ports::{
    CandidateHours, DemandRepository, NewServiceRequest, ProviderCard, SearchLog, SearchRepository,
    SearchSpec,
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

/// Ranked candidates a search by availability reads per round trip: a page
/// is filled from them, and when they run out first the page ends early
/// with a cursor after the last one read.
pub const AVAILABLE_SCAN: u32 = 200;

/// How far around the searched window holds and exceptions are read: a
/// buffer or a long time off reaching into it still counts.
const AROUND: chrono::Duration = chrono::Duration::days(2);

/// True when the candidate has a free slot of the service starting in
/// `[from, to)` (by the scheduling rules, as `GET /providers/{id}/slots`);
/// a provider without hours has none.
fn is_free(
    c: CandidateHours,
    region_zone: &str,
    defaults: scheduling::TimingDefaults,
    (from, to): (kernel::Timestamp, kernel::Timestamp),
    now: kernel::Timestamp,
) -> Option<ProviderCard> {
    let zone = scheduling::service::zone_of(c.time_zone.as_deref(), region_zone);
    let availability = scheduling::Availability::new(zone, c.rules, c.exceptions).ok()?;
    if !availability.is_set() {
        return None;
    }
    let timing = scheduling::service::timing_in_force(defaults, c.timing);
    let query = scheduling::SlotQuery::new(from, to, now, zone).ok()?;
    (!scheduling::free_slots(&availability, &timing, &c.busy, &query).is_empty()).then_some(c.card)
}

impl SearchService {
    /// A page of the providers with a free slot in the window, and whether
    /// the scan ran out before the page filled (the cursor then follows the
    /// last provider read).
    async fn free_page(
        &self,
        spec: SearchSpec,
        region: &Region,
        w: DayWindow,
        now: kernel::Timestamp,
        log: Option<SearchLog>,
    ) -> Result<(Vec<ProviderCard>, Option<RankKey>), SupplyError> {
        let zone = scheduling::service::zone_of(None, &region.time_zone);
        let (from, to) = scheduling::local_window(zone, w.day, w.from_minute, w.to_minute);
        let wanted = spec.limit as usize;
        let scan = SearchSpec {
            limit: AVAILABLE_SCAN,
            ..spec
        };
        let ranked = self
            .search
            .with_hours(scan, (from - AROUND, to + AROUND), log)
            .await?;
        let read = ranked.candidates.len();
        let last = ranked.candidates.last().map(|c| key(&c.card));
        if to <= from {
            return Ok((Vec::new(), None));
        }
        let free: Vec<ProviderCard> = ranked
            .candidates
            .into_iter()
            .filter_map(|c| is_free(c, &region.time_zone, ranked.defaults, (from, to), now))
            .take(wanted)
            .collect();
        let more = (free.len() < wanted && read == AVAILABLE_SCAN as usize).then_some(last);
        Ok((free, more.flatten()))
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
            let spec = SearchSpec {
                service_id: service.id,
                region: region.code.clone(),
                after: parsed.after,
                limit: limit + 1,
            };
            let (mut items, scanned_to) = match query.available {
                Some(w) => self.free_page(spec, region, w, now, log.take()).await?,
                None => (self.search.providers(spec, log.take()).await?, None),
            };
            if items.len() > limit as usize {
                items.truncate(limit as usize);
                result.next_cursor = items.last().map(|c| Cursor::encode(&key(c)));
            } else if let Some(last) = scanned_to {
                result.next_cursor = Some(Cursor::encode(&last));
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
        if result.items.is_empty() && result.next_cursor.is_none() {
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

/// A card's place in the ranking.
fn key(c: &ProviderCard) -> RankKey {
    RankKey::new(
        c.rating_sum,
        c.rating_count,
        c.response_rate,
        c.completed_jobs,
        c.provider_id.0,
    )
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
