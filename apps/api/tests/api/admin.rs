//! Admin routes and notifications: validation, role refusals, ownership.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::supply_support::*;

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
            app.call(method, path, Some(&customer), None).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let lsm_body = json!({"email": "x@stm.test", "password": PASSWORD, "first_name": "X", "last_name": "Y", "region": "atlantis"});
    let bad = app
        .call("POST", "/api/v1/admin/lsms", Some(&admin), Some(&lsm_body))
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "region");
    for body in [
        json!({"warning_threshold": -1}),
        json!({"response_deadline_minutes": 0}),
        json!({"colour": 1}),
        json!({}),
    ] {
        let r = app
            .call("PATCH", "/api/v1/admin/settings", Some(&admin), Some(&body))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    // Forged cursors are field errors on every id-keyed list, never 500s.
    for path in [
        "/api/v1/admin/audit-log?cursor=zzz",
        "/api/v1/admin/lsms?cursor=zzz",
        "/api/v1/admin/ban-requests?cursor=zzz",
        "/api/v1/notifications?cursor=zzz",
    ] {
        let r = app.get(path, Some(&admin)).await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")),
            "{path}"
        );
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
        .call(
            "POST",
            "/api/v1/admin/services",
            Some(&admin),
            Some(&service),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let sid = created.body["id"].as_i64().unwrap_or_default();
    // A slug or a name already taken is a 409 naming what is taken, never a 500.
    let questions = service["questions"].clone();
    for (field, body) in [
        (
            "slug",
            json!({"name": "Aquarium Care", "slug": "aquarium-cleaning", "description": "x", "category": "pets", "keywords": [], "questions": questions.clone()}),
        ),
        (
            "name",
            json!({"name": "Aquarium Cleaning", "slug": "aquarium-care", "description": "x", "category": "pets", "keywords": [], "questions": questions.clone()}),
        ),
    ] {
        let taken = app
            .call("POST", "/api/v1/admin/services", Some(&admin), Some(&body))
            .await;
        assert_eq!(
            taken.status,
            StatusCode::CONFLICT,
            "{field}: {}",
            taken.body
        );
        assert!(
            taken.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(field),
            "{field}: {}",
            taken.body
        );
    }
    let found = app
        .get("/api/v1/search?q=fish%20tank&zipcode=10001", None)
        .await;
    assert_eq!(found.body["service"]["id"], sid);
    let retired = app
        .call(
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
    let region = json!({"code": "anc", "name": "Anchorage", "time_zone": "America/Anchorage", "zip_prefixes": ["995"]});
    let created = app
        .call("POST", "/api/v1/admin/regions", Some(&admin), Some(&region))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["time_zone"], "America/Anchorage");
    // Without a zone a region is in UTC until an admin says otherwise.
    let plain = json!({"code": "hnl", "name": "Honolulu", "zip_prefixes": ["968"]});
    let created = app
        .call("POST", "/api/v1/admin/regions", Some(&admin), Some(&plain))
        .await;
    assert_eq!(created.body["time_zone"], "UTC", "{}", created.body);
    // A key already taken is a conflict: the same code, or a prefix another region serves.
    let same_code = json!({"code": "anc", "name": "Anchorage again", "zip_prefixes": ["996"]});
    let clash = json!({"code": "anc2", "name": "Anchorage 2", "zip_prefixes": ["995"]});
    for body in [same_code, clash] {
        let res = app
            .call("POST", "/api/v1/admin/regions", Some(&admin), Some(&body))
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{body}: {}", res.body);
    }
    // A bad code, and a prefix listed twice (the document says `uniqueItems`).
    for (bad, field) in [
        (
            json!({"code": "Bad Code", "name": "x", "zip_prefixes": ["997"]}),
            "code",
        ),
        (
            json!({"code": "anc3", "name": "x", "zip_prefixes": ["997", "997"]}),
            "zip_prefixes",
        ),
        (
            json!({"code": "anc4", "name": "x", "time_zone": "Alaska/Anchorage", "zip_prefixes": ["998"]}),
            "time_zone",
        ),
    ] {
        let res = app
            .call("POST", "/api/v1/admin/regions", Some(&admin), Some(&bad))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(res.body["errors"][0]["field"], field, "{bad}: {}", res.body);
    }
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
        app.call("POST", &path, Some(&provider), None).await.status,
        StatusCode::NOT_FOUND
    );
    let read = app.call("POST", &path, Some(&nyc), None).await;
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

#[actix_web::test]
async fn admin_bodies_and_filters_outside_the_documented_bounds_are_refused_by_field() {
    let (app, admin) = app_with_admin(Backend::Sqlite).await;
    let question =
        |key: &str| json!({"key": key, "label": "Why?", "kind": "text", "required": true});
    let service = |slug: &str, questions: Value| {
        json!({"name": "Koi Care", "slug": slug, "description": "Ponds.", "category": "pets",
            "keywords": ["koi"], "questions": questions})
    };
    let refused = [
        (
            "GET",
            "/api/v1/admin/ban-requests?status=open",
            None,
            "status",
        ),
        ("GET", "/api/v1/lsm/providers?status=gone", None, "status"),
        (
            "POST",
            "/api/v1/admin/regions",
            Some(json!({"code": "kc", "name": "Kansas City", "zip_prefixes": ["641", "64"]})),
            "zip_prefixes",
        ),
        (
            "POST",
            "/api/v1/admin/regions",
            Some(json!({"code": "kc", "name": "K".repeat(256), "zip_prefixes": ["641"]})),
            "name",
        ),
        (
            "POST",
            "/api/v1/admin/services",
            Some(service("Koi Care", json!([question("a"), question("b")]))),
            "slug",
        ),
        (
            "POST",
            "/api/v1/admin/services",
            Some(service("koi-care", json!([question("a")]))),
            "questions",
        ),
        (
            "PUT",
            "/api/v1/admin/popularity/1",
            Some(json!({"region": "NYC", "is_popular": true})),
            "region",
        ),
        (
            "POST",
            "/api/v1/admin/lsms",
            Some(
                json!({"email": "k@stm.test", "password": PASSWORD, "first_name": "K", "last_name": "L", "region": " nyc"}),
            ),
            "region",
        ),
    ];
    for (method, path, body, field) in refused {
        let r = app.call(method, path, Some(&admin), body.as_ref()).await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{method} {path}: {}",
            r.body
        );
    }
    // Both refused above fit once corrected.
    let ok = app
        .call(
            "POST",
            "/api/v1/admin/services",
            Some(&admin),
            Some(&service("koi-care", json!([question("a"), question("b")]))),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let pending = app
        .get("/api/v1/admin/ban-requests?status=pending", Some(&admin))
        .await;
    assert_eq!(pending.status, StatusCode::OK, "{}", pending.body);
}
