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
        app.send("POST", &path, Some(&chi), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send("POST", &path, Some(&provider), None).await.status,
        StatusCode::FORBIDDEN
    );
    // Not public before approval.
    assert_eq!(
        app.get(&format!("/api/v1/providers/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let approved = app.send("POST", &path, Some(&nyc), None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["tenant_id"].is_i64() && approved.body["approved_at"].is_string());
    assert_eq!(
        app.send("POST", &path, Some(&nyc), None).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM users WHERE email = 'ann@example.com' AND tenant_role = 'owner'").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'ann@example.com'"
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
        .send(
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
    app.send(
        "PATCH",
        &toggle,
        Some(&provider),
        Some(&json!({"is_active": true})),
    )
    .await;

    // Popularity: one search is enough once the admin says so.
    let patched = app
        .send(
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
        .send(
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
        .send(
            "PUT",
            &format!("/api/v1/admin/popularity/{walking}"),
            Some(&admin),
            Some(&json!({"region": "nyc", "is_popular": false})),
        )
        .await;
    assert_eq!(hide.status, StatusCode::OK, "{}", hide.body);
    app.send(
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
        app.send("POST", &review, Some(&chi), None).await.status,
        StatusCode::NOT_FOUND
    );
    let reviewed = app.send("POST", &review, Some(&nyc), None).await;
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

#[actix_web::test]
async fn applications_are_refused_clearly() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let nyc = lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let provider = user(&app, "p@example.com", "provider").await;
    let customer = user(&app, "c@example.com", "customer").await;
    let apply = |token: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.send("POST", "/api/v1/providers", Some(&token), Some(&body))
                .await
        }
    };
    let r = apply(
        customer.clone(),
        application("10001", "2125550100", &[walking]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = apply(
        provider.clone(),
        application("99501", "2125550100", &[walking]),
    )
    .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unserved_zipcode"))
    );
    let r = apply(
        provider.clone(),
        application("10001", "2125550100", &[999_999]),
    )
    .await;
    assert_eq!(r.body["errors"][0]["field"], "service_ids");
    let r = apply(provider.clone(), json!({"business_name": "x", "phone": "1", "zipcode": "10001", "service_ids": [walking], "extra": 1})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM service_providers").await,
        0
    );

    // Apply, get rejected (reason required), and try again too soon.
    let r = apply(
        provider.clone(),
        application("10001", "(212) 555-0100", &[walking]),
    )
    .await;
    let id = r.body["id"].as_i64().unwrap_or_default();
    assert_eq!(
        apply(
            provider.clone(),
            application("10001", "2125550100", &[walking])
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let reject = format!("/api/v1/lsm/providers/{id}/reject");
    let missing = app
        .send("POST", &reject, Some(&nyc), Some(&json!({})))
        .await;
    assert_eq!(
        (missing.status, missing.body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let rejected = app
        .send(
            "POST",
            &reject,
            Some(&nyc),
            Some(&json!({"reason": "No licence on file"})),
        )
        .await;
    assert_eq!(rejected.body["status"], "rejected", "{}", rejected.body);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM email_outbox WHERE to_email = 'p@example.com' AND body_text LIKE '%No licence on file%'").await, 1);
    let again = apply(
        provider.clone(),
        application("10001", "2125550100", &[walking]),
    )
    .await;
    assert_eq!(
        (again.status, again.body["code"].as_str()),
        (StatusCode::CONFLICT, Some("reapply_too_soon"))
    );
    let date = (chrono::Utc::now() + chrono::Duration::days(90))
        .date_naive()
        .to_string();
    assert!(
        again.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&date)),
        "{}",
        again.body
    );
    // Same phone, another account: refused too.
    let other = user(&app, "q@example.com", "provider").await;
    assert_eq!(
        apply(other, application("10001", "212.555.0100", &[walking]))
            .await
            .status,
        StatusCode::CONFLICT
    );
}

#[actix_web::test]
async fn standing_decisions_and_bans() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let nyc = lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (_, id) = applicant(&app, "bad@example.com", "10001", "2125550111", &[walking]).await;
    let base = format!("/api/v1/lsm/providers/{id}");
    assert_eq!(
        app.send("POST", &format!("{base}/suspend"), Some(&nyc), None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    app.send("POST", &format!("{base}/approve"), Some(&nyc), None)
        .await;
    let suspended = app
        .send(
            "POST",
            &format!("{base}/suspend"),
            Some(&nyc),
            Some(&json!({"reason": "complaints"})),
        )
        .await;
    assert_eq!(suspended.body["status"], "suspended");
    assert_eq!(
        app.get("/api/v1/search?q=dog%20walking&zipcode=10001", None)
            .await
            .body["items"],
        json!([])
    );
    let back = app
        .send("POST", &format!("{base}/reinstate"), Some(&nyc), None)
        .await;
    assert_eq!(back.body["status"], "approved");
    assert_eq!(
        app.send("POST", &format!("{base}/clear-warnings"), Some(&nyc), None)
            .await
            .status,
        StatusCode::OK
    );

    let no_reason = app
        .send(
            "POST",
            &format!("{base}/ban-requests"),
            Some(&nyc),
            Some(&json!({})),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = app
        .send(
            "POST",
            &format!("{base}/ban-requests"),
            Some(&nyc),
            Some(&json!({"reason": "fraud"})),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let twice = app
        .send(
            "POST",
            &format!("{base}/ban-requests"),
            Some(&nyc),
            Some(&json!({"reason": "fraud"})),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(
        app.get("/api/v1/admin/ban-requests", Some(&nyc))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let pending = app
        .get("/api/v1/admin/ban-requests?status=pending", Some(&admin))
        .await;
    let ban = pending.body["items"][0]["id"].as_i64().unwrap_or_default();
    let decided = app
        .send(
            "POST",
            &format!("/api/v1/admin/ban-requests/{ban}/approve"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(decided.body["status"], "approved", "{}", decided.body);
    assert_eq!(
        app.send(
            "POST",
            &format!("/api/v1/admin/ban-requests/{ban}/reject"),
            Some(&admin),
            None
        )
        .await
        .status,
        StatusCode::CONFLICT
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "bad@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/api/v1/providers/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn admin_routes_validate_and_refuse_other_roles() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let customer = user(&app, "c@example.com", "customer").await;
    for (method, path) in [
        ("GET", "/api/v1/admin/settings"),
        ("GET", "/api/v1/admin/lsms"),
        ("GET", "/api/v1/admin/audit-log"),
    ] {
        assert_eq!(
            app.send(method, path, Some(&customer), None).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let lsm_body = json!({"email": "x@stm.test", "password": PASSWORD, "first_name": "X", "last_name": "Y", "region": "atlantis"});
    let bad = app
        .send("POST", "/api/v1/admin/lsms", Some(&admin), Some(&lsm_body))
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "region");
    for body in [
        json!({"warning_threshold": -1}),
        json!({"response_deadline_minutes": 0}),
        json!({"colour": 1}),
        json!({}),
    ] {
        let r = app
            .send("PATCH", "/api/v1/admin/settings", Some(&admin), Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let settings = app.get("/api/v1/admin/settings", Some(&admin)).await;
    assert_eq!(settings.body["warning_threshold"], 3);
    assert_eq!(settings.body["rejected_reapply_cooldown_days"], 90);

    // Catalog edits reach the in-memory catalog at once.
    let service = json!({"name": "Aquarium Cleaning", "slug": "aquarium-cleaning", "description": "Tanks cleaned.",
        "category": "pets", "keywords": ["fish tank"], "questions": [
            {"key": "gallons", "label": "Tank size (gallons)?", "kind": "number", "required": true},
            {"key": "notes", "label": "Anything else?", "kind": "text", "required": false}]});
    let created = app
        .send(
            "POST",
            "/api/v1/admin/services",
            Some(&admin),
            Some(&service),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let sid = created.body["id"].as_i64().unwrap_or_default();
    let found = app
        .get("/api/v1/search?q=fish%20tank&zipcode=10001", None)
        .await;
    assert_eq!(found.body["service"]["id"], sid);
    let retired = app
        .send(
            "PATCH",
            &format!("/api/v1/admin/services/{sid}"),
            Some(&admin),
            Some(&json!({"status": "retired"})),
        )
        .await;
    assert_eq!(retired.status, StatusCode::OK, "{}", retired.body);
    assert!(
        app.get("/api/v1/search?q=fish%20tank&zipcode=10001", None)
            .await
            .body["service"]
            .is_null()
    );
    let region = json!({"code": "anc", "name": "Anchorage", "zip_prefixes": ["995"]});
    assert_eq!(
        app.send("POST", "/api/v1/admin/regions", Some(&admin), Some(&region))
            .await
            .status,
        StatusCode::CREATED
    );
    let clash = json!({"code": "anc2", "name": "Anchorage 2", "zip_prefixes": ["995"]});
    assert_eq!(
        app.send("POST", "/api/v1/admin/regions", Some(&admin), Some(&clash))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/search?q=dog%20walking&zipcode=99501", None)
            .await
            .body["region"]["code"],
        "anc"
    );
}

#[actix_web::test]
async fn notifications_belong_to_their_owner() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let nyc = lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (provider, _) = applicant(&app, "ann@example.com", "10001", "2125550100", &[walking]).await;
    let mine = app
        .get("/api/v1/notifications?unread=true", Some(&nyc))
        .await;
    let id = mine.body["items"][0]["id"].as_i64().unwrap_or_default();
    let path = format!("/api/v1/notifications/{id}/read");
    assert_eq!(
        app.send("POST", &path, Some(&provider), None).await.status,
        StatusCode::NOT_FOUND
    );
    let read = app.send("POST", &path, Some(&nyc), None).await;
    assert!(read.body["read_at"].is_string(), "{}", read.body);
    assert_eq!(
        app.get("/api/v1/notifications?unread=true", Some(&nyc))
            .await
            .body["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/notifications", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
