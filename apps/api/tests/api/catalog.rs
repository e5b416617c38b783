//! The catalog over HTTP.

use actix_web::http::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

fn ids(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_i64())
        .collect()
}

#[actix_web::test]
async fn the_whole_catalog_is_served_page_by_page() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/services?limit=20".to_owned();
    loop {
        let page = app.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/services?limit=20&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 45);
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted, seen, "no service twice");
}

#[actix_web::test]
async fn services_filter_by_category_and_text() {
    let app = spawn_app().await;
    let pets = app
        .get("/api/v1/services?category=pets&limit=100", None)
        .await;
    let items = pets.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|s| s["category"] == "pets"));

    let plumber = app.get("/api/v1/services?q=PLUMBER", None).await;
    assert_eq!(plumber.body["items"][0]["slug"], "plumbing");
}

#[actix_web::test]
async fn a_service_shows_its_questions() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/services?q=dog%20walking", None).await;
    let id = ids(&list.body)[0];
    let detail = app.get(&format!("/api/v1/services/{id}"), None).await;
    assert_eq!(detail.status, StatusCode::OK);
    let questions = detail.body["questions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!((2..=5).contains(&questions.len()));
    assert!(
        questions
            .iter()
            .all(|q| q["key"].is_string() && q["kind"].is_string())
    );
}

#[actix_web::test]
async fn bad_catalog_queries_are_problems() {
    let app = spawn_app().await;
    for (path, status) in [
        (
            "/api/v1/services?category=gardening",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/v1/services?limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/api/v1/services?limit=abc",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/services?cursor=garbage!",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/v1/services/999999", StatusCode::NOT_FOUND),
        ("/api/v1/services/abc", StatusCode::NOT_FOUND),
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn regions_are_listed_with_their_prefixes() {
    let app = spawn_app().await;
    let regions = app.get("/api/v1/regions", None).await;
    let items = regions.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(items.len() >= 45);
    let nyc = items
        .iter()
        .find(|r| r["code"] == "nyc")
        .cloned()
        .unwrap_or_default();
    assert_eq!(nyc["time_zone"], "America/New_York");
    assert!(
        nyc["zip_prefixes"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p == "100"))
    );
}

#[actix_web::test]
async fn catalog_and_search_queries_are_checked_as_the_document_states() {
    let app = spawn_app().await;
    let long = "a".repeat(101);
    for (path, field) in [
        (format!("/api/v1/services?q={long}"), "q"),
        (format!("/api/v1/search?q={long}&zipcode=10001"), "q"),
        // Each parameter is checked even when the other one decides the region.
        (
            "/api/v1/search?q=plumbing&zipcode=10001&region=NYC".to_owned(),
            "region",
        ),
        (
            "/api/v1/search?q=plumbing&zipcode=%2010001".to_owned(),
            "zipcode",
        ),
        (
            "/api/v1/services/popular?region=nyc&zipcode=1000".to_owned(),
            "zipcode",
        ),
        ("/api/v1/services/popular?region=n".to_owned(), "region"),
    ] {
        let r = app.get(&path, None).await;
        assert_eq!(
            (r.status, r.body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{path}: {}",
            r.body
        );
    }
    let r = app.get("/api/v1/services/popular?region=nyc", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
