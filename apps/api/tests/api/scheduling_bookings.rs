//! Booking by slot over HTTP (issue 19): holds that never double-book, on
//! both backends — 16 customers racing for one slot, the slot freed by a
//! rejection and a cancel, booked by an accept, and a slot job's start that
//! only moves by reschedule.

use actix_web::http::StatusCode;
use persistence::Backend;
use serde_json::{Value, json};

use crate::helpers::id;
use crate::jobs_support::{Market, market};
use crate::scheduling::{set_mornings, slots};
use crate::supply_support::{count, user};

/// A booking body for `slot`.
fn at_slot(m: &Market, slot: &str) -> Value {
    let mut body = m.booking();
    body["slot_start"] = json!(slot);
    body
}

async fn book_as(m: &Market, token: &str, slot: &str) -> crate::helpers::Reply {
    m.app
        .call("POST", "/api/v1/jobs", Some(token), Some(&at_slot(m, slot)))
        .await
}

fn starts(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .map(|s| s["start"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn sixteen_customers_race_for_one_slot(backend: Backend) {
    let m = market(backend).await;
    set_mornings(&m).await;
    let free = starts(&slots(&m, 3).await);
    let slot = free.first().cloned().unwrap_or_else(|| panic!("no slot"));
    let mut customers = Vec::new();
    for i in 0..16 {
        customers.push(user(&m.app, &format!("racer{i}@example.test"), "customer").await);
    }
    let replies =
        futures_util::future::join_all(customers.iter().map(|c| book_as(&m, c, &slot))).await;
    let created: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    let taken = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT && r.body["code"] == "slot_taken")
        .count();
    assert_eq!(
        (created.len(), taken),
        (1, 15),
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, r.body.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(created[0].body["scheduled_at"], json!(slot));
    assert_eq!(count(&m.app, "SELECT COUNT(*) AS n FROM jobs").await, 1);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM slot_holds WHERE released_at IS NULL"
        )
        .await,
        1
    );
    // The held slot is no longer offered; the others are.
    let now_free = starts(&slots(&m, 3).await);
    assert!(!now_free.contains(&slot), "{now_free:?}");
    assert_eq!(now_free.len(), free.len() - 1);
}

#[actix_web::test]
async fn sixteen_customers_race_for_one_slot_on_sqlite() {
    sixteen_customers_race_for_one_slot(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sixteen_customers_race_for_one_slot_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    sixteen_customers_race_for_one_slot(Backend::Postgres).await;
}

async fn a_slot_is_held_booked_and_released(backend: Backend) {
    let m = market(backend).await;
    set_mornings(&m).await;
    let free = starts(&slots(&m, 3).await);
    let slot = free[0].clone();
    let other = user(&m.app, "second@example.test", "customer").await;

    // Free text is refused for a provider with hours; a time off the grid too.
    let mut free_text = m.booking();
    free_text["scheduled_at"] = json!(slot);
    let r = m
        .app
        .call("POST", "/api/v1/jobs", Some(&m.customer), Some(&free_text))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.error_fields().contains(&"scheduled_at"), "{}", r.body);
    let off_grid = slot.replace(":00:00Z", ":17:00Z");
    let r = book_as(&m, &m.customer, &off_grid).await;
    assert!(r.error_fields().contains(&"slot_start"), "{}", r.body);

    // Held, then rejected: free again, and someone else takes it.
    let first = book_as(&m, &m.customer, &slot).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let r = book_as(&m, &other, &slot).await;
    assert_eq!(
        (r.status, r.body["code"].clone()),
        (StatusCode::CONFLICT, json!("slot_taken"))
    );
    let r = m
        .act(
            &m.provider,
            id(&first.body),
            "reject",
            Some(&json!({"reason": "Booked elsewhere"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(starts(&slots(&m, 3).await).contains(&slot));
    let second = book_as(&m, &other, &slot).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let job = id(&second.body);

    // Accepted: booked. Its start moves only by reschedule.
    let r = m.act(&m.provider, job, "accept", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM slot_holds WHERE kind = 'booking' AND released_at IS NULL"
        )
        .await,
        1
    );
    let r = m
        .app
        .call(
            "PATCH",
            &format!("/api/v1/jobs/{job}"),
            Some(&m.provider),
            Some(&json!({"scheduled_at": free[1]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.error_fields().contains(&"scheduled_at"), "{}", r.body);
    let r = m
        .app
        .call(
            "PATCH",
            &format!("/api/v1/jobs/{job}"),
            Some(&m.provider),
            Some(&json!({"price_cents": 7000})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "a price edit stays: {}", r.body);
    assert!(!starts(&slots(&m, 3).await).contains(&slot));

    // Cancelled by the customer: released.
    let r = m
        .act(
            &other,
            job,
            "cancel",
            Some(&json!({"reason": "Plans changed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(starts(&slots(&m, 3).await).contains(&slot));
    assert_eq!(
        count(
            &m.app,
            "SELECT COUNT(*) AS n FROM slot_holds WHERE released_at IS NULL"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn a_slot_is_held_booked_and_released_on_sqlite() {
    a_slot_is_held_booked_and_released(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_slot_is_held_booked_and_released_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    a_slot_is_held_booked_and_released(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_ban_releases_the_providers_holds() {
    let m = market(Backend::Sqlite).await;
    set_mornings(&m).await;
    let free = starts(&slots(&m, 3).await);
    let r = book_as(&m, &m.customer, &free[0]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let live = "SELECT COUNT(*) AS n FROM slot_holds WHERE released_at IS NULL";
    assert_eq!(count(&m.app, live).await, 1);
    let request = m
        .app
        .call(
            "POST",
            &format!("/api/v1/lsm/providers/{}/ban-requests", m.provider_id),
            Some(&m.lsm),
            Some(&json!({"reason": "Fraud"})),
        )
        .await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.body);
    let r = m
        .app
        .call(
            "POST",
            &format!("/api/v1/admin/ban-requests/{}/approve", id(&request.body)),
            Some(&m.admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(count(&m.app, live).await, 0);
}
