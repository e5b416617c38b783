//! Applications, standing decisions and bans: every refusal is a clear problem.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::json;

use crate::supply_support::*;

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
            app.call("POST", "/api/v1/providers", Some(&token), Some(&body))
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
        .call("POST", &reject, Some(&nyc), Some(&json!({})))
        .await;
    assert_eq!(
        (missing.status, missing.body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let rejected = app
        .call(
            "POST",
            &reject,
            Some(&nyc),
            Some(&json!({"reason": "No licence on file"})),
        )
        .await;
    assert_eq!(rejected.body["status"], "rejected", "{}", rejected.body);
    // Soft-deleted: out of the default queue, listed when asked for by status.
    let queue = app.get("/api/v1/lsm/providers", Some(&nyc)).await;
    assert_eq!(queue.body["items"], json!([]), "{}", queue.body);
    let rejected_list = app
        .get("/api/v1/lsm/providers?status=rejected", Some(&nyc))
        .await;
    assert_eq!(
        rejected_list.body["items"][0]["rejection_reason"],
        "No licence on file"
    );
    let bogus = app
        .get("/api/v1/lsm/providers?status=sleeping", Some(&nyc))
        .await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
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
        app.call("POST", &format!("{base}/suspend"), Some(&nyc), None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    app.call("POST", &format!("{base}/approve"), Some(&nyc), None)
        .await;
    let suspended = app
        .call(
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
        .call("POST", &format!("{base}/reinstate"), Some(&nyc), None)
        .await;
    assert_eq!(back.body["status"], "approved");
    assert_eq!(
        app.call("POST", &format!("{base}/clear-warnings"), Some(&nyc), None)
            .await
            .status,
        StatusCode::OK
    );

    let no_reason = app
        .call(
            "POST",
            &format!("{base}/ban-requests"),
            Some(&nyc),
            Some(&json!({})),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = app
        .call(
            "POST",
            &format!("{base}/ban-requests"),
            Some(&nyc),
            Some(&json!({"reason": "fraud"})),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let twice = app
        .call(
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
        .call(
            "POST",
            &format!("/api/v1/admin/ban-requests/{ban}/approve"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(decided.body["status"], "approved", "{}", decided.body);
    assert_eq!(
        app.call(
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

async fn racing_approvals_apply_once(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let nyc = lsm(&app, &admin, "nyc.lsm@stm.test", "nyc").await;
    let walking = service_id(&app, "dog-walking").await;
    let (_, id) = applicant(&app, "race@example.com", "10001", "2125550199", &[walking]).await;
    let path = format!("/api/v1/lsm/providers/{id}/approve");
    let (a, b) = futures_util::future::join(
        app.call("POST", &path, Some(&nyc), None),
        app.call("POST", &path, Some(&admin), None),
    )
    .await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM tenants").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'provider.approve'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn racing_approvals_apply_once_on_sqlite() {
    racing_approvals_apply_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_approvals_apply_once_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_approvals_apply_once(Backend::Postgres).await;
}
