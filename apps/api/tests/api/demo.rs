//! `stm-api seed --demo`: real search results on first run.

use actix_web::http::StatusCode;
use supply::ranking::score_milli;

use persistence::Backend;

use crate::helpers::spawn_app_with;
use crate::supply_support::count;

#[actix_web::test]
async fn demo_data_fills_search_in_several_regions_once_on_sqlite() {
    demo_data_fills_search_in_several_regions_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn demo_data_fills_search_in_several_regions_once_on_postgres() {
    demo_data_fills_search_in_several_regions_once(Backend::Postgres).await;
}

async fn demo_data_fills_search_in_several_regions_once(backend: Backend) {
    if backend == Backend::Postgres && persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    let app = spawn_app_with(backend, |_| {}).await;
    let first = stm_api::supply_wiring::seed_demo(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        first.providers_added >= 30 && first.customers_added == 3,
        "{first:?}"
    );
    let again = stm_api::supply_wiring::seed_demo(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.providers_added, again.customers_added), (0, 0));
    for (q, zipcode) in [
        ("dog walking", "10001"),
        ("house cleaning", "90012"),
        ("plumbing", "60614"),
    ] {
        let r = app
            .get(
                &format!(
                    "/api/v1/search?q={}&zipcode={zipcode}&limit=100",
                    q.replace(' ', "%20")
                ),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{q} in {zipcode}: {}", r.body);
        let scores: Vec<i64> = items
            .iter()
            .map(|i| {
                let n = i["rating_count"].as_i64().unwrap_or_default();
                let sum = (i["rating_avg"].as_f64().unwrap_or_default() * n as f64).round() as i64;
                score_milli(sum, n)
            })
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{q}: {scores:?}");
        assert!(
            items.iter().any(|i| i["rating_count"].as_i64() > Some(0)),
            "{q}: ratings shown"
        );
    }
    // Pages of one, walked with the cursor, list exactly the one-page answer.
    let all = app
        .get(
            "/api/v1/search?q=dog%20walking&zipcode=10001&limit=100",
            None,
        )
        .await;
    let mut walked = Vec::new();
    let mut path = "/api/v1/search?q=dog%20walking&zipcode=10001&limit=1".to_owned();
    loop {
        let page = app.get(&path, None).await;
        walked.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        match page.body["next_cursor"].as_str() {
            Some(cursor) => {
                path =
                    format!("/api/v1/search?q=dog%20walking&zipcode=10001&limit=1&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(Some(&walked), all.body["items"].as_array());
    assert!(walked.len() >= 2, "several pages: {}", walked.len());
    let bad = app
        .get("/api/v1/search?q=dog&zipcode=10001&cursor=nonsense", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A provider's reviews are its ratings, newest first.
    let first = &walked[0];
    let reviews = app
        .get(
            &format!(
                "/api/v1/providers/{}/reviews?limit=100",
                first["provider_id"]
            ),
            None,
        )
        .await;
    assert_eq!(
        reviews.body["items"].as_array().map(Vec::len),
        first["rating_count"].as_u64().map(|n| n as usize),
        "{}",
        reviews.body
    );
    // Demo providers keep hours and a policy: their slots and profiles show them.
    let profile = app
        .get(&format!("/api/v1/providers/{}", first["provider_id"]), None)
        .await;
    assert!(
        profile.body["cancellation_policy"]["policy"].is_string(),
        "{}",
        profile.body
    );
    let walking = profile.body["service_ids"][0].clone();
    let from = chrono::Utc::now();
    let slots = app
        .get(
            &format!(
                "/api/v1/providers/{}/slots?service_id={walking}&from={}&to={}",
                first["provider_id"],
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                (from + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ")
            ),
            None,
        )
        .await;
    assert!(
        slots.body["items"].as_array().is_some_and(|s| s.len() > 10),
        "{}",
        slots.body
    );
    // A week of bookings: held slots booked by the showcase providers.
    let booked = crate::supply_support::count(
        &app,
        "SELECT COUNT(*) AS n FROM slot_holds WHERE kind = 'booking' AND released_at IS NULL",
    )
    .await;
    assert!(booked >= 12, "{booked} bookings");
    // Demo searches make some services popular in each demo region.
    let popular = app.get("/api/v1/services/popular?region=nyc", None).await;
    assert!(
        popular.body["items"]
            .as_array()
            .is_some_and(|i| !i.is_empty()),
        "{}",
        popular.body
    );
    // Jobs in every state, with threads and messages, through the job
    // repository: the figures on the provider rows are the ratings written.
    for status in [
        "new",
        "in_progress",
        "completed",
        "paid",
        "cancelled",
        "rejected_by_sp",
    ] {
        let sql = format!("SELECT COUNT(*) AS n FROM jobs WHERE status = '{status}'");
        assert!(count(&app, &sql).await > 0, "{status}");
    }
    let checks = [
        "SELECT COUNT(*) AS n FROM jobs WHERE pending_approval",
        "SELECT COUNT(*) AS n FROM messages WHERE sender_role = 'customer'",
        "SELECT COUNT(*) AS n FROM messages WHERE sender_role = 'system'",
        "SELECT COUNT(*) AS n FROM invoices WHERE is_marketplace_invoice AND status = 'paid'",
    ];
    for sql in checks {
        assert!(count(&app, sql).await > 0, "{sql}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM jobs WHERE thread_id IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM service_providers p WHERE p.rating_count <> \
             (SELECT COUNT(*) FROM ratings_feedback f WHERE f.provider_id = p.id)"
        )
        .await,
        0
    );
    assert!(
        walked.iter().any(|c| c["response_rate"].as_f64().is_some()),
        "response figures shown"
    );
    let jobs = count(&app, "SELECT COUNT(*) AS n FROM jobs").await;
    stm_api::supply_wiring::seed_demo(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM jobs").await,
        jobs,
        "idempotent"
    );
}
