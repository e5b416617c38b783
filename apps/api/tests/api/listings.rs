//! Marketplace listings over HTTP on both backends: drafts, edits, publishing,
//! visibility, moderation with its audit rows, refusals, the public search
//! with its filters and pages, and racing moderators.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::{Reply, id};
use crate::jobs_support::{Market, market};
use crate::supply_support::{applicant, count, lsm};

fn draft() -> Value {
    json!({
        "title": "Dog walks in Chelsea",
        "description": "Thirty-minute walks, any size of dog",
        "category": "pets",
        "price_type": "hourly",
        "tags": ["dogs", "Walking"],
        "zip_code": "10001",
        "state": "NY"
    })
}

pub(crate) async fn call(
    m: &Market,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    m.app.call(method, path, token, body).await
}

pub(crate) async fn create(m: &Market, token: &str, body: &Value) -> i64 {
    let r = call(m, "POST", "/api/v1/listings", Some(token), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["status"], "draft", "{}", r.body);
    id(&r.body)
}

pub(crate) async fn act(m: &Market, token: Option<&str>, listing: i64, action: &str) -> Reply {
    let path = format!("/api/v1/listings/{listing}/{action}");
    call(m, "POST", &path, token, None).await
}

async fn creating_is_checked(m: &Market) {
    let r = call(
        m,
        "POST",
        "/api/v1/listings",
        Some(&m.customer),
        Some(&draft()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let mut bad = draft();
    bad["price_cents"] = json!(-1);
    bad["price_type"] = json!("weekly");
    let r = call(m, "POST", "/api/v1/listings", Some(&m.provider), Some(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.error_fields(),
        ["price_cents", "price_type"],
        "{}",
        r.body
    );
    // The document requires title, description, category and price_type on
    // create (blank text is a draft; absent is not).
    let r = call(
        m,
        "POST",
        "/api/v1/listings",
        Some(&m.provider),
        Some(&json!({})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(
        m,
        "POST",
        "/api/v1/listings",
        Some(&m.provider),
        Some(&json!([1])),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // A catalog link to no service is a field error, not a 500.
    let mut unknown = draft();
    unknown["service_id"] = json!(999_999);
    let r = call(
        m,
        "POST",
        "/api/v1/listings",
        Some(&m.provider),
        Some(&unknown),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "service_id", "{}", r.body);
    // A provider whose profile is not approved yet has no listing either.
    let (pending, _) = applicant(
        &m.app,
        "pending@example.test",
        "10002",
        "212-555-0199",
        &[m.service_id],
    )
    .await;
    let r = call(
        m,
        "POST",
        "/api/v1/listings",
        Some(&pending),
        Some(&draft()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        count(&m.app, "SELECT COUNT(*) AS n FROM service_listings").await,
        0
    );
}

async fn a_listing_is_drafted_published_moderated_and_reinstated(backend: Backend) {
    let m = market(backend).await;
    creating_is_checked(&m).await;
    let lid = create(&m, &m.provider, &draft()).await;
    let path = format!("/api/v1/listings/{lid}");

    // A draft is seen by its owner, its region's LSM and admins only.
    let chi = lsm(&m.app, &m.admin, "chi.lsm@stm.test", "chi").await;
    for (token, want) in [
        (None, StatusCode::NOT_FOUND),
        (Some(m.customer.as_str()), StatusCode::NOT_FOUND),
        (Some(chi.as_str()), StatusCode::NOT_FOUND),
        (Some(m.provider.as_str()), StatusCode::OK),
        (Some(m.lsm.as_str()), StatusCode::OK),
        (Some(m.admin.as_str()), StatusCode::OK),
    ] {
        assert_eq!(
            call(&m, "GET", &path, token, None).await.status,
            want,
            "{token:?}"
        );
    }

    let bad = json!({"service_id": 999_999, "price_cents": -5});
    let r = call(&m, "PATCH", &path, Some(&m.provider), Some(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = call(
        &m,
        "PATCH",
        &path,
        Some(&m.provider),
        Some(&json!({"service_id": 999_999})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "service_id", "{}", r.body);

    // Publishing needs a price unless quoted.
    let r = act(&m, Some(&m.provider), lid, "publish").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "price_cents", "{}", r.body);
    let r = call(
        &m,
        "PATCH",
        &path,
        Some(&m.provider),
        Some(&json!({"price_cents": 2500})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["title"], "Dog walks in Chelsea", "{}", r.body);
    let r = act(&m, Some(&m.provider), lid, "publish").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["region_code"], "nyc");
    let first = r.body["published_at"].clone();
    assert!(first.is_string(), "{}", r.body);
    assert_eq!(
        call(&m, "GET", &path, None, None).await.status,
        StatusCode::OK
    );

    // Unpublish and publish again: `published_at` stays the first one.
    let r = act(&m, Some(&m.provider), lid, "unpublish").await;
    assert_eq!(r.body["status"], "inactive", "{}", r.body);
    assert_eq!(
        call(&m, "GET", &path, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = act(&m, Some(&m.provider), lid, "publish").await;
    assert_eq!(r.body["published_at"], first, "{}", r.body);

    // Another provider's listing is not theirs to edit.
    let (other, other_id) = applicant(
        &m.app,
        "other@example.test",
        "10003",
        "212-555-0111",
        &[m.service_id],
    )
    .await;
    let approve = format!("/api/v1/lsm/providers/{other_id}/approve");
    assert_eq!(
        call(&m, "POST", &approve, Some(&m.lsm), None).await.status,
        StatusCode::OK
    );
    let r = call(
        &m,
        "PATCH",
        &path,
        Some(&other),
        Some(&json!({"title": "Mine now"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        act(&m, Some(&other), lid, "unpublish").await.status,
        StatusCode::NOT_FOUND
    );

    // Moderation: not a moderator 403, another region's LSM 404, the region's LSM suspends.
    assert_eq!(
        act(&m, Some(&m.provider), lid, "suspend").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&m, Some(&chi), lid, "suspend").await.status,
        StatusCode::NOT_FOUND
    );
    let r = call(
        &m,
        "POST",
        &format!("{path}/suspend"),
        Some(&m.lsm),
        Some(&json!({"reason": "misleading photos"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(
        call(&m, "GET", &path, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    // The provider can neither republish nor edit it.
    assert_eq!(
        act(&m, Some(&m.provider), lid, "publish").await.status,
        StatusCode::CONFLICT
    );
    let r = call(
        &m,
        "PATCH",
        &path,
        Some(&m.provider),
        Some(&json!({"title": "Back"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = act(&m, Some(&m.admin), lid, "reinstate").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["published_at"], first);
    let audited = count(
        &m.app,
        "SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('listing.suspend', 'listing.reinstate')",
    )
    .await;
    assert_eq!(audited, 2);
}

#[actix_web::test]
async fn a_listing_is_drafted_published_moderated_and_reinstated_on_sqlite() {
    a_listing_is_drafted_published_moderated_and_reinstated(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_listing_is_drafted_published_moderated_and_reinstated_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_listing_is_drafted_published_moderated_and_reinstated(Backend::Postgres).await;
}

pub(crate) async fn published(m: &Market, body: Value) -> i64 {
    let lid = create(m, &m.provider, &body).await;
    let r = act(m, Some(&m.provider), lid, "publish").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    lid
}

async fn ids(m: &Market, query: &str) -> Vec<i64> {
    let r = call(m, "GET", &format!("/api/v1/listings{query}"), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body["items"]
        .as_array()
        .map(|a| a.iter().map(id).collect())
        .unwrap_or_default()
}

async fn field_of(m: &Market, query: &str) -> String {
    let r = call(m, "GET", &format!("/api/v1/listings{query}"), None, None).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{query}: {}",
        r.body
    );
    r.body["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn search_filters_and_pages(backend: Backend) {
    let m = market(backend).await;
    let walks = published(&m, json!({"title": "Dog walks", "description": "Daily", "category": "pets",
        "price_type": "hourly", "price_cents": 2500, "state": "NY", "zip_code": "10001", "tags": ["dogs"]})).await;
    let sitting = published(
        &m,
        json!({"title": "Cat sitting", "description": "100% cuddles", "category": "pets",
        "price_type": "daily", "price_cents": 6000, "state": "NJ", "zip_code": "07030"}),
    )
    .await;
    let paint = published(
        &m,
        json!({"title": "Painting", "description": "Walls and fences", "category": "home",
        "price_type": "quote", "tags": ["Interior"]}),
    )
    .await;
    let clean = published(
        &m,
        json!({"title": "Deep clean", "description": "Kitchens", "category": "home",
        "price_type": "fixed", "price_cents": 15000, "state": "NY"}),
    )
    .await;
    // Neither a draft nor an unpublished listing is public.
    let _draft = create(&m, &m.provider, &draft()).await;
    let gone = published(
        &m,
        json!({"title": "Old dog walks", "description": "x", "category": "pets",
        "price_type": "fixed", "price_cents": 100}),
    )
    .await;
    act(&m, Some(&m.provider), gone, "unpublish").await;

    assert_eq!(ids(&m, "").await, [clean, paint, sitting, walks]);
    assert_eq!(ids(&m, "?category=pets").await, [sitting, walks]);
    assert_eq!(ids(&m, "?state=NY").await, [clean, walks]);
    assert_eq!(ids(&m, "?zip_code=07030").await, [sitting]);
    assert_eq!(ids(&m, "?price_type=quote").await, [paint]);
    assert_eq!(
        ids(&m, "?min_price=2500&max_price=6000").await,
        [sitting, walks]
    );
    assert_eq!(ids(&m, "?min_price=2501").await, [clean, sitting]);
    assert_eq!(ids(&m, "?max_price=2500").await, [walks]);
    assert_eq!(ids(&m, "?q=DOG").await, [walks], "title, case-insensitive");
    assert_eq!(ids(&m, "?q=fences").await, [paint], "description");
    assert_eq!(ids(&m, "?q=interior").await, [paint], "tags");
    assert_eq!(ids(&m, "?q=100%25").await, [sitting], "% is literal");
    assert_eq!(ids(&m, "?q=_").await, Vec::<i64>::new(), "_ is literal");
    assert_eq!(ids(&m, "?category=pets&state=NJ&q=cat").await, [sitting]);
    // An empty text or zipcode filter is no filter, as the document's pattern says.
    assert_eq!(
        ids(&m, "?q=&zip_code=&state=").await,
        [clean, paint, sitting, walks]
    );

    // Pages of two, then one, with no duplicates or gaps.
    let r = call(&m, "GET", "/api/v1/listings?limit=2", None, None).await;
    let first: Vec<i64> = r.body["items"]
        .as_array()
        .map(|a| a.iter().map(id).collect())
        .unwrap_or_default();
    assert_eq!(first, [clean, paint]);
    let cursor = r.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = call(
        &m,
        "GET",
        &format!("/api/v1/listings?limit=2&cursor={cursor}"),
        None,
        None,
    )
    .await;
    let second: Vec<i64> = r.body["items"]
        .as_array()
        .map(|a| a.iter().map(id).collect())
        .unwrap_or_default();
    assert_eq!(second, [sitting, walks]);
    assert!(r.body["next_cursor"].is_null(), "{}", r.body);

    let long_q = format!("?q={}", "a".repeat(101));
    let long_category = format!("?category={}", "a".repeat(101));
    for (query, field) in [
        ("?min_price=abc", "min_price"),
        ("?max_price=-1", "max_price"),
        ("?min_price=9&max_price=1", "max_price"),
        ("?price_type=weekly", "price_type"),
        ("?zip_code=abc", "zip_code"),
        ("?limit=0", "limit"),
        ("?cursor=%25%25", "cursor"),
        ("?q=a%E2%80%AEb", "q"),
        // What the document forbids, on the raw value: padding, a blank price
        // type, more than 100 characters.
        ("?zip_code=%2007030", "zip_code"),
        ("?price_type=", "price_type"),
        ("?price_type=%20quote", "price_type"),
        (long_q.as_str(), "q"),
        (long_category.as_str(), "category"),
    ] {
        assert_eq!(field_of(&m, query).await, field, "{query}");
    }
    // An unknown parameter is ignored, as on every list (docs/api.md).
    assert_eq!(ids(&m, "?color=red").await, ids(&m, "").await);
}

#[actix_web::test]
async fn search_filters_and_pages_on_sqlite() {
    search_filters_and_pages(Backend::Sqlite).await;
}

#[actix_web::test]
async fn search_filters_and_pages_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    search_filters_and_pages(Backend::Postgres).await;
}

/// Moderators racing on one listing: exactly one suspension, one audit row.
async fn racing_suspensions_apply_once(backend: Backend) {
    let m = market(backend).await;
    let lid = published(
        &m,
        json!({"title": "Walks", "description": "d", "category": "pets",
        "price_type": "quote"}),
    )
    .await;
    let tokens = [m.lsm.as_str(), m.admin.as_str()];
    let replies = futures_util::future::join_all(
        (0..32).map(|i| act(&m, Some(tokens[i % 2]), lid, "suspend")),
    )
    .await;
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, conflicts), (1, 31), "{statuses:?}");
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'listing.suspend'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn racing_suspensions_apply_once_on_sqlite() {
    racing_suspensions_apply_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn racing_suspensions_apply_once_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    racing_suspensions_apply_once(Backend::Postgres).await;
}
