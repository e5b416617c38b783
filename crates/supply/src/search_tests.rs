use super::*;
use crate::ports::{MockDemandRepository, MockSearchRepository, RankedHours};
use catalog::{RegionDirectory, ServiceDefinition, ServiceStatus};
use futures_executor::block_on;
use kernel::{FixedClock, ProviderId, ServiceId};

fn catalog() -> Catalog {
    let now = chrono::Utc::now();
    let service = Service {
        id: ServiceId(30),
        definition: ServiceDefinition {
            name: "Dog Walking".into(),
            slug: "dog-walking".into(),
            description: "d".into(),
            category: catalog::Category::Pets,
            keywords: vec!["dog walker".into()],
            questions: vec![],
        },
        status: ServiceStatus::Approved,
        is_popular: false,
        created_at: now,
        updated_at: now,
    };
    let regions = RegionDirectory::new(vec![Region {
        code: "nyc".into(),
        name: "New York".into(),
        time_zone: "America/New_York".into(),
        zip_prefixes: vec!["100".into()],
    }])
    .unwrap_or_default();
    Catalog::new(vec![service], regions)
}

fn card(id: i64) -> ProviderCard {
    ProviderCard {
        provider_id: ProviderId(id),
        business_name: format!("P{id}"),
        rating_sum: 9,
        rating_count: 2,
        completed_jobs: 1,
        response_rate: None,
        median_response_minutes: None,
        cancellation_policy: scheduling::CancellationPolicy::default(),
    }
}

fn query(q: &str, zipcode: &str, cursor: Option<String>) -> SearchQuery {
    SearchQuery {
        available: None,
        q: Some(q.into()),
        zipcode: Some(zipcode.into()),
        region: None,
        page: PageRequest::parse(Some(2), cursor).unwrap_or_default(),
        client: Some(std::net::IpAddr::from([198, 51, 100, 7])),
    }
}

fn secret() -> SearcherSecret {
    SearcherSecret::new(vec![7u8; 32]).unwrap_or_else(|| panic!("32 bytes"))
}

fn service(search: MockSearchRepository, demand: MockDemandRepository) -> SearchService {
    SearchService::new(
        Arc::new(search),
        Arc::new(demand),
        Arc::new(FixedClock(chrono::Utc::now())),
        secret(),
    )
}

#[test]
fn a_first_page_logs_once_and_hands_out_a_cursor() {
    let mut search = MockSearchRepository::new();
    search
        .expect_providers()
        .withf(|spec, log| {
            spec.service_id == ServiceId(30)
                && spec.region == "nyc"
                && spec.limit == 3
                && spec.after.is_none()
                && log.as_ref().is_some_and(|l| {
                    l.service_id == ServiceId(30)
                        && l.region.as_deref() == Some("nyc")
                        && l.zipcode.as_deref() == Some("10001")
                        && l.day == l.at.date_naive()
                        && l.searcher_key
                            == searcher_key(
                                Searcher::Anonymous(Some(std::net::IpAddr::from([
                                    198, 51, 100, 7,
                                ]))),
                                &secret(),
                                l.day,
                            )
                })
        })
        .times(1)
        .returning(|_, _| Ok(vec![card(1), card(2), card(3)]));
    let mut demand = MockDemandRepository::new();
    // Written with the page, never a second time on its own.
    demand.expect_log_search().never();
    demand.expect_record_request().never();
    let result = block_on(service(search, demand).search(
        None,
        &catalog(),
        query("dog wlaker", "10001", None),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.items.len(), 2);
    let cursor = result.next_cursor.map(|c| c.decode::<RankKey>());
    assert_eq!(cursor, Some(Ok(RankKey::new(9, 2, None, 1, 2))));
    assert!(result.service_request_id.is_none());
}

#[test]
fn a_later_page_is_not_logged_again() {
    let mut search = MockSearchRepository::new();
    search
        .expect_providers()
        .withf(|spec, log| spec.after == Some(RankKey::new(9, 2, None, 1, 2)) && log.is_none())
        .returning(|_, _| Ok(vec![card(3)]));
    let mut demand = MockDemandRepository::new();
    demand.expect_log_search().never();
    demand.expect_record_request().never();
    let cursor = Cursor::encode(&RankKey::new(9, 2, None, 1, 2))
        .as_str()
        .to_owned();
    let result = block_on(service(search, demand).search(
        None,
        &catalog(),
        query("dog walking", "10001", Some(cursor)),
    ));
    assert!(result.is_ok_and(|r| r.items.len() == 1 && r.next_cursor.is_none()));
}

#[test]
fn an_unknown_keyword_becomes_a_folded_service_request_without_a_message() {
    let mut search = MockSearchRepository::new();
    search.expect_providers().never();
    let mut demand = MockDemandRepository::new();
    demand.expect_log_search().never();
    demand
        .expect_record_request()
        .withf(|r| r.keyword == "xylophone tuning" && r.region.as_deref() == Some("nyc"))
        .times(1)
        .returning(|_| Ok(41));
    let result = block_on(service(search, demand).search(
        None,
        &catalog(),
        query("Xylophone\u{200B}  Tuning\u{00AD}", "10001", None),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(result.service.is_none());
    assert_eq!(result.service_request_id, Some(41));
}

#[test]
fn an_unserved_zipcode_logs_the_search_and_records_a_request_without_mail() {
    let mut search = MockSearchRepository::new();
    search.expect_providers().never();
    let mut demand = MockDemandRepository::new();
    demand
        .expect_log_search()
        .withf(|l| l.region.is_none())
        .times(1)
        .returning(|_| Ok(()));
    demand
        .expect_record_request()
        .withf(|r| r.region.is_none())
        .times(1)
        .returning(|_| Ok(5));
    let result = block_on(service(search, demand).search(
        None,
        &catalog(),
        query("dog walking", "99501", None),
    ));
    assert!(result.is_ok_and(|r| r.region.is_none() && r.service_request_id == Some(5)));
}

#[test]
fn bad_queries_are_field_errors() {
    let svc = service(MockSearchRepository::new(), MockDemandRepository::new());
    let bad = |q: SearchQuery| match block_on(svc.search(None, &catalog(), q)) {
        Err(SupplyError::Validation(f)) => f.into_iter().map(|e| e.field).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(bad(query("", "10001", None)), ["q"]);
    assert_eq!(bad(query("dog", "1000", None)), ["zipcode"]);
    assert_eq!(
        bad(query("dog", "10001", Some("garbage".into()))),
        ["cursor"]
    );
    assert_eq!(
        bad(SearchQuery {
            q: Some("dog".into()),
            region: Some("atlantis".into()),
            ..Default::default()
        }),
        ["region"]
    );
    assert_eq!(
        bad(SearchQuery {
            q: Some("dog".into()),
            ..Default::default()
        }),
        ["zipcode"]
    );
}

#[test]
fn accents_case_and_invisible_characters_fold_to_one_keyword() {
    let mut demand = MockDemandRepository::new();
    demand
        .expect_record_request()
        .withf(|r| r.keyword == "café")
        .times(4)
        .returning(|_| Ok(1));
    let svc = service(MockSearchRepository::new(), demand);
    for q in ["café", "cafe\u{0301}", "CAFÉ\u{200B}", " café  "] {
        let result = block_on(svc.search(None, &catalog(), query(q, "10001", None)));
        assert!(
            result.is_ok_and(|r| r.service_request_id == Some(1)),
            "{q:?}"
        );
    }
}

#[test]
fn a_signed_in_searcher_is_counted_by_user_id() {
    let mut search = MockSearchRepository::new();
    search
        .expect_providers()
        .withf(|_, log| log.as_ref().is_some_and(|l| l.searcher_key == "u:77"))
        .times(1)
        .returning(|_, _| Ok(vec![card(1)]));
    let mut demand = MockDemandRepository::new();
    demand.expect_log_search().never();
    let ctx = Ctx::new(kernel::UserId(77), vec![kernel::Role::Customer]);
    let result = block_on(service(search, demand).search(
        Some(&ctx),
        &catalog(),
        query("dog walking", "10001", None),
    ));
    assert!(result.is_ok_and(|r| r.items.len() == 1));
}

/// A candidate open all day every day, or without hours.
fn hours(id: i64, open: bool) -> CandidateHours {
    let rules = if open {
        [
            chrono::Weekday::Mon,
            chrono::Weekday::Tue,
            chrono::Weekday::Wed,
            chrono::Weekday::Thu,
            chrono::Weekday::Fri,
            chrono::Weekday::Sat,
            chrono::Weekday::Sun,
        ]
        .into_iter()
        .map(|weekday| scheduling::WeeklyRule {
            weekday,
            start_minute: 0,
            end_minute: 1440,
        })
        .collect()
    } else {
        Vec::new()
    };
    CandidateHours {
        card: card(id),
        time_zone: None,
        rules,
        exceptions: Vec::new(),
        timing: scheduling::TimingPatch::default(),
        busy: Vec::new(),
    }
}

fn on_a_day(cursor: Option<String>) -> SearchQuery {
    SearchQuery {
        available: Some(DayWindow {
            day: chrono::Utc::now().date_naive() + chrono::Duration::days(3),
            from_minute: 0,
            to_minute: 1440,
        }),
        ..query("dog walking", "10001", cursor)
    }
}

#[test]
fn a_search_by_day_keeps_the_free_candidates_in_rank_order() {
    let mut search = MockSearchRepository::new();
    search
        .expect_with_hours()
        .withf(|spec, (from, to), log| spec.limit == AVAILABLE_SCAN && from < to && log.is_some())
        .times(1)
        .returning(|_, _, _| {
            Ok(RankedHours {
                candidates: vec![
                    hours(1, true),
                    hours(2, false),
                    hours(3, true),
                    hours(4, true),
                ],
                defaults: scheduling::TimingDefaults::default(),
            })
        });
    search.expect_providers().never();
    let mut demand = MockDemandRepository::new();
    demand.expect_log_search().never();
    demand.expect_record_request().never();
    let result = block_on(service(search, demand).search(None, &catalog(), on_a_day(None)))
        .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<i64> = result.items.iter().map(|c| c.provider_id.0).collect();
    assert_eq!(ids, vec![1, 3], "the one without hours is left out");
    let cursor = result.next_cursor.map(|c| c.decode::<RankKey>());
    assert_eq!(cursor, Some(Ok(RankKey::new(9, 2, None, 1, 3))));
}

#[test]
fn a_scan_that_runs_out_before_the_page_fills_hands_out_a_cursor_after_it() {
    let mut search = MockSearchRepository::new();
    search.expect_with_hours().times(1).returning(|_, _, _| {
        Ok(RankedHours {
            candidates: (1..=i64::from(AVAILABLE_SCAN))
                .map(|id| hours(id, false))
                .collect(),
            defaults: scheduling::TimingDefaults::default(),
        })
    });
    let mut demand = MockDemandRepository::new();
    // Not "nothing matched": the next page may.
    demand.expect_record_request().never();
    let result = block_on(service(search, demand).search(None, &catalog(), on_a_day(None)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(result.items.is_empty());
    let cursor = result.next_cursor.map(|c| c.decode::<RankKey>());
    assert_eq!(
        cursor,
        Some(Ok(RankKey::new(9, 2, None, 1, i64::from(AVAILABLE_SCAN))))
    );

    // A shorter scan is the end: no cursor, and the demand is recorded.
    let mut search = MockSearchRepository::new();
    search.expect_with_hours().times(1).returning(|_, _, _| {
        Ok(RankedHours {
            candidates: vec![hours(1, false)],
            defaults: scheduling::TimingDefaults::default(),
        })
    });
    let mut demand = MockDemandRepository::new();
    demand.expect_record_request().times(1).returning(|_| Ok(5));
    let result = block_on(service(search, demand).search(None, &catalog(), on_a_day(None)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(result.items.is_empty() && result.next_cursor.is_none());
    assert_eq!(result.service_request_id, Some(5));
}
