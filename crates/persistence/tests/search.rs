//! Search on real databases: the ranked keyset query against the pure rule.

mod common;
mod fixtures;

use fixtures::*;
use kernel::ServiceId;
use persistence::{Database, SqlProviderRepository, SqlSearchRepository};
use sea_orm::ConnectionTrait;
use supply::Effects;
use supply::ports::*;
use supply::ranking::RankKey;

async fn exec(db: &Database, sql: &str) {
    db.conn()
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn approve(
    repo: &SqlProviderRepository,
    p: &supply::Provider,
    now: chrono::DateTime<chrono::Utc>,
) {
    repo.transition(
        Transition::new(
            p.clone(),
            p.approve(now).unwrap_or_else(|e| panic!("{e}")),
            now,
        ),
        Effects::none(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

async fn search_ranks_like_the_pure_rule_and_pages_by_keyset(db: &Database) {
    seed(db).await;
    let repo = SqlProviderRepository::new(db.conn().clone());
    let now = chrono::Utc::now();
    // (rating sum, rating count, response rate, completed jobs) per provider,
    // as the writes and the daily refresh keep them on the provider row.
    let plans: [(i64, i64, Option<f64>, i64); 7] = [
        (15, 3, Some(0.5), 3),
        (48, 10, Some(2.0 / 3.0), 10),
        (0, 0, None, 0),
        (3, 2, Some(1.0), 2),
        (0, 0, Some(0.25), 4),
        (0, 0, Some(0.25), 9),
        (15, 3, Some(0.9), 1),
    ];
    let mut expected = Vec::new();
    for (i, (sum, n, rate, done)) in plans.iter().enumerate() {
        let p = apply(db, &format!("p{i}@example.com"), "nyc", "10001").await;
        approve(&repo, &p, now).await;
        let rate_sql = rate.map_or_else(|| "NULL".to_owned(), |r| format!("{r:?}"));
        exec(db, &format!(
            "UPDATE service_providers SET rating_sum = {sum}, rating_count = {n}, completed_jobs = {done}, \
             response_rate = {rate_sql}, median_response_minutes = {} WHERE id = {}",
            if rate.is_some() { "12" } else { "NULL" }, p.id.0)).await;
        expected.push(RankKey::new(*sum, *n, *rate, *done, p.id.0));
    }
    // Approved profiles whose accounts may not sign in would rank first by
    // their figures: they never show, nor take a place on a page.
    for (i, account) in ["suspended", "banned"].iter().enumerate() {
        let p = apply(db, &format!("off{i}@example.com"), "nyc", "10001").await;
        approve(&repo, &p, now).await;
        exec(db, &format!(
            "UPDATE service_providers SET rating_sum = 50, rating_count = 10, completed_jobs = 20, \
             response_rate = 1.0, median_response_minutes = 1 WHERE id = {}", p.id.0)).await;
        exec(
            db,
            &format!(
                "UPDATE users SET status = '{account}' WHERE id = {}",
                p.user_id.0
            ),
        )
        .await;
    }
    // A provider of another region and a suspended one never show.
    let other = apply(db, "chi@example.com", "chi", "60614").await;
    approve(&repo, &other, now).await;
    expected.sort_by(|a, b| b.cmp(a));
    let search = SqlSearchRepository::new(db.conn().clone());
    let mut seen = Vec::new();
    let mut after = None;
    let day = now.date_naive();
    loop {
        // The first page writes its log row in the same call.
        let log = after.is_none().then(|| SearchLog {
            service_id: ServiceId(30),
            region: Some("nyc".into()),
            zipcode: Some("10001".into()),
            searcher_key: "u:7".into(),
            day,
            at: now,
        });
        let page = search
            .providers(
                SearchSpec {
                    service_id: ServiceId(30),
                    region: "nyc".into(),
                    after,
                    limit: 2,
                },
                log,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if page.is_empty() {
            break;
        }
        for c in &page {
            assert_eq!(
                c.median_response_minutes.is_some(),
                c.response_rate.is_some()
            );
            seen.push(RankKey::new(
                c.rating_sum,
                c.rating_count,
                c.response_rate,
                c.completed_jobs,
                c.provider_id.0,
            ));
        }
        after = seen.last().copied();
    }
    assert_eq!(seen, expected);
    let logged = db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            db.conn().get_database_backend(),
            "SELECT service_id, region, zipcode, searcher_key FROM service_search_logs",
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(i64, String, String, String)> = logged
        .iter()
        .map(|r| {
            (
                r.try_get("", "service_id")
                    .unwrap_or_else(|e| panic!("{e}")),
                r.try_get("", "region").unwrap_or_else(|e| panic!("{e}")),
                r.try_get("", "zipcode").unwrap_or_else(|e| panic!("{e}")),
                r.try_get("", "searcher_key")
                    .unwrap_or_else(|e| panic!("{e}")),
            )
        })
        .collect();
    // One row for the whole walk: the first page's.
    assert_eq!(
        rows,
        [(30, "nyc".to_owned(), "10001".to_owned(), "u:7".to_owned())]
    );
}
on_both_backends!(
    search_ranks_on,
    search_ranks_like_the_pure_rule_and_pages_by_keyset
);
