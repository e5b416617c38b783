//! The supply side as a frontend drives it: onboarding → approval → search →
//! popularity → service request, on SQLite and PostgreSQL, and every refusal.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::supply_support::*;

async fn onboarding_to_search_to_popularity(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let nyc = lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    let chi = lsm(&app, &admin, "chi.lsm@stm.test", "chi").await;
    let walking = service_id(&app, "dog-walking").await;
    let (provider, id) =
        applicant(&app, "ann@example.com", "10001", "212-555-0100", &[walking]).await;

    // The NYC LSM was told (e-mail queued, notification shown); Chicago's was not.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'nyc.lsm@stm.test'"
        )
        .await,
        1
    );
    let inbox = app.get("/api/v1/notifications", Some(&nyc)).await;
    assert_eq!(
        inbox.body["items"][0]["kind"], "provider.applied",
        "{}",
        inbox.body
    );
    assert_eq!(inbox.body["items"][0]["data"]["provider_id"], id);
    assert_eq!(
        app.get("/api/v1/notifications", Some(&chi)).await.body["items"],
        json!([])
    );

    // Only the region's LSM sees and decides.
    let queue = app
        .get("/api/v1/lsm/providers?status=pending", Some(&nyc))
        .await;
    assert_eq!(queue.body["items"][0]["id"], id, "{}", queue.body);
    assert_eq!(
        app.get("/api/v1/lsm/providers", Some(&chi)).await.body["items"],
        json!([])
    );
    let path = format!("/api/v1/lsm/providers/{id}/approve");
    assert_eq!(
        app.call("POST", &path, Some(&chi), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call("POST", &path, Some(&provider), None).await.status,
        StatusCode::FORBIDDEN
    );
    // Not public before approval.
    assert_eq!(
        app.get(&format!("/api/v1/providers/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let approved = app.call("POST", &path, Some(&nyc), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["tenant_id"].is_i64() && approved.body["approved_at"].is_string());
    assert_eq!(
        app.call("POST", &path, Some(&nyc), None).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM users WHERE email = 'ann@example.com' AND tenant_role = 'owner'").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'ann@example.com' AND template NOT LIKE 'account.%'"
        )
        .await,
        1
    );
    let public = app.get(&format!("/api/v1/providers/{id}"), None).await;
    assert_eq!(public.body["service_ids"], json!([walking]));
    let reviews = app
        .get(&format!("/api/v1/providers/{id}/reviews"), None)
        .await;
    assert_eq!(reviews.body, json!({"items": [], "next_cursor": null}));

    // Search with a typo finds the provider and logs the search once.
    let found = app
        .get("/api/v1/search?q=Dog%20Wlaking&zipcode=10001", None)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert_eq!(found.body["service"]["id"], walking);
    assert_eq!(found.body["region"]["code"], "nyc");
    assert_eq!(found.body["items"][0]["provider_id"], id);
    assert!(found.body["service_request_id"].is_null());
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM service_search_logs").await,
        1
    );
    // Another region has nobody: a service request for its LSM.
    let empty = app
        .get("/api/v1/search?q=dog%20walking&region=chi", None)
        .await;
    assert_eq!(empty.body["items"], json!([]));
    assert!(empty.body["service_request_id"].is_i64(), "{}", empty.body);

    // Switching the service off hides the provider.
    let toggle = format!("/api/v1/providers/me/services/{walking}");
    let off = app
        .call(
            "PATCH",
            &toggle,
            Some(&provider),
            Some(&json!({"is_active": false})),
        )
        .await;
    assert_eq!(off.body["is_active"], false, "{}", off.body);
    let gone = app
        .get("/api/v1/search?q=dog%20walking&zipcode=10001", None)
        .await;
    assert_eq!(gone.body["items"], json!([]));
    app.call(
        "PATCH",
        &toggle,
        Some(&provider),
        Some(&json!({"is_active": true})),
    )
    .await;

    // Popularity: one search is enough once the admin says so.
    let patched = app
        .call(
            "PATCH",
            "/api/v1/admin/settings",
            Some(&admin),
            Some(&json!({"popularity_min_searches": 1})),
        )
        .await;
    assert_eq!(
        patched.body["popularity_min_searches"], 1,
        "{}",
        patched.body
    );
    let run = app
        .call(
            "POST",
            "/api/v1/admin/popularity/recompute",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    let popular = app
        .get("/api/v1/services/popular?zipcode=10001", None)
        .await;
    assert_eq!(popular.body["items"][0]["id"], walking, "{}", popular.body);
    let hide = app
        .call(
            "PUT",
            &format!("/api/v1/admin/popularity/{walking}"),
            Some(&admin),
            Some(&json!({"region": "nyc", "is_popular": false})),
        )
        .await;
    assert_eq!(hide.status, StatusCode::OK, "{}", hide.body);
    app.call(
        "POST",
        "/api/v1/admin/popularity/recompute",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        app.get("/api/v1/services/popular?region=nyc", None)
            .await
            .body["items"],
        json!([])
    );

    // The LSM's demand dashboard.
    app.get("/api/v1/search?q=xylophone%20tuning&zipcode=10001", None)
        .await;
    let demand = app.get("/api/v1/lsm/service-requests", Some(&nyc)).await;
    let top = demand.body["top_keywords"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        top.iter()
            .any(|k| k["keyword"] == "xylophone tuning" && k["count"] == 1),
        "{}",
        demand.body
    );
    // Newest first: the xylophone request leads the raw list.
    assert_eq!(demand.body["items"][0]["keyword"], "xylophone tuning");
    let request = demand.body["items"][0]["id"].as_i64().unwrap_or_default();
    let review = format!("/api/v1/lsm/service-requests/{request}/review");
    assert_eq!(
        app.call("POST", &review, Some(&chi), None).await.status,
        StatusCode::NOT_FOUND
    );
    let reviewed = app.call("POST", &review, Some(&nyc), None).await;
    assert_eq!(reviewed.body["reviewed"], true, "{}", reviewed.body);

    // Every decision is in the log.
    let log = app
        .get("/api/v1/admin/audit-log?limit=100", Some(&admin))
        .await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "lsm.create",
        "provider.approve",
        "settings.update",
        "popularity.override",
        "service_request.review",
    ] {
        assert!(actions.contains(&action), "{action} missing in {actions:?}");
    }
}

#[actix_web::test]
async fn onboarding_to_search_to_popularity_on_sqlite() {
    onboarding_to_search_to_popularity(Backend::Sqlite).await;
}

#[actix_web::test]
async fn onboarding_to_search_to_popularity_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    onboarding_to_search_to_popularity(Backend::Postgres).await;
}
