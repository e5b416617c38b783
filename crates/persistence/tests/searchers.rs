//! Popularity counts people: distinct searcher keys per day, on real databases.

mod common;
mod fixtures;

use fixtures::*;
use kernel::ServiceId;
use persistence::{Database, SqlDemandRepository};
use supply::ports::{DemandRepository, PopularityRun, SearchLog};

async fn searchers_are_counted_once_a_day(db: &Database) {
    seed(db).await;
    offer(db, "nyc@example.com", "nyc", &[1]).await;
    let demand = SqlDemandRepository::new(db.conn().clone());
    let now = chrono::Utc::now();
    let today = now - chrono::Duration::minutes(1);
    let yesterday = today - chrono::Duration::days(1);
    // One anonymous key 50 times today; one user today and yesterday; a
    // user who searched another service.
    let mut logs: Vec<SearchLog> = (0..50).map(|_| search(1, "nyc", "a:f00", today)).collect();
    logs.push(search(1, "nyc", "u:7", today));
    logs.push(search(1, "nyc", "u:7", yesterday));
    logs.push(search(2, "nyc", "u:8", today));
    for log in logs {
        demand
            .log_search(log)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let run = PopularityRun {
        from: now - chrono::Duration::days(7),
        to: now,
        top_k: 5,
        min_searches: 1,
        now,
    };
    let counts = demand
        .search_counts(run.from, run.to)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let one = counts.iter().find(|c| c.service_id == ServiceId(1));
    assert_eq!(
        one.map(|c| (c.count, c.offered)),
        Some((3, true)),
        "{counts:?}"
    );
    let two = counts.iter().find(|c| c.service_id == ServiceId(2));
    assert_eq!(two.map(|c| (c.count, c.offered)), Some((1, false)));
    demand
        .recompute_popularity(run)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = demand
        .popularity("nyc".into())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let shown: Vec<_> = rows
        .iter()
        .map(|r| (r.service_id.0, r.search_count, r.computed))
        .collect();
    assert_eq!(shown, [(1, 3, true), (2, 1, false)]);
}
on_both_backends!(searchers_on, searchers_are_counted_once_a_day);
