//! Search on real databases: the ranked keyset query against the pure rule.

mod common;
mod fixtures;

use fixtures::*;
use kernel::{Role, ServiceId};
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

async fn search_ranks_like_the_pure_rule_and_pages_by_keyset(db: &Database) {
    seed(db).await;
    let repo = SqlProviderRepository::new(db.conn().clone());
    let customer = user(db, "cust@example.com", Role::Customer).await;
    let now = chrono::Utc::now();
    // (ratings, completed jobs) per provider.
    let plans: [(&[i64], i64); 5] = [
        (&[5, 5, 5], 3),
        (&[5, 4, 5, 5, 5, 4, 5, 5, 5, 5], 10),
        (&[], 0),
        (&[1, 2], 2),
        (&[], 4),
    ];
    let mut expected = Vec::new();
    for (i, (ratings, _)) in plans.iter().enumerate() {
        let p = apply(db, &format!("p{i}@example.com"), "nyc", "10001").await;
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
        let jobs = plans[i].1.max(ratings.len() as i64);
        for j in 0..jobs {
            let status = if j < plans[i].1 { "completed" } else { "new" };
            exec(db, &format!(
                "INSERT INTO jobs (customer_id, provider_id, service_id, status, description, zipcode, region_code, response_deadline, created_at, updated_at) \
                 VALUES ({}, {}, 30, '{status}', 'd', '10001', 'nyc', '2030-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
                customer.0, p.id.0)).await;
        }
        for (k, r) in ratings.iter().enumerate() {
            exec(db, &format!(
                "INSERT INTO ratings_feedback (job_id, customer_id, provider_id, rating, punctuality_rating, response_time, created_at) \
                 SELECT id, {}, {}, {r}, 5, 5, '2026-01-01T00:00:00+00:00' FROM jobs WHERE provider_id = {} ORDER BY id LIMIT 1 OFFSET {k}",
                customer.0, p.id.0, p.id.0)).await;
        }
        expected.push(RankKey::new(
            ratings.iter().sum(),
            ratings.len() as i64,
            plans[i].1,
            p.id.0,
        ));
    }
    // A provider of another region and a suspended one never show.
    let other = apply(db, "chi@example.com", "chi", "60614").await;
    repo.transition(
        Transition::new(
            other.clone(),
            other.approve(now).unwrap_or_else(|e| panic!("{e}")),
            now,
        ),
        Effects::none(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    expected.sort_by(|a, b| b.cmp(a));
    let search = SqlSearchRepository::new(db.conn().clone());
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = search
            .providers(SearchSpec {
                service_id: ServiceId(30),
                region: "nyc".into(),
                after,
                limit: 2,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if page.is_empty() {
            break;
        }
        for c in &page {
            seen.push(RankKey::new(
                c.rating_sum,
                c.rating_count,
                c.completed_jobs,
                c.provider_id.0,
            ));
        }
        after = seen.last().copied();
    }
    assert_eq!(seen, expected);
}
on_both_backends!(
    search_ranks_on,
    search_ranks_like_the_pure_rule_and_pages_by_keyset
);
